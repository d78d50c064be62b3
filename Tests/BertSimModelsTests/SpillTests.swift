import BertSimCore
import BertSimWorkload
import Testing
@testable import BertSimModels
import BertSimTestSupport

/// A job larger than the on-chip buffers spills to DRAM and refills what it spilled where it
/// is used (docs/encoder-timing.md §6). The cycles are checked against the per-cycle
/// reference by the "spill" scenario (EncoderReferenceTests); here, the plan by hand.
@Suite struct SpillTests {
    let model = EncoderScenario.tinyModel(layers: 2)
    let config = EncoderScenario.spillConfig
    var shape: JobShape { JobShape(lengths: [16], paddedLength: 16) }

    /// 16 tokens × 64: a 1,024-byte layer input. The I/O buffer (1 KiB) needs two: 1,024
    /// bytes over, half of the input's and half of the LayerNorm output's (512 each). The
    /// intermediate buffer (3 KiB) needs Q, K, V, attention output (4 × 1,024), two 16 × 16
    /// score blocks (512) and the 16 × 256 FFN intermediate (4,096): 8,704, 5,632 over, the
    /// attention tensors' 4,608 first and 1,024 of the FFN intermediate.
    @Test func overflowByHand() {
        let plan = BufferPlan(model: model, config: config)
        let o = plan.overflow(sequences: 1, paddedLength: 16)
        #expect(o.io == 2 * 1024 - 1024)
        #expect(o.intermediate == 4 * 1024 + 2 * 256 + 16 * 256 - 3 * 1024)
        // One sequence still runs (spilling); a second would not fit either.
        #expect((try? plan.maxSequences(paddedLength: 16, limit: 4)) == 1)
    }

    /// The transfers each layer adds, in program order, with their bytes.
    @Test func spillAndRefillTransfersByHand() {
        let plan = JobPlan(model: model, config: config, shape: shape)
        func transfers(_ kind: LayerKind, _ unit: EncoderUnit) -> [String: Int] {
            var out: [String: Int] = [:]
            for t in plan.tasks(kind, unit) {
                if case .transfer(let name) = t.kind, name.hasPrefix("spill.") || name.hasPrefix("refill.") {
                    out[name] = t.totalBytes
                }
            }
            return out
        }
        let writes = ["spill.attention": 4608, "spill.y": 512, "spill.ffn": 1024, "spill.x": 512]
        #expect(transfers(.first, .dmaWrite) == writes)
        #expect(transfers(.other, .dmaWrite) == writes)
        // The first layer's input is in DRAM already (the input transfer); a later layer
        // refills the spilled half of its input for Q, K and V.
        let reads = ["refill.attention": 4608, "refill.x.residual": 512, "refill.y": 512, "refill.ffn": 1024,
                     "refill.y.residual": 512]
        #expect(transfers(.first, .dmaRead) == reads)
        #expect(transfers(.other, .dmaRead) == reads.merging(["refill.x": 512]) { a, _ in a })
        // The last layer's spilled half of its output is in DRAM already: 512 bytes go out.
        #expect(plan.tasks(.after, .dmaWrite).map(\.totalBytes) == [512])
        // Without overflow nothing spills.
        let fits = JobPlan(model: model, config: EncoderScenario.tinyConfig(), shape: shape)
        #expect(fits.tasks(.other, .dmaWrite).isEmpty)
    }

    /// The traffic a run reports, and the cycles spilling costs.
    @Test func spilledBytesAreReportedAndCostCycles() throws {
        let spilled = try EncoderScenario.named("spill")!.simulate(on: EventQueueKernel())
        let bytes = spilled.memory!.bytesByClass
        #expect(bytes["spill_out"] == 2 * (4608 + 512 + 1024 + 512))
        #expect(bytes["spill_in"] == 2 * (4608 + 512 + 512 + 1024 + 512) + 512)
        #expect(bytes["activations_out"] == 512)
        var roomy = EncoderScenario.named("spill")!
        roomy.config = EncoderScenario.tinyConfig()
        let onChip = try roomy.simulate(on: EventQueueKernel())
        #expect(onChip.memory!.bytesByClass["spill_in"] == 0)
        #expect(spilled.windowEnd.value - spilled.windowStart.value > onChip.windowEnd.value - onChip.windowStart.value)
    }
}

extension SpillTests {
    /// The random scenarios the reference checks include spilling ones.
    @Test func randomScenariosSpill() {
        let spilling = (0..<30).filter { seed in
            let s = EncoderScenario(seed: UInt64(seed))
            let lp = s.padTo ?? 12
            let o = BufferPlan(model: s.model, config: s.config).overflow(sequences: 1, paddedLength: lp)
            return o.io + o.intermediate > 0
        }
        #expect(spilling.count >= 3, "seeds that spill: \(spilling)")
    }
}
