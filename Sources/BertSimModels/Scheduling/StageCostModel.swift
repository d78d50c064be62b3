import BertSimCore
import BertSimWorkload

/// W(stage, s, p): the cycles a pipeline stage needs for one sequence of `length` tokens on a
/// partition of `processingUnits` PUs (docs/length-aware.md).
public protocol StageCostModel: AnyObject {
    func cycles(stage: Int, length: Int, processingUnits: Int) throws -> Int
}

/// W from the encoder model itself: stage i's layers, for one sequence, simulated on the
/// partition's share of the design: `p` of the P processing units, the same share of every
/// special unit's lanes and of each memory channel's bandwidth (rounded down, at least one);
/// buffers are the design's. Cached per (stage, length, p).
public final class EncoderStageCost: StageCostModel {
    public let model: ModelSpec
    public let config: EncoderConfig
    public let clock: Clock
    /// Layers of each stage: stage i runs `layers[i]` layers (the model's layers split evenly).
    public let stageLayers: [Int]
    private var cache: [Int: Int] = [:]
    public private(set) var evaluations = 0

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

    /// The partition's share of the design: `p` of the P processing units.
    public func partition(_ p: Int) -> EncoderConfig {
        var c = config
        let total = config.peArray!.processingUnits
        func share(_ x: Int) -> Int { max(1, x * p / total) }
        c.peArray!.processingUnits = p
        c.softmax.lanes = share(config.softmax.lanes)
        c.layerNorm.lanes = share(config.layerNorm.lanes)
        c.gelu.lanes = share(config.gelu.lanes)
        c.memory.bandwidthMBps = share(config.memory.bandwidthMBps)
        c.sparse = nil
        return c
    }

    public func cycles(stage: Int, length: Int, processingUnits p: Int) throws -> Int {
        let key = (stage * 4096 + length) * 4096 + p
        if let w = cache[key] { return w }
        var stageModel = model
        stageModel.layers = stageLayers[stage]
        var sent = false
        let netlist = try EncoderNetlist(model: stageModel, config: partition(p), clock: clock, batch: nil,
                                         kernel: EventQueueKernel()) {
            defer { sent = true }
            return sent ? nil : Request(id: 0, arrivalNs: 0, tokens: length)
        }
        let w = try netlist.run().cycles.count
        cache[key] = w
        evaluations += 1
        return w
    }
}

/// W from a closed form, for tests: `cycles(stage, length, p)`.
public final class FormulaStageCost: StageCostModel {
    let formula: (Int, Int, Int) -> Int
    public init(_ formula: @escaping (_ stage: Int, _ length: Int, _ processingUnits: Int) -> Int) { self.formula = formula }
    public func cycles(stage: Int, length: Int, processingUnits: Int) throws -> Int { formula(stage, length, processingUnits) }
}
