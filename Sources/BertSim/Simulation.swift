import BertSimCore
import BertSimModels
import BertSimReport
import BertSimSystemC

/// One simulation run: a ``SimulationRequest`` in, a report out (docs/architecture.md, "One
/// run"). The steps: load the config and trace and check the options (``LoadedRun``); simulate
/// the design on the chosen kernel (``DesignRun``); write the timeline; run the twins the
/// report compares against (``Twin``: without sparse attention, without pruning, under the
/// other scheduler); build the report.
public enum Simulation {
    /// Runs `request`; every failure is an outcome (what `bertsim _run` sends back).
    public static func outcome(of request: SimulationRequest, child: ChildRunner? = nil) -> SimulationOutcome {
        do {
            return .report(try run(request, child: child))
        } catch let error as InputError {
            return .inputError(error)
        } catch let error as SimulationError {
            return .simulationError(error)
        } catch {
            return .simulationError(SimulationError(.kernel, "\(error)"))
        }
    }

    /// Runs a request in a process of its own and returns its report: SystemC allows one
    /// simulation per process, so a twin on the SystemC kernel runs in a child (the command
    /// line passes one built on ``SimulationRequest``s, `bertsim _run`).
    public typealias ChildRunner = (SimulationRequest) throws -> RunReport

    /// Runs `request`, throwing bad input (``InputError``) and simulations that could not
    /// finish (``SimulationError``). A run a limit ended returns its partial report.
    /// `progress` sees where the main run stands now and then (nothing of it reaches the report).
    /// `child` runs the length-aware twin of `--scheduler both` in a process of its own, beside
    /// the main run; without one that twin runs here afterwards on the native kernel (both
    /// kernels give the same answer).
    public static func run(_ request: SimulationRequest, progress: ((RunProgress) -> Void)? = nil,
                           child: ChildRunner? = nil) throws -> RunReport {
        let run = try LoadedRun(request)
        let reporter = ProgressReporter(total: run.announcedRequests, callback: progress, file: request.outputs.progress)
        let kernel = try makeKernel(request)
        // On every path (finish is idempotent): the kernel lets go of the components (they hold
        // it; a cycle otherwise). The success path finishes it first, reporting errors.
        defer { try? kernel.finish() }
        let requests = try run.requests()
        // `--scheduler both` with a child runner: the length-aware twin runs in a child process
        // beside the main run (it needs no result of it), on the main run's kernel, when no
        // limit can cut the main run short.
        var concurrentTwin: ConcurrentChild?
        if request.scheduler == .both, request.twins, request.limits == .none, let child, run.hardware.encoder != nil {
            concurrentTwin = ConcurrentChild(Twin.lengthAwareRequest(request), runner: child)
        }
        // On an error path too: no child outlives its run.
        defer { _ = try? concurrentTwin?.report() }
        let main = try DesignRun.simulate(run, design: run.hardware.design, scheduler: request.scheduler.main, kernel: kernel,
                                          requests: requests, recordsIntervals: request.outputs.recording,
                                          limits: request.limits, progress: reporter.isActive ? reporter.observe : nil)
        try kernel.finish()
        let result = main.result
        if let path = request.outputs.timeline {
            let title = "bertsim · \(run.hardware.name) · \(run.tracePath)"
            try AtomicFile.write(PerfettoTimeline.render(result, clock: run.hardware.clock, layers: run.trace.model.layers,
                                                         title: title), to: path)
        }
        var notes = main.notes
        if let limit = request.limit, requests.reachedLimit(limit) { notes.append(.limited(limit)) }
        if let partial = result.partial { notes.append(.partial(partial)) }

        // The twins answer "versus" questions about a complete run only.
        let encoder = result.partial == nil && request.twins ? run.hardware.encoder : nil
        var dense: RunReport.DenseTwin?
        if let e = encoder, e.sparse != nil {
            dense = try Twin.withoutSparseAttention(run, e, scheduler: request.scheduler.main)
            notes.append(.denseAttentionTwin)
        }
        var report = RunReport(result: result, config: run.configSection, trace: run.trace, tracePath: run.tracePath,
                               kernel: request.kernel, notes: notes.map(\.text), dense: dense)
        report.scheduler = main.scheduler
        report.partial = result.partial
        if let e = encoder, let p = result.pruning {
            let twin = try Twin.withoutPruning(run, e, scheduler: request.scheduler.main)
            report.pruning = PruningSection(result: p, weightBits: e.precision.weightBits, report: report, dense: twin)
            report.notes.append(RunNote.denseWeightsTwin.text)
        }
        if request.scheduler == .both, let e = encoder {
            // On the main run's kernel: SystemC's in a child process.
            let twin: RunReport
            if let concurrentTwin {
                twin = try concurrentTwin.report()
            } else if request.kernel == .systemc, let child {
                twin = try child(Twin.lengthAwareRequest(request))
            } else {
                twin = try Twin.underLengthAwareScheduler(run, e)
            }
            report.schedulers = [RunReport.SchedulerSummary(report), RunReport.SchedulerSummary(twin)]
        }
        return report
    }

    static func makeKernel(_ request: SimulationRequest) throws -> any SimKernel {
        switch request.kernel {
        case .native:
            let vcd = try request.outputs.vcd.map { try VCDWriter(path: $0) }
            return EventQueueKernel(tieBreak: request.tieBreak, vcd: vcd)
        case .systemc:
            return try SystemCKernel(vcdPath: request.outputs.vcd)
        }
    }
}
