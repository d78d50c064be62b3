import BertSimCore
import BertSimModels
import BertSimWorkload

/// A small length-aware case for comparing the cosimulated pipeline (``CosimulatedStages``
/// under ``LengthAwarePipeline``) with its per-cycle reference (``CosimulatedReference``), and
/// one kernel with another.
public struct CosimulatedScenario: Sendable, CustomStringConvertible {
    public var name: String
    public var model: ModelSpec
    public var config: EncoderConfig
    public var clock: Clock
    public var stages: Int
    public var repartition: Int
    public var batch: Int?
    public var requests: [Request]

    public init(name: String, model: ModelSpec, config: EncoderConfig, clock: Clock, stages: Int, repartition: Int, batch: Int?,
                requests: [Request]) {
        self.name = name
        self.model = model
        self.config = config
        self.clock = clock
        self.stages = stages
        self.repartition = repartition
        self.batch = batch
        self.requests = requests
    }

    public var description: String {
        "\(name): \(stages) stages, R \(repartition), special units \(config.lengthAware.specialUnits.rawValue), " + EncoderScenario(name: "", model: model, config: config, clock: clock,
                                                                          batch: batch, requests: requests).description
    }

    public func cost() throws -> EncoderStageCost { try EncoderStageCost(model: model, config: config, clock: clock, stages: stages) }

    /// The cosimulated pipeline on `kernel` (or, with `isolated`, the cost-table model), in the
    /// reference's terms (channel bytes: the cosimulated run's shared channels; none isolated).
    public func simulate(on kernel: any SimKernel, isolated: Bool = false) throws -> CosimulatedReference.Outcome {
        let cost = try cost()
        var next = 0
        let requests = self.requests
        defer { try? kernel.finish() }   // releases the components (they hold the kernel)
        var stages: CosimulatedStages?
        let pipeline = LengthAwarePipeline(
            .init(stages: self.stages, processingUnits: config.peArray!.processingUnits, repartitionCycles: repartition,
                  layers: model.layers),
            cost: cost, kernel: kernel, clock: clock, batch: batch,
            executor: isolated ? nil : { start in
                let s = try CosimulatedStages(cost: cost, kernel: kernel, windowStart: start, recordsIntervals: .off)
                stages = s
                return s
            }
        ) {
            defer { next += 1 }
            return next < requests.count ? requests[next] : nil
        }
        let r = try pipeline.run()
        return CosimulatedReference.Outcome(
            windowStart: r.windowStart.value, windowEnd: r.windowEnd.value, completions: r.completions.map(\.value),
            stages: r.stages.map { s in
                EncoderReference.Stage(name: s.name, busy: s.busy.count, bubbles: BubbleCause.allCases.map { s.bubbles($0).count })
            },
            channelBytes: stages?.memory.channels.map(\.bytes) ?? [], beats: pipeline.beats, repartitions: pipeline.repartitions)
    }

    public func reference() throws -> CosimulatedReference.Outcome {
        try CosimulatedReference.run(cost: try cost(), clock: clock, repartition: repartition, batch: batch, requests: requests)
    }

    // MARK: Cases

    /// Three sequences of different lengths on the tiny layer's design with 4 units, 4 layers
    /// in 2 stages, one channel the stages share.
    public static let named: [CosimulatedScenario] = {
        var config = EncoderScenario.tinyConfig(weightKiB: 6)
        config.peArray!.processingUnits = 4
        let requests = [Request(id: 0, arrivalNs: 0, tokens: 16), Request(id: 1, arrivalNs: 0, tokens: 5),
                        Request(id: 2, arrivalNs: 500, tokens: 11)]
        var shared = config
        shared.lengthAware.specialUnits = .shared
        // Single-lane special units on a fast channel: the stages queue for them.
        shared.softmax.lanes = 1
        shared.layerNorm.lanes = 1
        shared.gelu.lanes = 1
        shared.memory.bandwidthMBps = 12_800
        shared.memory.axiWidthBytes = 64
        var spill = EncoderScenario.spillConfig
        spill.peArray!.processingUnits = 4
        spill.buffers.weightKiB = 6
        spill.buffers.ioKiB = 2   // 1 KiB a stage for priorities (1/S); sequences of 16 need 2 KiB each
        return [
            CosimulatedScenario(name: "two-stages", model: EncoderScenario.tinyModel(layers: 4), config: config,
                                clock: EncoderScenario.tinyClock, stages: 2, repartition: 7, batch: nil, requests: requests),
            CosimulatedScenario(name: "three-stages-closed", model: EncoderScenario.tinyModel(layers: 3), config: config,
                                clock: EncoderScenario.tinyClock, stages: 3, repartition: 0, batch: 3, requests: requests),
            CosimulatedScenario(name: "two-stages-spill", model: EncoderScenario.tinyModel(layers: 2), config: spill,
                                clock: EncoderScenario.tinyClock, stages: 2, repartition: 3, batch: nil, requests: requests),
            // The softmax, LayerNorm and GELU units shared by three stages, not partitioned.
            CosimulatedScenario(name: "three-stages-shared-special-units", model: EncoderScenario.tinyModel(layers: 3),
                                config: shared, clock: EncoderScenario.tinyClock, stages: 3, repartition: 5, batch: nil,
                                requests: requests),
        ]
    }()

    /// The random tiny case of `seed` (``EncoderScenario/init(seed:)``) made length-aware: 2 to 4
    /// layers, 2 to 4 processing units, 2 stages up to their minimum, 2 to 5 requests of 1 to
    /// 12 tokens, drawn from a stream of their own.
    public init(seed: UInt64) {
        let base = EncoderScenario(seed: seed)
        var rng = SplitMix64(seed: seed ^ 0x434F_5349_4D55_4C41)
        func pick(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(rng.next() % UInt64(r.count)) }
        var model = base.model
        model.layers = pick(2...4)
        var config = base.config
        let units = pick(2...4)
        // Keep the weight buffer's slot count with the wider array's tiles.
        let slots = max(1, config.buffers.weightKiB * 1024 / JobPlan.slotBytes(model: model, config: config))
        config.peArray!.processingUnits = units
        config.buffers.weightKiB = (JobPlan.slotBytes(model: model, config: config) * slots).ceilDiv(1024)
        let stages = pick(2...min(model.layers, units))
        let count = pick(2...5)
        var arrival = pick(0...500)
        var requests: [Request] = []
        for i in 0..<count {
            requests.append(Request(id: i, arrivalNs: arrival, tokens: pick(1...12)))
            arrival += pick(0...2) == 0 ? 0 : pick(0...60_000)
        }
        // Buffers of at least a token's rows for every stage together.
        let least = BufferPlan(model: model, config: config).minimumNeeds(paddedLength: 12)
        config.buffers.ioKiB = max(config.buffers.ioKiB, stages * least[0].bytes.ceilDiv(1024))
        config.buffers.intermediateKiB = max(config.buffers.intermediateKiB, stages * least[1].bytes.ceilDiv(1024))
        // Half the cases share the special units, drawn from a stream of their own.
        var sharing = SplitMix64(seed: seed ^ 0x5348_4152_4544_5355)
        if sharing.next() % 2 == 0 { config.lengthAware.specialUnits = .shared }
        self.init(name: "random cosimulated \(seed)", model: model, config: config, clock: base.clock, stages: stages,
                  repartition: pick(0...1) == 0 ? 0 : pick(1...40), batch: pick(0...2) == 0 ? pick(2...3) : nil, requests: requests)
    }
}
