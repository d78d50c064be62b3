import BertSimCore
import BertSimWorkload

/// The FQ-BERT-style encoder accelerator (docs/encoder-timing.md): PE array, softmax,
/// LayerNorm and GELU units, two DMA engines and the memory channels, driven by the jobs of
/// the padded scheduler and a shared task board. Wiring happens here and nowhere else.
public final class EncoderNetlist {
    public let model: ModelSpec
    public let config: EncoderConfig
    public let clock: Clock
    public let kernel: any SimKernel
    public let jobs: JobTable
    let partition: EncoderPartition
    var units: [ComputeUnit] { partition.units }
    var engines: [DMAEngine] { partition.engines }
    var monitor: CompletionMonitor { partition.monitor }
    let channels: [MemoryChannel]
    public let weightSlots: Int
    private let windowStart: Cycle

    /// Builds the netlist on `kernel`. Throws if the design cannot hold one weight tile or the
    /// parameters.
    public init(model: ModelSpec, config: EncoderConfig, clock: Clock, batch: Int?, padTo: Int? = nil,
                kernel: any SimKernel, recordsIntervals: ActivityLedger.Recording = .off,
                stream: @escaping () throws -> Request?) throws(DesignError) {
        self.model = model
        self.config = config
        self.clock = clock
        self.kernel = kernel
        let buffers = BufferPlan(model: model, config: config)
        try buffers.checkFixed()
        let slots = buffers.weightSlots
        weightSlots = slots
        let pruned = try config.pruning.map { p throws(DesignError) in try PrunedWeights.cached(pruning: p, model: model, config: config) }
        let jobs = JobTable(model: model, config: config, clock: clock, batch: batch, padTo: padTo, pruned: pruned, stream: stream)
        jobs.recordsLabels = recordsIntervals != .off
        self.jobs = jobs
        let windowStart = jobs.job(0)?.arrivals.first ?? .zero
        self.windowStart = windowStart
        jobs.onError = { [kernel] in kernel.stop() }
        let partition = EncoderPartition(config: config, layers: model.layers, jobs: jobs, kernel: kernel, weightSlots: slots,
                                         parameterSlots: buffers.parameterSlots, windowStart: windowStart,
                                         recordsIntervals: recordsIntervals)
        self.partition = partition
        channels = MemoryChannel.channels(config: config, clock: clock, kernel: kernel, ports: [partition],
                                          windowStart: windowStart, recordsIntervals: recordsIntervals)
    }

    /// What each unit and engine holds or waits for now (deadlock and partial reports).
    private var heldWork: [String] { partition.heldWork }

    /// Runs the trace to the end (or until a limit ends it: then the result is partial) and
    /// reports.
    ///
    /// `progress` sees the simulated time and the requests completed now and then (slices of
    /// simulated time; ``SimKernel/run(limits:observe:)``).
    public func run(limits: RunLimits = .none, progress: ((Cycle, Int) -> Void)? = nil) throws -> SimulationResult {
        if let error = jobs.error { throw error }
        let monitor = self.monitor
        let hit = try kernel.run(limits: limits, observe: progress.map { report in { now in report(now, monitor.completions.count) } })
        if let error = jobs.error { throw error }
        let arrivals: [Cycle], completions: [Cycle], end: Cycle
        var partial: PartialRun?
        if let hit {
            end = max(kernel.now, windowStart)
            let done = monitor.completions.filter { $0.value <= end }.keys.sorted()
            arrivals = done.map { monitor.arrivals[$0]! }
            completions = done.map { monitor.completions[$0]! }
            partial = PartialRun(reason: hit.description, cycle: end.value, requestsCompleted: done.count,
                                 requestsUnfinished: jobs.requestsRead - done.count, held: heldWork)
            partition.finishLedgers(noEarlierThan: end)
            for c in channels { c.finish(noEarlierThan: end) }
        } else {
            guard monitor.allDone, let last = monitor.lastDone else {
                let held = heldWork
                throw SimulationError(.deadlock, "nothing can move at cycle \(kernel.now.value) with jobs \(monitor.nextJob)…\(jobs.formed - 1) unfinished"
                    + (held.isEmpty ? "" : ": " + held.joined(separator: "; ")))
            }
            end = last
            partition.finishLedgers(at: end)
            for c in channels { c.finish(at: end) }
            let count = jobs.requestsRead
            arrivals = (0..<count).map { monitor.arrivals[$0]! }
            completions = (0..<count).map { monitor.completions[$0]! }
        }
        var stages = units.map { StageSummary(name: $0.unit.stageName, ledger: $0.ledger, laneUtilization: $0.statistics.laneUtilization) }
        stages += engines.map { StageSummary(name: $0.unit.stageName, ledger: $0.ledger, laneUtilization: 1) }
        stages += channels.map { c in
            StageSummary(name: c.name, ledger: c.ledger, laneUtilization: c.busyCycles == 0 ? 0 :
                Double(c.bytes) / Double(c.busyCycles * config.memory.axiWidthBytes))
        }
        var result = SimulationResult(
            windowStart: windowStart, windowEnd: end, arrivals: arrivals, completions: completions, tokens: jobs.tokens,
            stages: stages, statistics: statistics(), deltaCycles: kernel.deltaCount, evaluations: kernel.evaluationCount,
            memory: memoryTraffic(), activity: activity(), sparseAttention: sparseResult(),
            pruning: jobs.pruned.map { PruningResult(weights: $0, totals: jobs.pruning) },
            timelineItems: jobs.jobLabels)
        result.partial = partial
        return result
    }

    private func statistics() -> [StatEntry] {
        var s: [StatEntry] = [
            StatEntry("encoder.jobs", jobs.formed, .count, "Jobs (sub-batches) run"),
            StatEntry("encoder.weight_slots", weightSlots, .count, "Weight-buffer slots (⌊capacity ÷ largest tile⌋)"),
        ]
        s.append(StatEntry("encoder.attention_cycles", monitor.attentionCycles, .cycles,
                           "Cycles of every layer's attention phase (end of the V projection's issue to the last attention × V result)"))
        let dataCycles = channels.reduce(0) { $0 + $1.busyCycles }
        let exposed = units[0].ledger.bubbles(.memory).count
        s.append(StatEntry("encoder.overlap", dataCycles == 0 ? 1 : 1 - min(1, Double(exposed) / Double(dataCycles)), .ratio,
                           "Share of off-chip data time hidden behind PE array work: 1 − PE memory bubbles ÷ data cycles"))
        for u in units {
            let p = "encoder.\(u.unit.stageName)"
            s.append(StatEntry("\(p).tasks", u.statistics.tasks, .count, "Tasks issued"))
            s.append(StatEntry("\(p).work", u.statistics.work, .count,
                               u.unit == .peArray ? "Multiply-accumulates (including pad tokens)" : "Elements processed (including pad tokens)"))
            s.append(StatEntry("\(p).lane_utilization", u.statistics.laneUtilization, .ratio, "Work ÷ lane-slots while issuing"))
        }
        for e in engines {
            let p = "encoder.\(e.unit.stageName)"
            s.append(StatEntry("\(p).transfers", e.statistics.tasks, .count, "Transfers"))
            s.append(StatEntry("\(p).transactions", e.statistics.transactions, .count, "Transactions (bursts)"))
        }
        for c in channels {
            s.append(StatEntry("encoder.\(c.name).bytes", c.bytes, .bytes, "Bytes moved"))
            s.append(StatEntry("encoder.\(c.name).transactions", c.transactions, .count, "Transactions served"))
        }
        if jobs.pruned != nil {
            let p = jobs.pruning
            s.append(StatEntry("pruning.bank_conflict_stalls", p.stalls.reduce(0, +), .count, "Lane-cycles a lane waited for a bank's read port"))
            s.append(StatEntry("pruning.conflict_cycles", p.conflictCycles.reduce(0, +), .cycles,
                               "Sparse-engine cycles beyond the longest lane (bank conflicts)"))
            s.append(StatEntry("pruning.row_imbalance_cycles", p.rowImbalanceCycles.reduce(0, +), .cycles,
                               "Sparse-engine cycles of the longest lane beyond a balanced share"))
            s.append(StatEntry("pruning.weight_bytes", p.bytes.reduce(0, +), .bytes, "Weight bytes loaded in the HP format"))
        }
        return s
    }

    private func sparseResult() -> SparseAttentionResult? {
        guard let sparse = config.sparse else { return nil }
        let m = jobs.massKept
        return SparseAttentionResult(
            configuration: sparse, accounting: monitor.attention, attentionCycles: monitor.attentionCycles,
            massKeptMean: m.sequences == 0 ? 1 : m.sum / Double(m.sequences), massKeptMinimum: m.minimum)
    }

    /// What the power model needs (docs/power.md): each compute unit's busy cycles from its
    /// ledger, the channels' data-phase cycles, buffer and off-chip bytes.
    private func activity() -> PowerModel.Activity {
        let offChip = channels.reduce(0) { $0 + $1.bytes }
        return PowerModel.Activity(
            busyCycles: Dictionary(uniqueKeysWithValues: units.map { ($0.unit.stageName, Double($0.ledger.busy.count)) }),
            channelBusyCycles: Double(channels.reduce(0) { $0 + $1.busyCycles }),
            bufferBytes: units.reduce(0) { $0 + $1.statistics.bufferBytes } + offChip,
            offChipBytes: offChip)
    }

    private func memoryTraffic() -> MemoryTraffic {
        var byClass: [String: Int] = [:]
        for (i, c) in ByteClass.allCases.enumerated() {
            byClass[c.rawValue] = engines.reduce(0) { $0 + $1.statistics.bytes[i] }
        }
        return MemoryTraffic(
            kind: config.memory.kind.rawValue, bytesByClass: byClass,
            channels: channels.map { .init(name: $0.name, bytes: $0.bytes, transactions: $0.transactions, busyCycles: $0.busyCycles) })
    }
}

