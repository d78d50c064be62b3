import BertSimCore
import BertSimWorkload
import Testing
@testable import BertSimModels
import BertSimTestSupport

/// The parameter buffer (docs/encoder-timing.md §4, §6): LUTs once, then slots of a layer's
/// parameters; two slots double-buffer, one makes the next layer's load wait; pipeline stages
/// share the buffer instead of splitting it (docs/length-aware.md).
@Suite struct ParameterBufferTests {
    /// BERT-base with 8-bit LayerNorm parameters and scales: a layer's parameters are 4 × 768
    /// bytes of γ/β and 8 one-byte scales = 3,080 bytes; 16 KiB holds the 512 bytes of LUTs
    /// and ⌊(16,384 − 512) ÷ 3,080⌋ = 5 slots.
    @Test func slotsOfTheShippedBuffer() throws {
        let model = ModelSpec.bertBase
        var config = EncoderScenario.tinyConfig(weightKiB: 16)
        config.buffers.parameterKiB = 16
        #expect(config.parameterBytes(hidden: 768) == 3_080)
        func slots(_ sharers: Int) -> (pool: Int, slots: Int) {
            var c = config
            c.buffers.parameterSharers = sharers
            let plan = BufferPlan(model: model, config: c)
            return (plan.parameterPool, plan.parameterSlots)
        }
        #expect(slots(1) == (5, 2))
        #expect(slots(2) == (5, 2))   // 5 ÷ 2 = 2 each: still double-buffered
        #expect(slots(3) == (5, 1))   // 5 ÷ 3 = 1 each
        #expect(slots(12) == (5, 1))  // 5 slots for 12 stages: time-shared, one at a time
        // The least that works: one layer's parameters and the LUTs, 3,592 bytes.
        config.buffers.parameterKiB = 3
        let needs = BufferPlan(model: model, config: config).fixedNeeds()
        #expect(needs[0].field == "encoder.buffers.parameter_kib" && needs[0].bytes == 3_592 && !needs[0].fits)
        #expect(throws: DesignError.self) { try BufferPlan(model: model, config: config).checkFixed() }
        config.buffers.parameterKiB = 4
        try BufferPlan(model: model, config: config).checkFixed()
    }

    /// With one slot the parameters come after the attention's weight tiles in the read
    /// program; with two, first.
    @Test func theReadProgramPlacesTheParameters() {
        let model = EncoderScenario.tinyModel()
        for (kib, afterO) in [(2, false), (1, true)] {
            var config = EncoderScenario.tinyConfig()
            config.buffers.parameterKiB = kib  // 288-byte parameters: 2 KiB = 5 slots, 1 KiB = 1
            let plan = JobPlan(model: model, config: config, shape: JobShape(lengths: [16], paddedLength: 16))
            let labels = plan.tasks(.other, .dmaRead).map(\.kind.label)
            let params = labels.firstIndex(of: "params")
            let lastO = labels.lastIndex { $0.hasPrefix("w.o[") }
            #expect(params != nil && lastO != nil)
            if afterO { #expect(params == lastO! + 1, "\(labels)") } else { #expect(params == 0, "\(labels)") }
        }
    }

    /// The one-slot scenario, by hand: the read engine has prefetched layer ℓ's attention
    /// tiles (128 KiB of weight slots) and stops at params(ℓ), whose slot frees when ln2(ℓ − 1)
    /// is done; with no descriptor setup its transfer starts in that very cycle.
    @Test func oneSlotLoadsWhenThePreviousLayerEnds() throws {
        let scenario = EncoderScenario.named("one-parameter-slot")!
        let r = try scenario.reference(records: true)
        for layer in 1..<scenario.model.layers {
            let params = try #require(r.tasks.first { $0.layer == layer && $0.unit == .dmaRead && $0.label == "params" })
            let ln2 = try #require(r.tasks.first { $0.layer == layer - 1 && $0.unit == .layerNorm && $0.label == "ln2" })
            #expect(params.start == ln2.done, "layer \(layer): \(params) after \(ln2)")
        }
    }
}

/// The activation buffers follow the work (docs/length-aware.md, "Buffers follow the work"):
/// each beat carves them between the occupied stages by their sequences' needs.
@Suite struct ActivationShareTests {
    /// BERT-base at A8 with FQ-BERT's 192 KiB I/O and 800 KiB intermediate buffers. A sequence
    /// of s tokens needs 2 × 768 s bytes of I/O buffer and 4 × 768 s + 2 s² + 3072 s of
    /// intermediate; a token's rows 1,536 and 6,144 + 2 s bytes.
    static func cost() throws -> EncoderStageCost {
        var config = EncoderScenario.tinyConfig(weightKiB: 16)
        config.buffers.ioKiB = 192
        config.buffers.intermediateKiB = 800
        config.buffers.parameterKiB = 16
        return try EncoderStageCost(model: .bertBase, config: config, clock: EncoderScenario.tinyClock, stages: 2)
    }

    /// 100 and 20 tokens fit together: I/O 150 + 30 = 180 ≤ 192 KiB, intermediate
    /// ⌈634,400 / 1024⌉ = 620 + ⌈123,680 / 1024⌉ = 121 = 741 ≤ 800 KiB: each gets its need.
    @Test func sequencesThatFitGetTheirNeeds() throws {
        let shares = try Self.cost().shares(lengths: [100, 20])
        #expect(shares == [ActivationShare(ioKiB: 150, intermediateKiB: 620), ActivationShare(ioKiB: 30, intermediateKiB: 121)])
        #expect(try Self.cost().shares(lengths: [nil, 64]) == [nil, ActivationShare(ioKiB: 96, intermediateKiB: 392)])
    }

    /// 384 and 128 tokens do not: I/O needs 576 + 192 KiB, minimums 2 + 2, so the other 188 KiB
    /// go 574 : 190 → 2 + ⌊188·574/764⌋ = 143 and 2 + ⌊188·190/764⌋ = 48. Intermediate needs
    /// ⌈2,654,208 / 1024⌉ = 2,592 and 800 KiB, minimums ⌈6,912 / 1024⌉ = 7 and ⌈6,400 / 1024⌉ = 7:
    /// 7 + ⌊786·2585/3378⌋ = 608 and 7 + ⌊786·793/3378⌋ = 191. Both spill the rest.
    @Test func sequencesThatDoNotFitShareInProportionToNeed() throws {
        let shares = try Self.cost().shares(lengths: [384, 128])
        #expect(shares == [ActivationShare(ioKiB: 143, intermediateKiB: 608), ActivationShare(ioKiB: 48, intermediateKiB: 191)])
    }

    /// A buffer that cannot hold a token's rows for every occupied stage (2 × 1,536 bytes of I/O
    /// buffer in 2 KiB) is shared by the minimums, 1 KiB each, and the stage's run refuses it,
    /// naming the buffer.
    @Test func aBufferTooSmallForEveryStageIsRefused() throws {
        var config = EncoderScenario.tinyConfig(weightKiB: 16)
        config.buffers.ioKiB = 2
        config.buffers.intermediateKiB = 800
        config.buffers.parameterKiB = 16
        let cost = try EncoderStageCost(model: .bertBase, config: config, clock: EncoderScenario.tinyClock, stages: 2)
        let shares = cost.shares(lengths: [40, 30])
        #expect(shares.map { $0?.ioKiB } == [1, 1])
        #expect {
            _ = try cost.cycles(stage: 0, length: 40, processingUnits: 1, share: shares[0])
        } throws: { error in
            "\(error)".contains("encoder.buffers.io_kib: 1 KiB is too small")
        }
    }

    /// The share reaches the stage's run: a 128-token sequence alone in the pipeline gets all
    /// it needs and does not spill; with 1/S (the static split the priorities use) it spills.
    @Test func theShareDecidesTheSpill() throws {
        let cost = try Self.cost()
        let alone = try #require(cost.shares(lengths: [128, nil])[0])
        #expect(alone == ActivationShare(ioKiB: 192, intermediateKiB: 800))
        let shared = try cost.cycles(stage: 0, length: 128, processingUnits: 2, share: nil)
        let whole = try cost.cycles(stage: 0, length: 128, processingUnits: 2, share: alone)
        #expect(whole < shared)
    }
}
