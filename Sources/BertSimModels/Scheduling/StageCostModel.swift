import BertSimCore
import BertSimWorkload

/// A stage's share of the activation buffers in a beat (docs/length-aware.md, "Buffers").
public struct ActivationShare: Hashable, Sendable {
    public var ioKiB: Int
    public var intermediateKiB: Int

    public init(ioKiB: Int, intermediateKiB: Int) {
        self.ioKiB = ioKiB
        self.intermediateKiB = intermediateKiB
    }
}

/// W(stage, s, p): the cycles a pipeline stage needs for one sequence of `length` tokens on a
/// partition of `processingUnits` PUs (docs/length-aware.md), with `share` of the activation
/// buffers (nil: the static 1/S, for priorities and the padded stage model).
public protocol StageCostModel: AnyObject {
    func cycles(stage: Int, length: Int, processingUnits: Int, share: ActivationShare?) throws -> Int
    /// Of those cycles, the ones the stage's partition of the array spends in each bubble cause
    /// (indexed by ``BubbleCause/index``; the rest are busy): the control, memory and
    /// dependency waits inside the stage's own run (docs/length-aware.md, "Timing model").
    func bubbles(stage: Int, length: Int, processingUnits: Int, share: ActivationShare?) throws -> [Int]
    /// The pipeline ran stage `stage` on a sequence of `length` on `processingUnits` units
    /// (for the model's traffic and energy totals).
    func executed(stage: Int, length: Int, processingUnits: Int, share: ActivationShare?)
    /// The beat's allocation of the activation buffers to the stages holding sequences of
    /// `lengths` (nil: an empty stage, which gets nothing).
    func shares(lengths: [Int?]) -> [ActivationShare?]
}

extension StageCostModel {
    public func cycles(stage: Int, length: Int, processingUnits: Int) throws -> Int {
        try cycles(stage: stage, length: length, processingUnits: processingUnits, share: nil)
    }

    public func executed(stage: Int, length: Int, processingUnits: Int, share: ActivationShare?) {}

    public func executed(stage: Int, length: Int, processingUnits: Int) {
        executed(stage: stage, length: length, processingUnits: processingUnits, share: nil)
    }

    public func shares(lengths: [Int?]) -> [ActivationShare?] { lengths.map { _ in nil } }
}

/// W from the encoder model itself: stage i's layers, for one sequence, simulated on the
/// partition's share of the design: `p` of the P processing units, the same share of every
/// special unit's lanes and of each memory channel's bandwidth (rounded down, at least one);
/// its units' banks of the weight buffer (the design's weight slots, p/P as wide); the beat's
/// share of the I/O and intermediate buffers (``shares(lengths:)``; 1/S for priorities); the parameter buffer shared
/// (its slots divided between the stages); sparse attention keeps its design, with the estimator's LUT
/// lanes shared the same way. Cached per (layers of the stage, length, p, share). Stages with the
/// same number of layers cost the same: every layer has the same shape.
public final class EncoderStageCost: StageCostModel {
    public let model: ModelSpec
    public let config: EncoderConfig
    public let clock: Clock
    /// Layers of each stage: stage i runs `layers[i]` layers (the model's layers split evenly).
    public let stageLayers: [Int]
    private struct Run {
        var cycles: Int
        /// The partition's PE array's bubbles over the run, by cause.
        var bubbles: [Int]
        var activity: PowerModel.Activity?
        var memory: MemoryTraffic?
        var sparse: SparseAttentionResult?
        var pruning: PruningResult?
        /// Cycles of the run's attention phases (encoder.attention_cycles).
        var attentionCycles: Int
    }
    private var cache: [Key: Run] = [:]
    public private(set) var evaluations = 0
    /// What the executed stage runs add up to.
    public private(set) var activity: PowerModel.Activity?
    public private(set) var memory: MemoryTraffic?
    /// What sparse attention did in the executed stage runs (with sparse attention): the
    /// counts summed; the mass kept averaged over the runs (every sequence runs once per stage,
    /// so over the sequences) and its minimum.
    public private(set) var sparseAttention: SparseAttentionResult?
    /// What the sparse engine did in the executed stage runs (with pruning), summed.
    public private(set) var pruning: PruningResult?
    /// The attention phases' cycles in the executed stage runs, summed.
    public private(set) var attentionCycles = 0
    private var executedRuns = 0

    public init(model: ModelSpec, config: EncoderConfig, clock: Clock, stages: Int) throws(DesignError) {
        guard let pe = config.peArray else {
            throw DesignError(field: "encoder.systolic_array",
                              "the length-aware scheduler partitions a BIM array's processing units; a systolic array cannot be split that way")
        }
        guard stages >= 1 && stages <= min(model.layers, pe.processingUnits) else {
            throw DesignError(field: "encoder.length_aware.pipeline_stages",
                              "\(stages) stages need 1...\(min(model.layers, pe.processingUnits)) (at most one per layer and per processing unit)")
        }
        self.model = model
        self.config = config
        self.clock = clock
        stageLayers = (0..<stages).map { i in (i + 1) * model.layers / stages - i * model.layers / stages }
    }

    /// The beat's allocation (docs/length-aware.md, "Buffers follow the work"): each occupied
    /// stage gets its sequence's need of the I/O and of the intermediate buffer (a sequence of
    /// s tokens, BufferPlan.needs) when the needs fit together; else its minimum (a token's
    /// rows, BufferPlan.minimumNeeds) plus a share of the rest in proportion to what it needs
    /// beyond that, and spills the remainder (encoder-timing §6). KiB, rounded up for needs
    /// and minimums, down for shares of the rest. A buffer that cannot give every occupied stage
    /// its minimum is shared in proportion to the minimums, and the stages' runs refuse it.
    public func shares(lengths: [Int?]) -> [ActivationShare?] {
        let plan = BufferPlan(model: model, config: config)
        func allocate(capacity: Int, need: (Int) -> Int, minimum: (Int) -> Int) -> [Int?] {
            let needs = lengths.map { $0.map { need($0).ceilDiv(1024) } }
            let total = needs.compactMap { $0 }.reduce(0, +)
            if total <= capacity { return needs }
            let minimums = lengths.map { $0.map { minimum($0).ceilDiv(1024) } }
            let least = minimums.compactMap { $0 }.reduce(0, +)
            // Not even a token's rows each: shares of what there is, which the stages' runs
            // refuse, naming the buffer and what a token's rows need.
            if least > capacity { return minimums.map { $0.map { capacity * $0 / least } } }
            let rest = capacity - least
            let beyond = zip(needs, minimums).map { n, m in n.map { $0 - m! } }
            let sum = max(1, beyond.compactMap { $0 }.reduce(0, +))
            return zip(minimums, beyond).map { m, b in m.map { $0 + rest * b! / sum } }
        }
        let io = allocate(capacity: config.buffers.ioKiB, need: { plan.needs(sequences: 1, paddedLength: $0)[0].bytes },
                          minimum: { plan.minimumNeeds(paddedLength: $0)[0].bytes })
        let intermediate = allocate(capacity: config.buffers.intermediateKiB,
                                    need: { plan.needs(sequences: 1, paddedLength: $0)[1].bytes },
                                    minimum: { plan.minimumNeeds(paddedLength: $0)[1].bytes })
        return zip(io, intermediate).map { a, b in a.map { ActivationShare(ioKiB: $0, intermediateKiB: b!) } }
    }

    /// The partition's share of the design: `p` of the P processing units.
    public func partition(_ p: Int, share: ActivationShare? = nil) -> EncoderConfig {
        var c = config
        let total = config.peArray!.processingUnits
        func fraction(_ x: Int) -> Int { max(1, x * p / total) }
        c.peArray!.processingUnits = p
        // Shared special units are whole units the stages queue for (CosimulatedStages); the
        // isolated run has its unit to itself.
        if config.lengthAware.specialUnits == .partitioned {
            c.softmax.lanes = fraction(config.softmax.lanes)
            c.layerNorm.lanes = fraction(config.layerNorm.lanes)
            c.gelu.lanes = fraction(config.gelu.lanes)
        }
        c.memory.bandwidthMBps = fraction(config.memory.bandwidthMBps)
        // The weight buffer is banked by processing unit (a unit's PEs read their own columns of
        // every tile): the partition owns its units' banks, the design's weight slots each
        // p·N columns wide (rounded up to a KiB).
        c.buffers.weightKiB = (BufferPlan(model: model, config: config).weightSlots
                               * JobPlan.slotBytes(model: model, config: c)).ceilDiv(1024)
        // The activation buffers: the beat's share, else (priorities) 1/S of each.
        let stages = stageLayers.count
        c.buffers.ioKiB = share?.ioKiB ?? config.buffers.ioKiB / stages
        c.buffers.intermediateKiB = share?.intermediateKiB ?? config.buffers.intermediateKiB / stages
        // The parameter buffer is read-only and shared, not split: one copy of the LUTs, the
        // layers' parameter slots divided between the stages (BufferPlan.parameterSlots).
        c.buffers.parameterSharers = stages
        c.sparse?.lutLanes = fraction(config.sparse?.lutLanes ?? 1)
        return c
    }

    public func cycles(stage: Int, length: Int, processingUnits p: Int, share: ActivationShare?) throws -> Int {
        try run(stage: stage, length: length, processingUnits: p, share: share).cycles
    }

    public func bubbles(stage: Int, length: Int, processingUnits p: Int, share: ActivationShare?) throws -> [Int] {
        try run(stage: stage, length: length, processingUnits: p, share: share).bubbles
    }

    public func executed(stage: Int, length: Int, processingUnits p: Int, share: ActivationShare?) {
        guard let r = try? run(stage: stage, length: length, processingUnits: p, share: share) else { return }
        executedRuns += 1
        attentionCycles += r.attentionCycles
        if let s = r.sparse {
            if var sum = sparseAttention {
                sum.accounting += s.accounting
                sum.attentionCycles += s.attentionCycles
                sum.massKeptMean += (s.massKeptMean - sum.massKeptMean) / Double(executedRuns)
                sum.massKeptMinimum = min(sum.massKeptMinimum, s.massKeptMinimum)
                sparseAttention = sum
            } else {
                sparseAttention = s
            }
        }
        if let q = r.pruning {
            if var sum = pruning {
                sum.totals.add(q.totals)
                pruning = sum
            } else {
                pruning = q
            }
        }
        if let a = r.activity {
            var sum = activity ?? .none
            let part = partition(p)
            sum.add(a, unitShare: { Self.share(of: $0, partition: part, design: self.config) },
                    channelShare: Double(part.memory.bandwidthMBps) / Double(config.memory.bandwidthMBps))
            activity = sum
        }
        if var m = r.memory {
            guard var sum = memory else {
                let total = config.peArray!.processingUnits
                for i in m.channels.indices { m.channels[i].busyCycles = m.channels[i].busyCycles * p / total }
                memory = m
                return
            }
            sum.bytesByClass.merge(m.bytesByClass, uniquingKeysWith: +)
            // A partition's channel time is at its share of the bandwidth: count it at full.
            let total = config.peArray!.processingUnits
            for (i, c) in m.channels.enumerated() where i < sum.channels.count {
                sum.channels[i].bytes += c.bytes
                sum.channels[i].transactions += c.transactions
                sum.channels[i].busyCycles += c.busyCycles * p / total
            }
            memory = sum
        }
    }

    /// The share of `design`'s unit `stage` (a stage name) that `partition` has, for the power
    /// model: a partition's busy cycles count at that share of the whole unit.
    static func share(of stage: String, partition: EncoderConfig, design: EncoderConfig) -> Double {
        func ratio(_ a: Int, _ b: Int) -> Double { b > 0 ? Double(a) / Double(b) : 1 }
        switch stage {
        case EncoderUnit.peArray.stageName:
            return ratio(partition.peArray?.processingUnits ?? 1, design.peArray?.processingUnits ?? 1)
        case EncoderUnit.softmax.stageName: return ratio(partition.softmax.lanes, design.softmax.lanes)
        case EncoderUnit.layerNorm.stageName: return ratio(partition.layerNorm.lanes, design.layerNorm.lanes)
        case EncoderUnit.gelu.stageName: return ratio(partition.gelu.lanes, design.gelu.lanes)
        case EncoderUnit.estimator.stageName: return ratio(partition.sparse?.lutLanes ?? 1, design.sparse?.lutLanes ?? 1)
        default: return 1
        }
    }

    private struct Key: Hashable {
        var layers: Int
        var length: Int
        var units: Int
        var share: ActivationShare?
    }

    private func run(stage: Int, length: Int, processingUnits p: Int, share: ActivationShare?) throws -> Run {
        let key = Key(layers: stageLayers[stage], length: length, units: p, share: share)
        if let r = cache[key] { return r }
        var stageModel = model
        stageModel.layers = stageLayers[stage]
        var sent = false
        let kernel = EventQueueKernel()
        defer { kernel.finish() }   // releases the netlist's processes (they hold the kernel)
        let result: SimulationResult
        do {
            let netlist = try EncoderNetlist(model: stageModel, config: partition(p, share: share), clock: clock, batch: nil,
                                             kernel: kernel) {
                defer { sent = true }
                return sent ? nil : Request(id: 0, arrivalNs: 0, tokens: length)
            }
            result = try netlist.run()
        } catch let error as DesignError {
            // The stage's partition, not the design, is what is too small: say so.
            throw DesignError(field: "encoder.length_aware.pipeline_stages",
                              "stage \(stage) (\(stageLayers[stage]) layers, \(p) of \(config.peArray!.processingUnits) units, "
                              + (share.map { "\($0.ioKiB) KiB of the I/O and \($0.intermediateKiB) KiB of the intermediate buffer" }
                                 ?? "1/\(stageLayers.count) of the I/O and intermediate buffers") + ") cannot run a \(length)-token sequence: \(error.field): \(error.message)")
        }
        // The run's window is the stage's W: its PE array's busy cycles and bubbles add up to it.
        let array = result.stages.first { $0.name == EncoderUnit.peArray.stageName }
        let bubbles = array.map { s in BubbleCause.allCases.map { s.bubbles($0).count } }
            ?? [Int](repeating: 0, count: BubbleCause.allCases.count)
        let attention = result.statistics.first { $0.name == "encoder.attention_cycles" }?.value ?? 0
        let r = Run(cycles: result.cycles.count, bubbles: bubbles, activity: result.activity, memory: result.memory,
                    sparse: result.sparseAttention, pruning: result.pruning, attentionCycles: Int(attention))
        cache[key] = r
        evaluations += 1
        return r
    }
}

/// W from a closed form, for tests: `cycles(stage, length, p)`.
public final class FormulaStageCost: StageCostModel {
    let formula: (Int, Int, Int) -> Int
    let breakdown: ((Int, Int, Int) -> [Int])?
    /// `bubbles(stage, length, p)`: the stage's own bubbles by cause (nil: all busy).
    public init(_ formula: @escaping (_ stage: Int, _ length: Int, _ processingUnits: Int) -> Int,
                bubbles: ((_ stage: Int, _ length: Int, _ processingUnits: Int) -> [Int])? = nil) {
        self.formula = formula
        breakdown = bubbles
    }
    public func cycles(stage: Int, length: Int, processingUnits: Int, share: ActivationShare?) throws -> Int {
        formula(stage, length, processingUnits)
    }
    public func bubbles(stage: Int, length: Int, processingUnits: Int, share: ActivationShare?) throws -> [Int] {
        breakdown?(stage, length, processingUnits) ?? [Int](repeating: 0, count: BubbleCause.allCases.count)
    }
}
