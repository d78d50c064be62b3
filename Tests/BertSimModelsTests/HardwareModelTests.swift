import BertSimCore
import BertSimWorkload
import Testing
@testable import BertSimModels

/// FQ-BERT on a ZCU102: 12 × 8 PEs × 16 multipliers, the shipped design's buffers
/// (hw-configs/zcu102-fqbert-n8m16.yaml).
func fqbertZCU102(weightBits: Int = 4) -> EncoderConfig {
    EncoderConfig(
        precision: .init(weightBits: weightBits),
        peArray: .init(processingUnits: 12, pesPerUnit: 8, multipliersPerPE: 16, multiplierLatency: 1, adderTreeLatency: 3,
                       accumulatorLatency: 2, quantizationLatency: 3),
        softmax: .init(lanes: 16, middleLatency: 8, outputLatency: 2),
        layerNorm: .init(lanes: 16, middleLatency: 12, outputLatency: 2),
        gelu: .init(lanes: 16, outputLatency: 2),
        memory: .init(bandwidthMBps: 19_200, latencyCycles: 22, axiWidthBytes: 64, maxOutstanding: 8, burstBytes: 4096),
        buffers: .init(ioKiB: 192, weightKiB: 289, intermediateKiB: 800, parameterKiB: 16))
}

@Suite struct ResourceEstimateTests {
    /// docs/resources.md, worked: 1,536 multipliers one per DSP and 96 PE accumulators = 1,632;
    /// 12 quantization units of one requantizer, a 32 × 8-bit multiply in ⌈32/27⌉ = 2 DSPs
    /// each = 24; softmax 16 + 4, LayerNorm 2 × 16 + 4: 1,712 DSP (FQ-BERT reports 1,751).
    @Test func dspOfTheFQBERTDesign() {
        let r = ResourceEstimate(config: fqbertZCU102())
        #expect(r.parts.first { $0.unit == "array" }?.dsp == 1536 + 96 + 24)
        #expect(r.dsp == 1536 + 96 + 24 + 20 + 36)
        // Two products per DSP (WP486's packing) halve the multipliers' share only.
        var packed = fqbertZCU102()
        packed.peArray!.multipliersPerDSP = 2
        #expect(ResourceEstimate(config: packed).dsp == 768 + 96 + 24 + 20 + 36)
    }

    /// BRAM: an array as wide as its widest port, ⌈width/36⌉ blocks side by side and
    /// ⌈depth/512⌉ stacked.
    @Test func blockRAMByCapacityAndWidth() {
        // 2 MiB read 128 bits a cycle: 4 blocks wide × 256 deep.
        #expect(ResourceEstimate.bram18k(bits: 2048 * 1024 * 8, width: 128) == 4 * 256)
        // A small buffer read very wide is bound by its ports: 1 KiB at 6,144 bits per cycle.
        #expect(ResourceEstimate.bram18k(bits: 8 * 1024, width: 6144) == 171)
        // UltraRAM: 4,096 × 72 blocks.
        #expect(ResourceEstimate.uram(bits: 2048 * 1024 * 8, width: 128) == 2 * 32)
        #expect(ResourceEstimate.uram(bits: 1024 * 8, width: 12_288) == 171)
    }

    /// FQ-BERT's buffers, worked (docs/resources.md): every array at least the 512-bit AXI
    /// width (15 blocks wide). I/O 192 KiB = 3,072 words: 15 × 6 = 90; intermediate 800 KiB =
    /// 12,800 words: 15 × 25 = 375; parameters 16 KiB = 256 words: 15; weights: 2 slots of
    /// the largest BERT-base tile (3,072 × 96 4-bit weights + 96 int32 biases = 147,840 B),
    /// each 6,144 bits wide (96 PEs × 16 × 4 bits, 171 blocks) and 193 words deep: 2 × 171.
    /// 822 in all (FQ-BERT reports 838).
    @Test func theFQBERTDesignsBlockRAM() {
        let r = ResourceEstimate(config: fqbertZCU102())
        func bram(_ unit: String) -> Int? { r.parts.first { $0.unit == unit }?.bram18k }
        #expect(JobPlan.slotBytes(model: .bertBase, config: fqbertZCU102()) == 3072 * 96 / 2 + 96 * 4)
        #expect(bram("io_buffer") == 90)
        #expect(bram("intermediate_buffer") == 375)
        #expect(bram("parameter_buffer") == 15)
        #expect(bram("weight_buffer") == 2 * 171)
        #expect(r.bram18k == 822)
    }

    @Test func productsPerDSPByWidth() {
        #expect(ResourceEstimate.productsPerDSP(8, 4) == 2)
        #expect(ResourceEstimate.productsPerDSP(8, 8) == 2)
        #expect(ResourceEstimate.productsPerDSP(16, 16) == 1)
        #expect(ResourceEstimate.productsPerDSP(24, 16) == 1)      // fits 27 × 18
        #expect(ResourceEstimate.productsPerDSP(32, 32) == 0.25)   // ⌈32/18⌉ · ⌈32/27⌉ = 4 DSPs per product
    }

    /// LUT multipliers move the array's multiplier and accumulator DSPs to LUTs: 1,536 × 24
    /// LUTs and 96 × 32; the quantizers stay in DSPs.
    @Test func multipliersInLUTs() {
        var c = fqbertZCU102()
        c.peArray!.multipliersInDSP = false
        let dsp = ResourceEstimate(config: fqbertZCU102())
        let lut = ResourceEstimate(config: c)
        #expect(dsp.dsp - lut.dsp == 1536 + 96)
        #expect(lut.lut - dsp.lut == 1536 * 24 + 96 * 32)
    }

    @Test func aDesignThatDoesNotFitIsRejectedNamingTheResource() {
        var c = fqbertZCU102()
        c.peArray!.processingUnits = 24   // twice the PUs: 3,072 + 192 + 48 + 56 = 3,368 DSP, more than 2,520
        let board = Board.preset("zcu102")!
        #expect(throws: DesignError(field: "board", "the design needs 3368 DSP but the zcu102 (XCZU9EG) has 2520")) {
            try ResourceEstimate(config: c).check(on: board)
        }
    }
}

@Suite struct PrecisionTests {
    /// W8 weights: twice the bytes of every weight tile (the biases stay int32), and two 8×4
    /// multipliers per product, so a projection tile takes twice the data cycles (its rows'
    /// overhead, control, stays the same).
    @Test func w8DoublesWeightBytesAndProjectionCycles() {
        let w4 = fqbertZCU102(), w8 = fqbertZCU102(weightBits: 8)
        #expect(w8.weightTileBytes(k: 768, width: 96).weights == 2 * w4.weightTileBytes(k: 768, width: 96).weights)
        #expect(w8.weightTileBytes(k: 768, width: 96).biases == w4.weightTileBytes(k: 768, width: 96).biases)
        let t4 = w4.gemmTile(rows: 128, k: 768, width: 96, mode: .activationWeight)
        let t8 = w8.gemmTile(rows: 128, k: 768, width: 96, mode: .activationWeight)
        #expect(t8.issue - t8.control == 2 * (t4.issue - t4.control))
        #expect(t8.control == t4.control)
        #expect(t4.control == 128 * 9)   // 9 cycles per output row (row_overhead_cycles)
        // Q·Kᵀ (8×8) does not depend on the weight width.
        #expect(w8.gemmTile(rows: 128, k: 64, width: 96, mode: .activationActivation)
            == w4.gemmTile(rows: 128, k: 64, width: 96, mode: .activationActivation))
    }

    /// W16/A16: 2 × 4 = 8 multipliers per product; 16-bit activations double activation bytes.
    @Test func w16a16() {
        var c = fqbertZCU102()
        c.precision = .init(weightBits: 16, activationBits: 16)
        let t = c.gemmTile(rows: 1, k: 16, width: 1, mode: .activationWeight)
        #expect(t.issue - t.control == 8)   // ⌈16·8/16⌉ data cycles, then the row's 9 of overhead
        #expect(t.issue == 17)
        #expect(c.activationBytes(rows: 128, cols: 768) == 2 * fqbertZCU102().activationBytes(rows: 128, cols: 768))
    }

    @Test func weightBytesMovedDoubleExactlyFromW4ToW8() throws {
        func weightBytes(_ c: EncoderConfig) throws -> Int {
            var sent = false
            let kernel = EventQueueKernel()
            defer { kernel.finish() }
            let n = try EncoderNetlist(model: .bertBase, config: c, clock: Clock(kilohertz: 214_000), batch: nil,
                                       kernel: kernel) {
                defer { sent = true }
                return sent ? nil : Request(id: 0, arrivalNs: 0, tokens: 32)
            }
            return try n.run().memory!.bytesByClass["weights"]!
        }
        var w8 = fqbertZCU102(weightBits: 8)
        w8.buffers.weightKiB = 1024   // room for the twice-as-large tiles
        let b4 = try weightBytes(fqbertZCU102()), b8 = try weightBytes(w8)
        #expect(b4 == 12 * (4 * 768 * 768 + 2 * 768 * 3072) / 2)
        #expect(b8 == 2 * b4)
    }
}
