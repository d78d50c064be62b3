import BertSimCore
import BertSimWorkload
import Testing
@testable import BertSimModels

/// FQ-BERT on a ZCU102: 12 × 8 PEs × 16 multipliers, the default design's buffers.
func fqbertZCU102(weightBits: Int = 4) -> EncoderConfig {
    EncoderConfig(
        precision: .init(weightBits: weightBits),
        peArray: .init(processingUnits: 12, pesPerUnit: 8, multipliersPerPE: 16, multiplierLatency: 1, adderTreeLatency: 3,
                       accumulatorLatency: 2, quantizationLatency: 3),
        softmax: .init(lanes: 16, middleLatency: 8, outputLatency: 2),
        layerNorm: .init(lanes: 16, middleLatency: 12, outputLatency: 2),
        gelu: .init(lanes: 16, outputLatency: 2),
        memory: .init(bandwidthMBps: 19_200, latencyCycles: 22, axiWidthBytes: 64, maxOutstanding: 8, burstBytes: 4096),
        buffers: .init(ioKiB: 768, weightKiB: 512, intermediateKiB: 2048, parameterKiB: 16))
}

@Suite struct ResourceEstimateTests {
    /// docs/resources.md, worked: 1,536 multipliers two per DSP = 768, quantization 2 × 96 = 192,
    /// softmax 16 + 4, LayerNorm 2 × 16 + 4: 1,016 DSP.
    @Test func dspOfTheFQBERTDesign() {
        let r = ResourceEstimate(config: fqbertZCU102())
        #expect(r.dsp == 768 + 192 + 20 + 36)
        #expect(r.parts.first { $0.unit == "array" }?.dsp == 960)
    }

    /// BRAM: capacity or port width, whichever needs more. The 2 MiB intermediate buffer:
    /// 16 Mib / 18 Kib = 911 blocks (its 128-bit reads need 4); the 512 KiB weight buffer:
    /// 4 Mib / 18 Kib = 228 (its 6,144-bit reads need 171).
    @Test func blockRAMByCapacityAndWidth() {
        #expect(ResourceEstimate.bram18k(bits: 2048 * 1024 * 8, width: 128) == 911)
        #expect(ResourceEstimate.bram18k(bits: 512 * 1024 * 8, width: 96 * 16 * 4) == 228)
        // A small buffer read very wide is bound by its ports: 1 KiB at 6,144 bits per cycle.
        #expect(ResourceEstimate.bram18k(bits: 8 * 1024, width: 6144) == 171)
        #expect(ResourceEstimate.uram(bits: 2048 * 1024 * 8, width: 128) == 57)
        #expect(ResourceEstimate.uram(bits: 1024 * 8, width: 12_288) == 171)
        let parts = ResourceEstimate(config: fqbertZCU102()).parts
        #expect(parts.first { $0.unit == "intermediate_buffer" }?.bram18k == 911)
        #expect(parts.first { $0.unit == "weight_buffer" }?.bram18k == 228)
    }

    @Test func productsPerDSPByWidth() {
        #expect(ResourceEstimate.productsPerDSP(8, 4) == 2)
        #expect(ResourceEstimate.productsPerDSP(8, 8) == 2)
        #expect(ResourceEstimate.productsPerDSP(16, 16) == 1)
        #expect(ResourceEstimate.productsPerDSP(24, 16) == 1)      // fits 27 × 18
        #expect(ResourceEstimate.productsPerDSP(32, 32) == 0.25)   // ⌈32/18⌉ · ⌈32/27⌉ = 4 DSPs per product
    }

    /// LUT multipliers move the array's DSPs to LUTs: 1,536 × 24 LUTs.
    @Test func multipliersInLUTs() {
        var c = fqbertZCU102()
        c.peArray!.multipliersInDSP = false
        let dsp = ResourceEstimate(config: fqbertZCU102())
        let lut = ResourceEstimate(config: c)
        #expect(dsp.dsp - lut.dsp == 768)
        #expect(lut.lut - dsp.lut == 1536 * 24)
    }

    @Test func aDesignThatDoesNotFitIsRejectedNamingTheResource() {
        var c = fqbertZCU102()
        c.peArray!.processingUnits = 24   // twice the multipliers: 1,536 + 384 + 56 = 1,976 DSP still fits;
        c.peArray!.pesPerUnit = 16        // four times: 3,072 + 768 + 56 = 3,896 does not
        let board = Board.preset("zcu102")!
        #expect(throws: DesignError(field: "board", "the design needs 3896 DSP but the zcu102 (XCZU9EG) has 2520")) {
            try ResourceEstimate(config: c).check(on: board)
        }
    }
}

@Suite struct PrecisionTests {
    /// W8 weights: twice the bytes of every weight tile (the biases stay int32), and two 8×4
    /// multipliers per product, so a projection tile takes twice the cycles.
    @Test func w8DoublesWeightBytesAndProjectionCycles() {
        let w4 = fqbertZCU102(), w8 = fqbertZCU102(weightBits: 8)
        #expect(w8.weightTileBytes(k: 768, width: 96).weights == 2 * w4.weightTileBytes(k: 768, width: 96).weights)
        #expect(w8.weightTileBytes(k: 768, width: 96).biases == w4.weightTileBytes(k: 768, width: 96).biases)
        #expect(w8.gemmTile(rows: 128, k: 768, width: 96, mode: .activationWeight).issue
            == 2 * w4.gemmTile(rows: 128, k: 768, width: 96, mode: .activationWeight).issue)
        // Q·Kᵀ (8×8) does not depend on the weight width.
        #expect(w8.gemmTile(rows: 128, k: 64, width: 96, mode: .activationActivation)
            == w4.gemmTile(rows: 128, k: 64, width: 96, mode: .activationActivation))
    }

    /// W16/A16: 2 × 4 = 8 multipliers per product; 16-bit activations double activation bytes.
    @Test func w16a16() {
        var c = fqbertZCU102()
        c.precision = .init(weightBits: 16, activationBits: 16)
        #expect(c.gemmTile(rows: 1, k: 16, width: 1, mode: .activationWeight).issue == 8)   // ⌈16·8/16⌉
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
