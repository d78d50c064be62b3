import BertSimConfig
import BertSimCore
import BertSimModels
import BertSimReport
import BertSimSystemC
import BertSimWorkload

/// Which simulation kernel runs the models.
public enum KernelChoice: String, CaseIterable, Sendable {
    /// SystemC's scheduler through the C shim (one simulation per process).
    case systemc
    /// The pure-Swift event queue.
    case native
}

/// How requests are scheduled onto an encoder design (contract.md `--scheduler`).
public enum SchedulerChoice: String, CaseIterable, Sendable {
    /// Each closed batch padded to its longest sequence (or `--pad-to`), layer by layer on the
    /// whole array.
    case padded
    /// The length-aware pipeline: layer groups on partitions of the array, no padding.
    case lengthAware = "length-aware"
    /// Both: the padded run's report, with a side-by-side summary of the two.
    case both
}

/// How to run one simulation.
public struct SimulationOptions: Sendable {
    public var kernel: KernelChoice
    /// Simulate only the first N requests.
    public var limit: Int?
    /// Write a VCD waveform here.
    public var vcdPath: String?
    /// Same-delta order on the native kernel (tests use `.random` to show it does not matter).
    public var tieBreak: EventQueueKernel.TieBreak
    /// Keep every stage's intervals (for `--html` and `--timeline`; costs memory on long runs).
    public var recordsIntervals: Bool
    public var scheduler: SchedulerChoice
    /// Write a Perfetto / Chrome trace-event timeline here (records intervals).
    public var timelinePath: String?
    /// The padded scheduler pads every sequence to at least this length (`--pad-to`).
    public var padTo: Int?
    /// `--max-cycles` / `--max-seconds`: a run that reaches one ends with a partial report.
    public var limits: RunLimits = .none

    public init(kernel: KernelChoice = .systemc, limit: Int? = nil, vcdPath: String? = nil,
                tieBreak: EventQueueKernel.TieBreak = .insertion, recordsIntervals: Bool = false,
                scheduler: SchedulerChoice = .padded, padTo: Int? = nil, timelinePath: String? = nil) {
        self.recordsIntervals = recordsIntervals || timelinePath != nil
        self.timelinePath = timelinePath
        self.scheduler = scheduler
        self.padTo = padTo
        self.kernel = kernel
        self.limit = limit
        self.vcdPath = vcdPath
        self.tieBreak = tieBreak
    }
}

/// The facade: a trace and a config in, a report out.
public enum Simulation {
    /// Loads `configPath` and `tracePath`, runs the design on the chosen kernel, and reports.
    public static func run(tracePath: String, configPath: String, options: SimulationOptions = .init()) throws -> RunReport {
        let config = try ConfigLoader.load(path: configPath)
        let reader = try TraceReader(path: tracePath)
        return try run(reader: reader, config: config, options: options)
    }

    public static func run(reader: TraceReader, config: ConfigLoader.Loaded, options: SimulationOptions) throws -> RunReport {
        if options.scheduler != .padded, case .pipeline = config.config.design {
            throw InputError(file: "--scheduler", "the length-aware scheduler needs an encoder design; \(config.path) is the walking-skeleton pipeline")
        }
        if options.padTo != nil && options.scheduler == .lengthAware {
            throw InputError(file: "--pad-to", "pads the padded scheduler's batches; the length-aware scheduler does not pad")
        }
        if let padTo = options.padTo, padTo > reader.header.model.maxPositions {
            throw InputError(file: "--pad-to", "\(padTo) is longer than \(reader.header.model.name)'s \(reader.header.model.maxPositions) positions")
        }
        let kernel = try makeKernel(options)
        // On every path (finish is idempotent): the kernel lets go of the components (they hold
        // it; a cycle otherwise). The success path below finishes it first, reporting errors.
        defer { try? kernel.finish() }
        var remaining = options.limit ?? Int.max
        let stream: () throws -> Request? = {
            guard remaining > 0 else { return nil }
            remaining -= 1
            return try reader.next()
        }
        let result: SimulationResult
        var notes: [String] = []
        var scheduler: RunReport.Scheduler?
        switch config.config.design {
        case .pipeline(let p):
            let netlist = PipelineNetlist(p, kernel: kernel, clock: config.config.clock,
                                          recordsIntervals: options.recordsIntervals, stream: stream)
            result = try netlist.run(limits: options.limits)
            notes.append("walking-skeleton pipeline: stage timing from the config, not the BERT encoder datapath")
            notes.append("energy, memory traffic and resources are not modelled for this design (null)")
        case .encoder(let e):
            do {
                notes.append("embedding and the task head run on the host and are not timed")
                if options.scheduler == .lengthAware {
                    let run = try lengthAware(e, model: reader.header.model, batch: reader.header.batch, clock: config.config.clock,
                                              kernel: kernel, recordsIntervals: options.recordsIntervals, limits: options.limits,
                                              stream: stream)
                    result = run.result
                    scheduler = run.scheduler
                    notes.append("length-aware scheduler: \(e.lengthAware.pipelineStages) pipeline stages, no padding; "
                                 + "stage costs from the encoder model on each partition (\(run.evaluations) simulated)")
                } else {
                    let netlist = try EncoderNetlist(
                        model: reader.header.model, config: e, clock: config.config.clock, batch: reader.header.batch,
                        padTo: options.padTo, kernel: kernel, recordsIntervals: options.recordsIntervals, stream: stream)
                    result = try netlist.run(limits: options.limits)
                    scheduler = .init(name: SchedulerChoice.padded.rawValue, padTo: options.padTo)
                    let target = options.padTo.map { "at least \($0) tokens" } ?? "their longest sequence"
                    notes.append(reader.header.batch.map {
                        "padded scheduler: closed batches of \($0) padded to \(target), \(netlist.jobs.formed) jobs"
                    } ?? "padded scheduler: open arrivals, one request per job\(options.padTo == nil ? ", no padding" : " padded to \(target)")")
                    notes.append("\(netlist.weightSlots) weight-buffer slots")
                }
            } catch let error as DesignError {
                throw config.error(error)
            }
        }
        try kernel.finish()
        if let path = options.timelinePath {
            let title = "bertsim · \(config.config.name) · \(reader.path)"
            try AtomicFile.write(PerfettoTimeline.render(result, clock: config.config.clock, layers: reader.header.model.layers,
                                                         title: title), to: path)
        }
        if let limit = options.limit, reader.requestsRead >= limit { notes.append("limited to the first \(limit) requests (--limit)") }
        if let partial = result.partial {
            notes.append("PARTIAL: \(partial.reason) at cycle \(partial.cycle); numbers cover the \(partial.requestsCompleted) requests completed by then")
        }
        var dense: RunReport.DenseTwin?
        if result.partial != nil {
            // No twins for a run cut short: they would answer a different question.
        } else if case .encoder(var e) = config.config.design, e.sparse != nil {
            if options.scheduler == .lengthAware {
                notes.append("sparse attention runs inside the length-aware stages; its section needs the padded scheduler")
            } else {
                // The same run with dense attention, on the native kernel, for the speedup.
                e.sparse = nil
                dense = try denseTwin(e, reader: TraceReader(path: reader.path), config: config, limit: options.limit,
                                      padTo: options.padTo)
                notes.append("speedup vs dense from the same run with dense attention on the native kernel")
            }
        }
        var report = try RunReport(result: result, config: config, trace: reader.header, tracePath: reader.path,
                                   kernel: kernel.name, notes: notes, dense: options.scheduler == .lengthAware ? nil : dense)
        report.scheduler = scheduler
        report.partial = result.partial
        if let p = result.pruning, result.partial == nil, case .encoder(var e) = config.config.design {
            // The same run with dense weights, on the native kernel, for latency versus dense.
            let bits = e.precision.weightBits
            e.pruning = nil
            let twin = try denseRun(e, reader: TraceReader(path: reader.path), config: config, limit: options.limit,
                                    padTo: options.padTo)
            report.pruning = PruningSection(result: p, weightBits: bits, report: report, dense: twin)
            report.notes.append("pruning: latency vs dense from the same run without pruning on the native kernel; "
                                + "masks are the same in every layer")
        }
        if options.scheduler == .both, result.partial == nil, case .encoder(let e) = config.config.design {
            // The length-aware twin on the native kernel (SystemC runs one simulation per process).
            let twin = try lengthAwareTwin(e, reader: TraceReader(path: reader.path), config: config, limit: options.limit)
            report.schedulers = [RunReport.SchedulerSummary(report), RunReport.SchedulerSummary(twin)]
        }
        return report
    }

    /// The length-aware pipeline over the encoder model's stage costs.
    static func lengthAware(_ e: EncoderConfig, model: ModelSpec, batch: Int?, clock: Clock, kernel: any SimKernel,
                            recordsIntervals: Bool, limits: RunLimits = .none, stream: @escaping () throws -> Request?)
        throws -> (result: SimulationResult, scheduler: RunReport.Scheduler, evaluations: Int) {
        let cost = try EncoderStageCost(model: model, config: e, clock: clock, stages: e.lengthAware.pipelineStages)
        let pipeline = LengthAwarePipeline(
            .init(stages: e.lengthAware.pipelineStages, processingUnits: e.peArray!.processingUnits,
                  repartitionCycles: e.lengthAware.repartitionCycles, layers: model.layers),
            cost: cost, kernel: kernel, clock: clock, batch: batch, recordsIntervals: recordsIntervals, stream: stream)
        var result = try pipeline.run(limits: limits)
        result.statistics.append(StatEntry("length_aware.cost_evaluations", cost.evaluations, .count,
                                           "Stage costs W(stage, length, units) simulated"))
        result.memory = cost.memory
        result.activity = cost.activity
        let scheduler = RunReport.Scheduler(name: SchedulerChoice.lengthAware.rawValue, pipelineStages: e.lengthAware.pipelineStages,
                                            stageLayers: cost.stageLayers, repartitionCycles: e.lengthAware.repartitionCycles,
                                            repartitions: pipeline.repartitions, beats: pipeline.beats)
        return (result, scheduler, cost.evaluations)
    }

    static func lengthAwareTwin(_ e: EncoderConfig, reader: TraceReader, config: ConfigLoader.Loaded, limit: Int?) throws -> RunReport {
        var remaining = limit ?? Int.max
        let kernel = EventQueueKernel()
        defer { kernel.finish() }   // on every path: releases the components (they hold the kernel)
        let run: (result: SimulationResult, scheduler: RunReport.Scheduler, evaluations: Int)
        do {
            run = try lengthAware(e, model: reader.header.model, batch: reader.header.batch, clock: config.config.clock,
                                  kernel: kernel, recordsIntervals: false) {
                guard remaining > 0 else { return nil }
                remaining -= 1
                return try reader.next()
            }
        } catch let error as DesignError {
            throw config.error(error)
        }
        var report = try RunReport(result: run.result, config: config, trace: reader.header, tracePath: reader.path,
                                   kernel: kernel.name, notes: [])
        report.scheduler = run.scheduler
        return report
    }

    /// `e` (a variant of the loaded design: dense attention, dense weights) on the same trace,
    /// padded scheduler, native kernel: the twin runs behind "versus dense" numbers.
    static func twinRun(_ e: EncoderConfig, reader: TraceReader, config: ConfigLoader.Loaded, limit: Int?,
                        padTo: Int?) throws -> SimulationResult {
        var remaining = limit ?? Int.max
        let kernel = EventQueueKernel()
        defer { kernel.finish() }   // on every path: releases the components (they hold the kernel)
        do {
            let netlist = try EncoderNetlist(model: reader.header.model, config: e, clock: config.config.clock,
                                             batch: reader.header.batch, padTo: padTo, kernel: kernel) {
                guard remaining > 0 else { return nil }
                remaining -= 1
                return try reader.next()
            }
            return try netlist.run()
        } catch let error as DesignError {
            throw config.error(error)
        }
    }

    static func denseTwin(_ e: EncoderConfig, reader: TraceReader, config: ConfigLoader.Loaded, limit: Int?,
                          padTo: Int?) throws -> RunReport.DenseTwin {
        let r = try twinRun(e, reader: reader, config: config, limit: limit, padTo: padTo)
        let attention = r.statistics.first { $0.name == "encoder.attention_cycles" }?.value ?? 0
        return RunReport.DenseTwin(cycles: r.cycles.count, attentionCycles: Int(attention))
    }

    /// The same run with dense weights: its window and mean request latency.
    static func denseRun(_ e: EncoderConfig, reader: TraceReader, config: ConfigLoader.Loaded, limit: Int?,
                         padTo: Int?) throws -> PruningSection.Dense {
        let r = try twinRun(e, reader: reader, config: config, limit: limit, padTo: padTo)
        let clock = config.config.clock
        let latencies = r.latencies.map(\.count)
        let mean = latencies.isEmpty ? 0 : Double(latencies.reduce(0, +)) / Double(latencies.count)
        return PruningSection.Dense(cycles: r.cycles.count, latencyMs: clock.milliseconds(r.cycles),
                                    meanLatencyMs: mean / Double(clock.kilohertz))
    }

    static func makeKernel(_ options: SimulationOptions) throws -> any SimKernel {
        switch options.kernel {
        case .native:
            let vcd = try options.vcdPath.map { try VCDWriter(path: $0) }
            return EventQueueKernel(tieBreak: options.tieBreak, vcd: vcd)
        case .systemc:
            return try SystemCKernel(vcdPath: options.vcdPath)
        }
    }
}
