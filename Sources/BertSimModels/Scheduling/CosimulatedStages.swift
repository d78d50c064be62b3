import BertSimCore
import BertSimWorkload

/// The length-aware pipeline's stages as partitions of one encoder netlist on the run's kernel
/// (docs/length-aware.md §3, `--stage-costs cosimulated`).
///
/// Stage i is an ``EncoderPartition`` running the model's layers of that stage: its own PE
/// array partition, softmax, LayerNorm and GELU lanes (the partition's share, as in the cost
/// table; with `special_units: shared`, whole units every stage queues for instead,
/// ``SharedComputeUnit``), its two DMA engines, task board and completion monitor. Every partition's engines
/// write into their own port of the design's memory channels, which arbitrate between the
/// ports cycle by cycle at their full bandwidth (``MemoryChannel``): concurrent stages contend
/// for DRAM. Each beat the pipeline appends one job per occupied stage, planned for the beat's
/// split and buffer shares and ready after the repartitioning; the stage is done when its
/// job's output transfer is.
///
/// ## Timing model
/// A beat's stage runs exactly what the isolated cost W(i, s, p) simulates (the same plan, the
/// same partition), with two differences: the channels are shared at full bandwidth instead
/// of divided by p/P, and the partition starts with its weight and parameter slots free
/// (every earlier job is done). The units wait for the job's ready cycle in `dependency` (the
/// repartitioning); a stage's account is its PE partition's ledger, marked `blocked` and
/// `starved` by the pipeline outside its work.
public final class CosimulatedStages: StageExecutor {
    private let cost: EncoderStageCost
    private let kernel: any SimKernel
    private let stageModels: [ModelSpec]
    private let partitions: [EncoderPartition]
    private let channels: [MemoryChannel]
    /// With `special_units: shared`: the softmax, LayerNorm and GELU units every stage queues for.
    private let shared: [SharedComputeUnit]
    private var sharedBusyAtStart: [Int] = []
    public var finished: (Int, Cycle) -> Void = { _, _ in }

    private struct PlanKey: Hashable {
        var layers: Int
        var length: Int
        var units: Int
        var share: ActivationShare?
    }
    private var plans: [PlanKey: JobPlan] = [:]
    /// The beat each stage runs: its partition config (for the power model's shares) and
    /// units, and its units' busy cycles when the beat began.
    private var running: [(config: EncoderConfig, units: Int, busyAtStart: [Int])?]
    private var unitCycles: [Int]
    private var busyCycles: [String: Double] = [:]
    private var prunedWeights: PrunedWeights?

    /// Builds the S partitions and the shared channels on `kernel`, accounting from `windowStart`.
    public init(cost: EncoderStageCost, kernel: any SimKernel, windowStart: Cycle,
                recordsIntervals: ActivityLedger.Recording) throws(DesignError) {
        self.cost = cost
        self.kernel = kernel
        let config = cost.config
        let buffers = BufferPlan(model: cost.model, config: config)
        try buffers.checkFixed()
        var stageModels: [ModelSpec] = []
        var partitions: [EncoderPartition] = []
        let sharedUnits: [EncoderUnit] = config.lengthAware.specialUnits == .shared ? [.softmax, .layerNorm, .gelu] : []
        for (i, layers) in cost.stageLayers.enumerated() {
            var model = cost.model
            model.layers = layers
            stageModels.append(model)
            // Every partition holds the design's weight slots (banked by unit) and its share of
            // the parameter slots; neither depends on the beat's split.
            let jobs = JobTable(model: model, config: config, clock: cost.clock, kernel: kernel)
            let parameterSlots = BufferPlan(model: model, config: cost.partition(1)).parameterSlots
            partitions.append(EncoderPartition(config: config, layers: layers, jobs: jobs, kernel: kernel,
                                               weightSlots: buffers.weightSlots, parameterSlots: parameterSlots,
                                               windowStart: windowStart, recordsIntervals: recordsIntervals, port: i,
                                               prefix: "stage\(i).", without: Set(sharedUnits)))
        }
        shared = sharedUnits.map {
            SharedComputeUnit($0, kernel: kernel, clients: partitions.map(\.client), windowStart: windowStart,
                              recordsIntervals: recordsIntervals)
        }
        sharedBusyAtStart = shared.map { _ in 0 }
        self.stageModels = stageModels
        self.partitions = partitions
        channels = MemoryChannel.channels(config: config, clock: cost.clock, kernel: kernel, ports: partitions,
                                          windowStart: windowStart, recordsIntervals: recordsIntervals)
        running = [(config: EncoderConfig, units: Int, busyAtStart: [Int])?](repeating: nil, count: partitions.count)
        unitCycles = [Int](repeating: 0, count: partitions.count)
        for (i, p) in partitions.enumerated() {
            p.monitor.onJobDone = { [unowned self] _, done in finished(i, done) }
        }
    }

    public func start(at start: Cycle, ready: Cycle, work: [StageWork?]) throws {
        settle()
        for (i, w) in work.enumerated() {
            guard let w else { continue }
            let config = cost.partition(w.processingUnits, share: w.share)
            let key = PlanKey(layers: stageModels[i].layers, length: w.length, units: w.processingUnits, share: w.share)
            let plan: JobPlan
            if let p = plans[key] {
                plan = p
            } else {
                let pruned = try config.pruning.map { p throws(DesignError) in
                    try PrunedWeights.cached(pruning: p, model: stageModels[i], config: config)
                }
                prunedWeights = prunedWeights ?? pruned
                plan = JobPlan(model: stageModels[i], config: config, shape: JobShape(lengths: [w.length], paddedLength: w.length),
                               pruned: pruned)
                if plans.count > 256 { plans.removeAll(keepingCapacity: true) }
                plans[key] = plan
            }
            let first = cost.stageLayers[..<i].reduce(0, +)
            running[i] = (config, w.processingUnits, partitions[i].units.map { $0.ledger.busy.count })
            partitions[i].jobs.append(plan: plan, ready: ready, request: w.request, arrival: w.arrival, layerOffset: first)
        }
    }

    /// Adds the finished beats' busy cycles (every earlier job is done, so its units' busy
    /// intervals are closed): the PE partition's unit-cycles, and each unit's busy cycles at
    /// the partition's share of the whole unit (the power model's activity).
    private func settle() {
        for (i, r) in running.enumerated() {
            guard let r else { continue }
            for (u, unit) in partitions[i].units.enumerated() {
                let busy = unit.ledger.busy.count - r.busyAtStart[u]
                let name = unit.unit.stageName
                busyCycles[name, default: 0] += Double(busy) * EncoderStageCost.share(of: name, partition: r.config, design: cost.config)
                if u == 0 { unitCycles[i] += busy * r.units }
            }
            running[i] = nil
        }
        // Shared units are whole units: their busy cycles count at full size.
        for (k, u) in shared.enumerated() {
            busyCycles[u.unit.stageName, default: 0] += Double(u.ledger.busy.count - sharedBusyAtStart[k])
            sharedBusyAtStart[k] = u.ledger.busy.count
        }
    }

    public func mark(stage: Int, _ activity: Activity, at time: Cycle) { partitions[stage].pe.mark(activity, at: time) }

    public func ledger(stage: Int) -> ActivityLedger { partitions[stage].pe.ledger }

    public func unitCycles(stage: Int) -> Int { unitCycles[stage] }

    public func finish(at end: Cycle, exactly: Bool) {
        settle()
        for p in partitions {
            if exactly { p.finishLedgers(at: end) } else { p.finishLedgers(noEarlierThan: end) }
        }
        for u in shared {
            if exactly { u.finishLedger(at: end) } else { u.finishLedger(noEarlierThan: end) }
        }
        for c in channels {
            if exactly { c.finish(at: end) } else { c.finish(noEarlierThan: end) }
        }
    }

    public var heldWork: [String] {
        partitions.enumerated().flatMap { i, p in p.heldWork.map { "stage \(i): \($0)" } } + shared.compactMap(\.waiting)
    }

    // MARK: What the stages did, for the report

    /// The power model's activity: units' busy cycles at their partitions' shares, the shared
    /// channels' data phases at full bandwidth, buffer and off-chip bytes.
    public var activity: PowerModel.Activity {
        let offChip = channels.reduce(0) { $0 + $1.bytes }
        return PowerModel.Activity(
            busyCycles: busyCycles, channelBusyCycles: Double(channels.reduce(0) { $0 + $1.busyCycles }),
            bufferBytes: partitions.reduce(0) { $0 + $1.units.reduce(0) { $0 + $1.statistics.bufferBytes } }
                + shared.reduce(0) { $0 + $1.statistics.bufferBytes } + offChip,
            offChipBytes: offChip)
    }

    /// The shared channels' traffic, by byte class over every partition's engines.
    public var memory: MemoryTraffic {
        var byClass: [String: Int] = [:]
        for (k, c) in ByteClass.allCases.enumerated() {
            byClass[c.rawValue] = partitions.reduce(0) { $0 + $1.engines.reduce(0) { $0 + $1.statistics.bytes[k] } }
        }
        return MemoryTraffic(
            kind: cost.config.memory.kind.rawValue, bytesByClass: byClass,
            channels: channels.map { .init(name: $0.name, bytes: $0.bytes, transactions: $0.transactions, busyCycles: $0.busyCycles) })
    }

    /// Cycles of every layer's attention phase in every stage.
    public var attentionCycles: Int { partitions.reduce(0) { $0 + $1.monitor.attentionCycles } }

    /// What sparse attention did over every stage's jobs (a sequence counts once per stage).
    public var sparseAttention: SparseAttentionResult? {
        guard let sparse = cost.config.sparse else { return nil }
        var accounting = AttentionAccounting()
        var sum = 0.0, minimum = 1.0, sequences = 0
        for p in partitions {
            accounting += p.monitor.attention
            sum += p.jobs.massKept.sum
            minimum = min(minimum, p.jobs.massKept.minimum)
            sequences += p.jobs.massKept.sequences
        }
        return SparseAttentionResult(configuration: sparse, accounting: accounting, attentionCycles: attentionCycles,
                                     massKeptMean: sequences == 0 ? 1 : sum / Double(sequences), massKeptMinimum: minimum)
    }

    /// What the sparse engine did over every stage's jobs.
    public var pruning: PruningResult? {
        guard let weights = prunedWeights else { return nil }
        var totals = PruningAccounting()
        for p in partitions { totals.add(p.jobs.pruning) }
        return PruningResult(weights: weights, totals: totals)
    }

    /// Bytes and transactions per channel, and transfers per engine, summed over stages.
    public var statistics: [StatEntry] {
        var s: [StatEntry] = [StatEntry("encoder.attention_cycles", attentionCycles, .cycles,
                                        "Cycles of every stage's attention phases (cosimulated)")]
        let dataCycles = channels.reduce(0) { $0 + $1.busyCycles }
        let exposed = partitions.reduce(0) { $0 + $1.pe.ledger.bubbles(.memory).count }
        s.append(StatEntry("encoder.overlap", dataCycles == 0 ? 1 : 1 - min(1, Double(exposed) / Double(dataCycles)), .ratio,
                           "Share of off-chip data time hidden behind the partitions' PE work: 1 − their memory bubbles ÷ data cycles"))
        for c in channels {
            s.append(StatEntry("encoder.\(c.name).bytes", c.bytes, .bytes, "Bytes moved (every stage's port)"))
            s.append(StatEntry("encoder.\(c.name).transactions", c.transactions, .count, "Transactions served"))
        }
        return s
    }
}
