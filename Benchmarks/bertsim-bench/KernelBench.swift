import ArgumentParser
import BertSimCore
import BertSimSystemC
import Foundation

/// The kernel benchmark's workload: P processes, each re-arming its own timed event with a
/// pseudo-random gap of 1...32 cycles (so the queue holds P live timers and every wake is a
/// timed notification), until `events` wakes in all. The same workload runs on the native
/// kernel, on the SystemC kernel, and as raw SystemC from C++ (Benchmarks/systemc-raw).
final class Ticker: SimProcess {
    let kernel: any SimKernel
    var event: EventID!
    var remaining: Int
    var state: UInt64

    init(_ kernel: any SimKernel, budget: Int, seed: UInt64) {
        self.kernel = kernel
        remaining = budget
        state = seed
    }

    func evaluate() {
        remaining -= 1
        guard remaining > 0 else { return }
        state = state &* 6364136223846793005 &+ 1442695040888963407
        kernel.notify(event, after: Cycles(1 + Int(state >> 59)))
    }

    /// Elaborates the workload on `kernel`, runs it, and returns seconds spent in `run`.
    static func run(on kernel: any SimKernel, events: Int, processes: Int) throws -> (seconds: Double, wakes: Int) {
        let per = events / processes
        for i in 0..<processes {
            let t = Ticker(kernel, budget: per, seed: UInt64(i))
            let p = kernel.addProcess("t\(i)", t)
            t.event = kernel.addEvent("e\(i)", triggering: p)
            kernel.notify(t.event, after: Cycles(1 + i % 7))
        }
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try kernel.run()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        precondition(kernel.evaluationCount == UInt64(per * processes), "every wake must run once")
        return (seconds, per * processes)
    }
}

/// One SystemC run (SystemC allows one per process); prints `ns_per_event N events E`.
struct KernelOnce: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel-once", abstract: "One run of the kernel workload on SystemC (used by `kernel`).")

    @Option var events = 5_000_000
    @Option var processes = 64

    func run() throws {
        let (seconds, wakes) = try Ticker.run(on: SystemCKernel(), events: events, processes: processes)
        print(String(format: "ns_per_event %.3f events %d", seconds / Double(wakes) * 1e9, wakes))
    }
}

/// Cost per timed wake on the native kernel, the SystemC kernel and raw SystemC (medians).
struct KernelBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel", abstract: "Timed wakes per second: native kernel, SystemC kernel, raw SystemC from C++.")

    @Option(help: "Wakes per run.") var events = 5_000_000
    @Option(help: "Concurrent processes (live timers).") var processes = 64
    @Option(help: "Runs per kernel (the median is reported).") var repetitions = 5
    @Option(help: "The raw SystemC C++ benchmark binary (built by `make bench`).")
    var raw = ".build/bench/systemc-raw"
    @Option(help: "Which to run: a comma-separated subset of native, systemc, raw.")
    var kernels = "native,systemc,raw"

    func run() throws {
        let selected = Set(kernels.split(separator: ",").map(String.init))
        var native: [Double] = []
        for _ in 0..<(selected.contains("native") ? repetitions : 0) {
            let (s, w) = try Ticker.run(on: EventQueueKernel(), events: events, processes: processes)
            native.append(s / Double(w) * 1e9)
        }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let systemc = try (0..<(selected.contains("systemc") ? repetitions : 0)).map { _ in
            try child(me, ["kernel-once", "--events", "\(events)", "--processes", "\(processes)"])
        }
        let rawNs = selected.contains("raw") && FileManager.default.isExecutableFile(atPath: raw)
            ? try (0..<repetitions).map { _ in try child(raw, ["\(events)", "\(processes)"]) } : []
        func row(_ name: String, _ ns: [Double]) {
            let m = median(ns)
            print(name.padding(toLength: 26, withPad: " ", startingAt: 0) + String(format: " %8.1f ns/event  %@events/s", m, formatRate(1e9 / m)))
        }
        print("kernel benchmark: \(events) timed wakes, \(processes) live timers, median of \(repetitions) runs")
        if !native.isEmpty { row("native (EventQueueKernel)", native) }
        if !systemc.isEmpty { row("systemc (SystemCKernel)", systemc) }
        if selected.contains("raw") && rawNs.isEmpty { print("raw SystemC (C++): not built (\(raw)); run `make bench`") }
        if !rawNs.isEmpty { row("raw SystemC (C++)", rawNs) }
        if !systemc.isEmpty && !rawNs.isEmpty {
            print(String(format: "SystemC kernel ÷ raw SystemC: %.2f×", median(systemc) / median(rawNs)))
        }
    }

    func median(_ xs: [Double]) -> Double { Measurement(name: "", seconds: xs).median }

    /// Runs a child process and reads `ns_per_event X` from its output.
    func child(_ path: String, _ arguments: [String]) throws -> Double {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let words = String(decoding: data, as: UTF8.self).split(separator: " ")
        guard p.terminationStatus == 0, words.count >= 2, words[0] == "ns_per_event", let ns = Double(words[1]) else {
            throw ValidationError("benchmark child \(path) failed")
        }
        return ns
    }
}
