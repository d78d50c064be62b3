import BertSimCore
import BertSimWorkload
import Testing
@testable import BertSimModels

/// The tiny layer of the issue: hidden 64, 2 heads of 32, FFN 256, one layer.
let tinyModel = ModelSpec(name: "custom", layers: 1, hidden: 64, heads: 2, headSize: 32, ffn: 256, maxPositions: 64)

/// A small encoder: 2 PUs × 4 PEs × 8 multipliers (8 lanes), 200 MHz, one channel of
/// 3.2 GB/s with a 128-bit AXI port (16 B per cycle either way), 10 cycles latency, 2
/// outstanding, 256-byte bursts; no control overheads (§8) unless a test sets them.
func tinyConfig(weightKiB: Int = 4) -> EncoderConfig {
    EncoderConfig(
        precision: .init(),
        peArray: .init(processingUnits: 2, pesPerUnit: 4, multipliersPerPE: 8, multiplierLatency: 1, adderTreeLatency: 2,
                       accumulatorLatency: 1, quantizationLatency: 2, rowOverhead: 0),
        softmax: .init(lanes: 4, middleLatency: 8, outputLatency: 2),
        layerNorm: .init(lanes: 8, middleLatency: 8, outputLatency: 2),
        gelu: .init(lanes: 8, outputLatency: 2),
        memory: .init(bandwidthMBps: 3200, latencyCycles: 10, axiWidthBytes: 16, maxOutstanding: 2, burstBytes: 256,
                      descriptorCycles: 0),
        buffers: .init(ioKiB: 64, weightKiB: weightKiB, intermediateKiB: 256, parameterKiB: 4))
}

let clock200 = Clock(kilohertz: 200_000)

func runEncoder(_ model: ModelSpec, _ config: EncoderConfig, lengths: [Int], arrivals: [Int]? = nil, batch: Int? = nil,
                kernel: any SimKernel = EventQueueKernel()) throws -> (SimulationResult, EncoderNetlist) {
    var i = 0
    defer { try? kernel.finish() }
    let netlist = try EncoderNetlist(model: model, config: config, clock: clock200, batch: batch, kernel: kernel,
                                     recordsIntervals: true) {
        defer { i += 1 }
        return i < lengths.count ? Request(id: i, arrivalNs: arrivals?[i] ?? 0, tokens: lengths[i]) : nil
    }
    return (try netlist.run(), netlist)
}

func stage(_ r: SimulationResult, _ name: String) -> StageSummary { r.stages.first { $0.name == name }! }

@Suite struct EncoderCostTests {
    let config = tinyConfig()

    /// One tile: 16 rows, K = 64, 8 columns, 8×4 (m = 8): 16 × ⌈64/8⌉ = 128 issue cycles;
    /// results after L_pe = 1 + 2 + 1 + 2 = 6 more.
    @Test func oneGEMMTile() {
        let c = config.gemmTile(rows: 16, k: 64, width: 8, mode: .activationWeight)
        #expect(c.timing == TaskCost(issue: 128, latency: 6, work: 16 * 64 * 8, laneSlots: 128 * 8 * 8))
        // Buffer traffic: 16 × 64 activations, 16 × 64 × 8 weights at 4 bits, 16 × 8 outputs.
        #expect(c.bufferBytes == 16 * 64 + 16 * 64 * 8 / 2 + 16 * 8)
        // 8×8 halves the products per cycle: ⌈32 / 4⌉ = 8 cycles a row; a partial K chunk
        // costs a whole cycle: ⌈30 / 4⌉ = 8.
        #expect(config.gemmTile(rows: 16, k: 32, width: 8, mode: .activationActivation).issue == 128)
        #expect(config.gemmTile(rows: 16, k: 30, width: 6, mode: .activationActivation).issue == 128)
        #expect(config.gemmTile(rows: 16, k: 30, width: 6, mode: .activationActivation).work == 16 * 30 * 6)
    }

    /// A whole GEMM: Q = X(16×64)·W(64×64) on 8 lanes is 8 column groups of 128 cycles.
    @Test func oneWholeGEMM() {
        let plan = JobPlan(model: tinyModel, config: config, shape: JobShape(lengths: [16], paddedLength: 16))
        let q = plan.tasks(.first, .peArray).filter { if case .gemm("q", _, _) = $0.kind { true } else { false } }
        #expect(q.count == 8)
        #expect(q.map(\.cost.issue).reduce(0, +) == 1024)
        // The whole layer on the PE array: q, k, v, o (4 × 1024), ffn1 (32 × 128), ffn2
        // (8 × 16 × ⌈256/8⌉), qk (2 pairs × 2 groups × 16 × 8), pv (2 × 4 groups × 16 × 4).
        let layerIssue = plan.tasks(.first, .peArray).map(\.cost.issue).reduce(0, +)
        #expect(layerIssue == 13_312)   // 4096 + 4096 + 4096 + 512 + 512
    }

    /// Softmax on one row of 16 with 4 lanes: c = 4; issue 4; result 2c + L_rcp + L_out = 8 + 8 + 2 later.
    @Test func softmaxOnOneRow() {
        #expect(config.rowPipeline(config.softmax, rows: 1, n: 16).timing == TaskCost(issue: 4, latency: 18, work: 16, laneSlots: 16))
        // Rows enter every c cycles: 16 rows issue for 64 cycles, the last result 18 later.
        #expect(config.rowPipeline(config.softmax, rows: 16, n: 16).issue == 64)
    }

    /// LayerNorm on one row of 64 with 8 lanes: c = 8; issue 8; result 16 + 8 + 2 later.
    @Test func layerNormOnOneRow() {
        #expect(config.rowPipeline(config.layerNorm, rows: 1, n: 64).timing == TaskCost(issue: 8, latency: 26, work: 64, laneSlots: 64))
        // A row of 60 still takes ⌈60/8⌉ = 8 cycles a pass; 4 lanes sit idle in the last.
        #expect(config.rowPipeline(config.layerNorm, rows: 1, n: 60).laneSlots == 64)
    }

    /// A transaction's data phase: the slower of the AXI port and the channel's bandwidth.
    @Test func dataPhase() {
        #expect(config.dataCycles(bytes: 256, clock: clock200) == 16)     // 256/16 either way
        #expect(config.dataCycles(bytes: 8, clock: clock200) == 1)
        var fast = config
        fast.memory.bandwidthMBps = 1_000_000                              // AXI-bound
        #expect(fast.dataCycles(bytes: 256, clock: clock200) == 16)
        var slow = config
        slow.memory.bandwidthMBps = 800                                    // 4 B/cycle: bandwidth-bound
        #expect(slow.dataCycles(bytes: 256, clock: clock200) == 64)
        #expect(slow.dataCycles(bytes: 257, clock: clock200) == 65)        // ⌈257 × 200000 / 800000⌉
    }

    @Test func weightTileBytes() {
        // 64 × 8 weights at 4 bits and 8 int32 biases.
        #expect(config.weightTileBytes(k: 64, width: 8) == (weights: 256, biases: 32))
        // The slot fits the largest tile (K = FFN = 256): 1024 + 32 bytes.
        #expect(JobPlan.slotBytes(model: tinyModel, config: config) == 1056)
        #expect(BufferPlan(model: tinyModel, config: tinyConfig(weightKiB: 4)).weightSlots == 3)
        #expect(BufferPlan(model: tinyModel, config: tinyConfig(weightKiB: 2)).weightSlots == 1)
    }
}

@Suite struct EncoderTimelineTests {
    /// The first transfers of the tiny layer, by hand (L_mem = 10, 16 B/cycle, 2 outstanding,
    /// 2-deep request queue, 256-byte bursts):
    /// input 1024 B = 4 bursts written at 0 (2) and 1 (2); accepted at 1, 1, 27, 43; data
    /// [11,27) [27,43) [43,59) [59,75). params 264 B = 256 + 8 written at 27 and 43, accepted at
    /// 59 and 75: data [75,91) [91,92). w.q[0] 288 B = 256 + 32 written at 59 and 75, accepted
    /// at 91 and 92: data [101,117) [117,119). So the channel idles [92,101) in latency, and
    /// q[0] (16 rows × ⌈64/8⌉ = 128 cycles) issues over [119,247), after memory bubbles
    /// (waiting for the input, then for its weights) from 0.
    @Test func firstTransfersAndFirstTileByHand() throws {
        let (r, _) = try runEncoder(tinyModel, tinyConfig(), lengths: [16])
        let channel = stage(r, "channel0").ledger.intervals
        #expect(Array(channel.prefix(5)) == [
            .init(start: Cycle(0), end: Cycle(1), activity: .bubble(.starved)),
            .init(start: Cycle(1), end: Cycle(11), activity: .bubble(.memory)),
            // Data phases are tagged with their transfer's job and layer: the input (layer −1)
            // over [11, 75), layer 0's parameters from 75.
            .init(start: Cycle(11), end: Cycle(75), activity: .busy, tag: ActivityLedger.tag(item: 0, layer: -1)),
            .init(start: Cycle(75), end: Cycle(92), activity: .busy, tag: ActivityLedger.tag(item: 0, layer: 0)),
            .init(start: Cycle(92), end: Cycle(101), activity: .bubble(.memory)),
        ])
        let pe = stage(r, "pe_array").ledger.intervals
        #expect(pe.first == .init(start: Cycle(0), end: Cycle(119), activity: .bubble(.memory)))
        #expect(pe[1].start == Cycle(119) && pe[1].activity == .busy)
    }

    /// The same first transfers with the host's command (H = 50 cycles) and descriptor setup
    /// (D = 5) of §8, by hand. The input's last dependency, the host's command, arrives at 0 + 50;
    /// its descriptor is set up over [50, 55), so everything above shifts by 55: bursts written at
    /// 55 (2) and 56 (2), accepted at 56, 56, 82, 98, data [66, 130). The params' descriptor
    /// ([56, 61)) and w.q[0]'s ([98, 103)) are hidden: their bursts wait for queue room until 82
    /// and 114, as before (27 + 55, 59 + 55). q[0] issues from 174. The PE waits for the
    /// host over [0, 50) (`control`: its first unmet dependency), then for data; the read
    /// engine is `control` over [0, 55) (the host, then the descriptor) and busy at 55 and 56.
    @Test func hostCommandAndDescriptorSetupByHand() throws {
        var config = tinyConfig()
        config.host.layerCommandCycles = 50
        config.memory.descriptorCycles = 5
        let (r, _) = try runEncoder(tinyModel, config, lengths: [16])
        let channel = stage(r, "channel0").ledger.intervals
        #expect(Array(channel.prefix(3)) == [
            .init(start: Cycle(0), end: Cycle(56), activity: .bubble(.starved)),
            .init(start: Cycle(56), end: Cycle(66), activity: .bubble(.memory)),
            .init(start: Cycle(66), end: Cycle(130), activity: .busy, tag: ActivityLedger.tag(item: 0, layer: -1)),
        ])
        let pe = stage(r, "pe_array").ledger.intervals
        #expect(Array(pe.prefix(2)) == [
            .init(start: Cycle(0), end: Cycle(50), activity: .bubble(.control)),
            .init(start: Cycle(50), end: Cycle(174), activity: .bubble(.memory)),
        ])
        #expect(pe[2].start == Cycle(174) && pe[2].activity == .busy, "\(pe.prefix(4))")
        let dma = stage(r, "dma_read").ledger.intervals
        #expect(dma.first == .init(start: Cycle(0), end: Cycle(55), activity: .bubble(.control)))
        #expect(dma[1].start == Cycle(55) && dma[1].end == Cycle(57) && dma[1].activity == .busy)
        // Layer 0 is the model's only layer: one host command.
        #expect(stage(r, "pe_array").bubbles(.control).count >= 50)
    }

    /// With 3 weight slots w.q[1] loads while q[0] computes (done at 145 < 247): q[1] follows
    /// at once. With 1 slot its load may start only when q[0] has finished issuing (247): its
    /// two bursts are written at 247, accepted at 248, data [258,274) [274,276), so the PE
    /// waits [247,276): a 29-cycle memory bubble per tile that could have overlapped.
    @Test func shrinkingOnlyTheWeightBufferTurnsOverlapIntoMemoryBubbles() throws {
        let (overlapped, _) = try runEncoder(tinyModel, tinyConfig(weightKiB: 4), lengths: [16])
        let (single, _) = try runEncoder(tinyModel, tinyConfig(weightKiB: 2), lengths: [16])
        let a = stage(overlapped, "pe_array").ledger.intervals
        // Busy intervals carry their job and layer: job 0, layer 0.
        let tag = ActivityLedger.tag(item: 0, layer: 0)
        #expect(a[1] == .init(start: Cycle(119), end: Cycle(a[1].end.value), activity: .busy, tag: tag))
        #expect(a[1].item == 0 && a[1].layer == 0)
        #expect(a[1].end.value >= 119 + 2 * 128)
        let b = stage(single, "pe_array").ledger.intervals
        #expect(Array(b.prefix(3)) == [
            .init(start: Cycle(0), end: Cycle(119), activity: .bubble(.memory)),
            .init(start: Cycle(119), end: Cycle(247), activity: .busy, tag: tag),
            .init(start: Cycle(247), end: Cycle(276), activity: .bubble(.memory)),
        ])
        let peA = stage(overlapped, "pe_array"), peB = stage(single, "pe_array")
        #expect(peA.busy == peB.busy)
        #expect(peB.bubbles(.memory).count > peA.bubbles(.memory).count + 29 * 40)
        #expect(single.cycles > overlapped.cycles)
        #expect(stage(single, "dma_read").bubbles(.blocked) > stage(overlapped, "dma_read").bubbles(.blocked))
    }

    @Test func everyStageAccountsForEveryCycle() throws {
        let (r, _) = try runEncoder(tinyModel, tinyConfig(), lengths: [5, 16, 9], batch: 3)
        for s in r.stages {
            #expect(s.busy + s.ledger.totalBubbles == s.elapsed, "\(s.name)")
            #expect(s.elapsed == r.cycles)
        }
        // Padded to 16: 30 of 48 rows are real; the PE array's padding share is visible.
        #expect(stage(r, "pe_array").bubbles(.padding).count > 0)
    }

    @Test func designThatCannotHoldATileIsRejected() {
        #expect(throws: DesignError.self) {
            _ = try runEncoder(tinyModel, tinyConfig(weightKiB: 1), lengths: [16])
        }
    }
}
