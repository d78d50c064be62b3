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

    public init(kernel: KernelChoice = .systemc, limit: Int? = nil, vcdPath: String? = nil,
                tieBreak: EventQueueKernel.TieBreak = .insertion, recordsIntervals: Bool = false) {
        self.recordsIntervals = recordsIntervals
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
        let kernel = try makeKernel(options)
        var remaining = options.limit ?? Int.max
        let stream: () throws -> Request? = {
            guard remaining > 0 else { return nil }
            remaining -= 1
            return try reader.next()
        }
        let result: SimulationResult
        var notes: [String] = []
        switch config.config.design {
        case .pipeline(let p):
            let netlist = PipelineNetlist(p, kernel: kernel, clock: config.config.clock,
                                          recordsIntervals: options.recordsIntervals, stream: stream)
            result = try netlist.run()
            notes.append("walking-skeleton pipeline: stage timing from the config, not the BERT encoder datapath")
            notes.append("energy, memory traffic and resources are not modelled for this design (null)")
        case .encoder(let e):
            do {
                let netlist = try EncoderNetlist(
                    model: reader.header.model, config: e, clock: config.config.clock, batch: reader.header.batch,
                    kernel: kernel, recordsIntervals: options.recordsIntervals, stream: stream)
                result = try netlist.run()
                notes.append("embedding and the task head run on the host and are not timed")
                notes.append(reader.header.batch.map {
                    "padded scheduler: closed batches of \($0) padded to their longest sequence, \(netlist.jobs.formed) jobs"
                } ?? "padded scheduler: open arrivals, one request per job, no padding")
                notes.append("\(netlist.weightSlots) weight-buffer slots; energy and resources are not modelled yet (null)")
            } catch let error as DesignError {
                throw config.error(error)
            }
        }
        try kernel.finish()
        if let limit = options.limit, reader.requestsRead >= limit { notes.append("limited to the first \(limit) requests (--limit)") }
        var dense: RunReport.DenseTwin?
        if case .encoder(var e) = config.config.design, e.sparse != nil {
            // The same run with dense attention, on the native kernel, for the speedup.
            e.sparse = nil
            dense = try denseTwin(e, reader: TraceReader(path: reader.path), config: config, limit: options.limit)
            notes.append("speedup vs dense from the same run with dense attention on the native kernel")
        }
        return try RunReport(result: result, config: config, trace: reader.header, tracePath: reader.path,
                             kernel: kernel.name, notes: notes, dense: dense)
    }

    static func denseTwin(_ e: EncoderConfig, reader: TraceReader, config: ConfigLoader.Loaded, limit: Int?) throws -> RunReport.DenseTwin {
        var remaining = limit ?? Int.max
        let kernel = EventQueueKernel()
        let netlist = try EncoderNetlist(model: reader.header.model, config: e, clock: config.config.clock,
                                         batch: reader.header.batch, kernel: kernel) {
            guard remaining > 0 else { return nil }
            remaining -= 1
            return try reader.next()
        }
        let r = try netlist.run()
        kernel.finish()
        let attention = r.statistics.first { $0.name == "encoder.attention_cycles" }?.value ?? 0
        return RunReport.DenseTwin(cycles: r.cycles.count, attentionCycles: Int(attention))
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
