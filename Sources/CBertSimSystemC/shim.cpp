// The C++ side of CBertSimSystemC.h: the only translation unit in bertsim that includes SystemC.
#ifndef SC_INCLUDE_DYNAMIC_PROCESSES
#define SC_INCLUDE_DYNAMIC_PROCESSES  // for sc_spawn (also set by Package.swift)
#endif
#include <systemc>

#include <cstdlib>
#include <exception>
#include <string>

#include "CBertSimSystemC.h"

using namespace sc_core;

// libsystemc.so refers to sc_main; Swift owns main, so this is defined and never called.
int sc_main(int, char **) { return 0; }

namespace {

std::string last_error;
std::string last_warning;
sc_trace_file *trace_file = nullptr;

bsc_status fail(const std::string &message) {
    last_error = message;
    return BSC_ERROR;
}

bsc_status fail_report(const sc_report &report) {
    std::string id = report.get_msg_type() ? report.get_msg_type() : "";
    std::string msg = report.get_msg() ? report.get_msg() : "";
    return fail("SystemC " + id + (msg.empty() ? "" : ": " + msg));
}

// Every entry point runs its body through this: no C++ exception crosses into Swift.
template <typename Body> bsc_status guarded(Body body) {
    try {
        body();
        return BSC_OK;
    } catch (const sc_report &report) {
        return fail_report(report);
    } catch (const std::exception &e) {
        return fail(std::string("SystemC: ") + e.what());
    } catch (...) {
        return fail("SystemC: unknown C++ exception");
    }
}

// Reports never reach stdout: errors are thrown to the entry point, warnings kept, info dropped.
void report_handler(const sc_report &report, const sc_actions &actions) {
    if (report.get_severity() >= SC_ERROR || (actions & SC_THROW)) throw report;
    if (report.get_severity() == SC_WARNING) {
        last_warning = std::string(report.get_msg_type()) + ": " + (report.get_msg() ? report.get_msg() : "");
    }
}

// A method process body: calls back into Swift.
struct Callback {
    bsc_callback callback;
    void *context;
    void operator()() const { callback(context); }
};

// A primitive channel whose update phase calls back into Swift.
class Channel : public sc_prim_channel {
  public:
    Channel(const char *name, bsc_callback update, void *context)
        : sc_prim_channel(sc_gen_unique_name(name)), update_(update), context_(context) {}
    void request() { request_update(); }

  protected:
    void update() override { update_(context_); }

  private:
    bsc_callback update_;
    void *context_;
};

// SystemC object names may hold only letters, digits and '_'.
std::string object_name(const char *name) {
    std::string s(name);
    for (char &c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) c = '_';
    }
    return s.empty() ? std::string("process") : s;
}

inline sc_time cycles(uint64_t n) { return sc_time::from_value(static_cast<sc_dt::uint64>(n)); }

}  // namespace

extern "C" {

bsc_status bsc_initialize(const char *vcd_path) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return guarded([&] {
        sc_report_handler::set_handler(report_handler);
        sc_report_handler::set_actions(SC_ERROR, SC_THROW);
        sc_report_handler::set_actions(SC_FATAL, SC_THROW);
        sc_set_time_resolution(1, SC_NS);
        if (vcd_path) {
            trace_file = sc_create_vcd_trace_file(vcd_path);
            trace_file->set_time_unit(1, SC_NS);
        }
    });
}

bsc_event *bsc_event_create(void) {
    sc_event *event = nullptr;
    if (guarded([&] { event = new sc_event(); }) != BSC_OK) return nullptr;
    return reinterpret_cast<bsc_event *>(event);
}

bsc_status bsc_process_create(const char *name, bsc_callback callback, void *context, bsc_event *const *events,
                              size_t event_count) {
    return guarded([&] {
        sc_spawn_options options;
        options.spawn_method();
        options.dont_initialize();
        for (size_t i = 0; i < event_count; ++i) options.set_sensitivity(reinterpret_cast<sc_event *>(events[i]));
        sc_spawn(Callback{callback, context}, object_name(name).c_str(), &options);
    });
}

bsc_status bsc_event_notify(bsc_event *event, uint64_t delay) {
    try {
        sc_event *e = reinterpret_cast<sc_event *>(event);
        if (delay == 0) e->notify(SC_ZERO_TIME);
        else e->notify(cycles(delay));
        return BSC_OK;
    } catch (...) {
        return guarded([] { throw; });
    }
}

bsc_channel *bsc_channel_create(const char *name, bsc_callback update, void *context) {
    Channel *channel = nullptr;
    if (guarded([&] { channel = new Channel(object_name(name).c_str(), update, context); }) != BSC_OK) return nullptr;
    return reinterpret_cast<bsc_channel *>(channel);
}

bsc_status bsc_channel_request_update(bsc_channel *channel) {
    try {
        reinterpret_cast<Channel *>(channel)->request();
        return BSC_OK;
    } catch (...) {
        return guarded([] { throw; });
    }
}

uint64_t *bsc_trace_add(const char *name, int width) {
    if (!trace_file) return nullptr;
    sc_dt::uint64 *storage = nullptr;
    if (guarded([&] {
            storage = new sc_dt::uint64(0);
            sc_trace(trace_file, *storage, name, width);
        }) != BSC_OK)
        return nullptr;
    return reinterpret_cast<uint64_t *>(storage);
}

// Set by bsc_pause (a model ended the run), cleared by every bsc_run.
static bool pause_requested = false;

bsc_status bsc_run(uint64_t limit, bsc_run_outcome *outcome) {
    pause_requested = false;
    return guarded([&] {
        sc_dt::uint64 now = sc_time_stamp().value();
        if (limit == UINT64_MAX) {
            sc_start(sc_max_time() - sc_time_stamp(), SC_EXIT_ON_STARVATION);
        } else if (limit > now) {
            sc_start(cycles(limit - now), SC_EXIT_ON_STARVATION);
            // With the next event beyond the limit, SystemC returns at the last event's time;
            // the kernel contract has time stop at the limit (sc_start(d) with the native
            // default SC_RUN_TO_TIME): move time there, no event lies before it.
            sc_dt::uint64 reached = sc_time_stamp().value();
            if (reached < limit && !pause_requested && sc_pending_activity())
                sc_start(cycles(limit - reached), SC_RUN_TO_TIME);
        }
        // (sc_get_status() is SC_PAUSED after every return from sc_start, so whether
        // bsc_pause ended the run is for the caller to remember.)
        *outcome = sc_pending_activity() ? BSC_RUN_PAUSED : BSC_RUN_IDLE;
    });
}

bsc_status bsc_pause(void) {
    pause_requested = true;
    return guarded([] { sc_pause(); });
}

bsc_status bsc_finish(void) {
    return guarded([] {
        if (!trace_file) return;
        // SystemC samples a time step's values when time moves past it: run one more cycle
        // (the caller has muted every process) so the last step reaches the file.
        if (sc_get_status() != SC_STOPPED) sc_start(cycles(1), SC_RUN_TO_TIME);
        sc_close_vcd_trace_file(trace_file);
        trace_file = nullptr;
    });
}

uint64_t bsc_now(void) { return static_cast<uint64_t>(sc_time_stamp().value()); }

uint64_t bsc_delta_count(void) { return static_cast<uint64_t>(sc_delta_count()); }

const char *bsc_last_error(void) { return last_error.c_str(); }

const char *bsc_last_warning(void) { return last_warning.c_str(); }

}  // extern "C"
