import BertSimCore
import BertSimModels
import BertSimReport

/// The runs behind a report's "versus" numbers: the same trace on a variant of the design, on
/// the native kernel (SystemC runs one simulation per process; the length-aware twin of a
/// SystemC run goes to a child process instead, ``Simulation/ChildRunner``), each named for
/// what it removes or changes.
enum Twin {
    /// The design without sparse attention (dense attention), under the main run's scheduler:
    /// its cycles and attention-phase cycles, for the sparse-attention section's speedups.
    static func withoutSparseAttention(_ run: LoadedRun, _ e: EncoderConfig, scheduler: SchedulerKind) throws -> RunReport.DenseTwin {
        var dense = e
        dense.sparse = nil
        let r = try simulate(run, .encoder(dense), scheduler: scheduler).result
        let attention = r.statistics.first { $0.name == "encoder.attention_cycles" }?.value ?? 0
        return RunReport.DenseTwin(cycles: r.cycles.count, attentionCycles: Int(attention))
    }

    /// The design without pruning (dense weights), under the main run's scheduler: its window
    /// and mean request latency, for the pruning section's latency versus dense.
    static func withoutPruning(_ run: LoadedRun, _ e: EncoderConfig, scheduler: SchedulerKind) throws -> PruningSection.Dense {
        var dense = e
        dense.pruning = nil
        let r = try simulate(run, .encoder(dense), scheduler: scheduler).result
        let clock = run.hardware.clock
        let latencies = r.latencies.map(\.count)
        let mean = latencies.isEmpty ? 0 : Double(latencies.reduce(0, +)) / Double(latencies.count)
        return PruningSection.Dense(cycles: r.cycles.count, latencyMs: clock.milliseconds(r.cycles),
                                    meanLatencyMs: mean / Double(clock.kilohertz))
    }

    /// The request of the length-aware twin of `request`, for a child process: the same trace,
    /// config, kernel and limit, no outputs, no run limits, no twins of its own.
    static func lengthAwareRequest(_ request: SimulationRequest) -> SimulationRequest {
        var twin = request
        twin.scheduler = .lengthAware
        twin.outputs = .init()
        twin.limits = .none
        twin.twins = false
        return twin
    }

    /// The same design under the length-aware scheduler, for `--scheduler both`.
    static func underLengthAwareScheduler(_ run: LoadedRun, _ e: EncoderConfig) throws -> RunReport {
        let twin = try simulate(run, .encoder(e), scheduler: .lengthAware)
        var report = RunReport(result: twin.result, config: run.configSection, trace: run.trace, tracePath: run.tracePath,
                               kernel: .native, notes: [])
        report.scheduler = twin.scheduler
        return report
    }

    private static func simulate(_ run: LoadedRun, _ design: HardwareConfig.Design, scheduler: SchedulerKind) throws -> DesignRun {
        let kernel = EventQueueKernel()
        defer { kernel.finish() }   // on every path: releases the components (they hold the kernel)
        return try DesignRun.simulate(run, design: design, scheduler: scheduler, kernel: kernel, requests: try run.requests(),
                                      recordsIntervals: false)
    }
}
