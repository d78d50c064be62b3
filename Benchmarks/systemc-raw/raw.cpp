// Raw SystemC from C++: the baseline the SystemC kernel's cost per event is compared with.
// The same workload as `bertsim-bench kernel-once`: P method processes, each statically
// sensitive to its own sc_event, re-arming it with a pseudo-random gap of 1..32 time units
// (the same LCG), until E wakes in all. Prints the nanoseconds per wake of sc_start alone.
// Build: g++ -O2 -std=c++17 raw.cpp -lsystemc   Run: ./raw EVENTS PROCESSES
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <systemc>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace sc_core;

int sc_main(int, char **) { return 0; }

struct Ticker {
    sc_event *event;
    long remaining;
    unsigned long long state;
    void operator()() {
        if (--remaining <= 0) return;
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        event->notify(sc_time::from_value(1 + (state >> 59)));
    }
};

int main(int argc, char **argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    long events = argc > 1 ? atol(argv[1]) : 5000000;
    int processes = argc > 2 ? atoi(argv[2]) : 64;
    sc_report_handler::set_actions(SC_INFO, SC_DO_NOTHING);
    sc_set_time_resolution(1, SC_NS);
    long per = events / processes;
    std::vector<Ticker *> tickers;
    for (int i = 0; i < processes; ++i) {
        Ticker *t = new Ticker{new sc_event(), per, (unsigned long long)i};
        tickers.push_back(t);
        sc_spawn_options o;
        o.spawn_method();
        o.dont_initialize();
        o.set_sensitivity(t->event);
        sc_spawn([t] { (*t)(); }, sc_gen_unique_name("t"), &o);
        t->event->notify(sc_time::from_value(1 + i % 7));
    }
    auto start = std::chrono::steady_clock::now();
    sc_start();
    auto end = std::chrono::steady_clock::now();
    double ns = std::chrono::duration<double, std::nano>(end - start).count();
    printf("ns_per_event %.3f events %ld\n", ns / double(per * processes), per * processes);
    return 0;
}
