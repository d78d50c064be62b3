import BertSimCore
import BertSimWorkload
import Testing
@testable import BertSimModels
import BertSimTestSupport

/// The event-driven encoder netlist against the per-cycle reference (docs/encoder-timing.md),
/// and each unit's closed-form cost against a per-cycle reading of the unit.
@Suite struct EncoderReferenceTests {
    static let tieBreaks: [EventQueueKernel.TieBreak] = [.insertion, .random(seed: 7), .random(seed: 12345)]

    /// Runs `scenario` on the native kernel with every tie-break and compares completions,
    /// window and every stage's busy and bubble cycles with the reference; on a difference,
    /// reports where each stage first departs from the reference.
    static func compare(_ scenario: EncoderScenario, tieBreaks: [EventQueueKernel.TieBreak] = tieBreaks) throws {
        let reference = try scenario.reference(records: true)
        for stage in reference.outcome.stages {
            #expect(stage.busy + stage.bubbles.reduce(0, +) == reference.outcome.windowEnd - reference.outcome.windowStart,
                    "reference stage \(stage.name) does not account for every cycle")
        }
        for tie in tieBreaks {
            let result = try scenario.simulate(on: EventQueueKernel(tieBreak: tie), recordsIntervals: true)
            let outcome = EncoderScenario.outcome(result)
            if outcome != reference.outcome {
                let differences = EncoderScenario.differences(reference: reference, result: result)
                let first = differences.map(\.cycle).min() ?? reference.outcome.windowStart
                Issue.record("""
                    \(scenario) [\(tie)]
                    netlist:   \(outcome)
                    reference: \(reference.outcome)
                    \(differences.map(\.description).joined(separator: "\n"))
                    reference tasks around cycle \(first):
                    \(EncoderScenario.tasks(reference, around: first).prefix(40).joined(separator: "\n"))
                    """)
            }
            for s in result.stages { #expect(s.busy + s.ledger.totalBubbles == s.elapsed, "\(s.name)") }
        }
    }

    // MARK: Whole system

    @Test(arguments: EncoderScenario.named.map(\.name))
    func namedScenarioMatchesTheReference(_ name: String) throws {
        try Self.compare(EncoderScenario.named(name)!)
    }

    @Test(arguments: 0..<30)
    func randomScenarioMatchesTheReference(_ seed: Int) throws {
        try Self.compare(EncoderScenario(seed: UInt64(seed)), tieBreaks: [.insertion, .random(seed: UInt64(seed))])
    }

    /// The reference's own accounting, checked against the plan by arithmetic: the PE array
    /// is busy or padding for exactly the sum of its tasks' issue cycles, the channels are
    /// busy for exactly the data cycles of the transactions the DMA engines cut, and the one
    /// request of the tiny layer completes at the window's end.
    @Test(arguments: ["tiny", "two-channels", "one-slot", "closed-batch", "closed-batch-split", "two-layers"])
    func referenceAccountsForThePlan(_ name: String) throws {
        let s = EncoderScenario.named(name)!
        let r = try s.reference(records: true)
        var peIssue = 0, dataCycles = 0
        var jobs: [EncoderJob] = []
        var next = 0
        let requests = s.requests
        let formed = JobTable(model: s.model, config: s.config, clock: s.clock, batch: s.batch) {
            defer { next += 1 }
            return next < requests.count ? requests[next] : nil
        }
        while let j = formed.job(jobs.count) { jobs.append(j) }
        for job in jobs {
            for layer in 0..<s.model.layers {
                let kind: LayerKind = layer == 0 ? .first : .other
                peIssue += job.plan.tasks(kind, .peArray).reduce(0) { $0 + $1.cost.issue }
                // Weights, parameters, and refills in; spills (§6) out.
                for t in job.plan.tasks(kind, .dmaRead) + job.plan.tasks(kind, .dmaWrite) {
                    dataCycles += Self.transactionCycles(t.totalBytes, s)
                }
            }
            for t in job.plan.tasks(.before, .dmaRead) + job.plan.tasks(.after, .dmaWrite) {
                dataCycles += Self.transactionCycles(t.totalBytes, s)
            }
        }
        let pe = r.outcome.stages[0]
        #expect(pe.name == "pe_array")
        #expect(pe.busy + pe.bubbles[BubbleCause.padding.index] == peIssue)
        let channels = r.outcome.stages.filter { $0.name.hasPrefix("channel") }
        #expect(channels.count == s.config.memory.channels)
        #expect(channels.reduce(0) { $0 + $1.busy } == dataCycles)
        #expect(r.outcome.completions.max() == r.outcome.windowEnd)
        #expect(r.jobs == jobs.count)
        // Padding only where there are pad tokens.
        let padded = jobs.contains { $0.shape.usefulRows < $0.shape.rows }
        #expect((pe.bubbles[BubbleCause.padding.index] > 0) == padded)
    }

    /// §7's padding share, recomputed from the spec for every compute task of a padded job:
    /// busy = ⌊I × useful / total⌋ with useful / total the share of the task's work (MACs or
    /// elements) on real tokens. For `pv` that is l² / Lp² (real rows × real inner positions),
    /// which the spec's parenthesis ("rows; for qk/softmax, rows × columns") would make l / Lp.
    @Test func usefulIssueIsTheShareOfWorkOnRealTokens() {
        let model = EncoderScenario.tinyModel()
        var config = EncoderScenario.tinyConfig()
        config.peArray!.processingUnits = 1
        config.peArray!.pesPerUnit = 6  // column groups of 6: qk groups 0–1 real, 2 partly, 3 pad only
        let shape = JobShape(lengths: [5, 16, 9], paddedLength: 19)
        let plan = JobPlan(model: model, config: config, shape: shape)
        let lp = shape.paddedLength, rows = shape.rows, real = shape.usefulRows
        let pn = config.array.lanes
        func width(_ columns: Int, _ g: Int) -> Int { min(pn, columns - g * pn) }
        // §8: the busy share is of the data cycles; control on pad rows is padding.
        func check(_ t: PlannedTask, _ useful: Int, _ total: Int) {
            #expect(t.usefulIssue == (t.cost.issue - t.cost.control) * useful / total, "\(t.kind.label)")
        }
        for kind in [LayerKind.first, .other] {
            for t in plan.tasks(kind, .peArray) {
                guard case .gemm(let name, let pair, let g) = t.kind else { Issue.record("\(t.kind.label)"); continue }
                switch name {
                case "qk":
                    let l = shape.lengths[pair! / model.heads]
                    let w = width(lp, g)
                    let realColumns = max(0, min(l, g * pn + w) - g * pn)
                    check(t, l * model.headSize * realColumns, lp * model.headSize * w)
                case "pv":
                    let l = shape.lengths[pair! / model.heads]
                    check(t, l * l * width(model.headSize, g), lp * lp * width(model.headSize, g))
                default:
                    check(t, real, rows)
                }
            }
            for t in plan.tasks(kind, .softmax) {
                guard case .softmax(let p) = t.kind else { continue }
                let l = shape.lengths[p / model.heads]
                check(t, l * l, lp * lp)
            }
            for t in plan.tasks(kind, .layerNorm) { check(t, real * model.hidden, rows * model.hidden) }
            for t in plan.tasks(kind, .gelu) {
                guard case .gelu(let g) = t.kind else { continue }
                check(t, real * width(model.ffn, g), rows * width(model.ffn, g))
            }
        }
    }

    static func transactionCycles(_ bytes: Int, _ s: EncoderScenario) -> Int {
        let burst = s.config.memory.burstBytes
        return stride(from: 0, to: bytes, by: burst).reduce(0) { $0 + s.config.dataCycles(bytes: min(burst, bytes - $1), clock: s.clock) }
    }

    /// The tiny layer by hand, on the reference. The PE array's program is 8 column groups
    /// × 4 weight GEMMs of 16 rows × ⌈64/8⌉ = 128 cycles, qk 2 groups × 16 × ⌈32/4⌉ = 256
    /// per pair, pv 4 groups × 16 × ⌈16/4⌉ = 256 per pair, ffn1 32 × 128, ffn2 8 × 16 × 32:
    /// 4096 + 1024 + 4096 + 4096 = 13312 issue cycles.
    ///
    /// The start, cycle by cycle: the read engine writes 4 of the input's 16 transactions of
    /// 64 bytes at 0 (the queue holds O = 4) and 4 more at 1, when the channel has accepted
    /// the first 4; then the queue is full (`blocked`) until the first data phase ends at
    /// 21 + 16 = 37 and frees a slot. The channel is starved at 0, waits out L = 20 from 1,
    /// and then moves 4 bytes a cycle without a gap through the input (1024 bytes), the
    /// parameters (264) and the first two weight tiles (288 each): the PE array starts q[0] at
    /// 21 + (1024 + 264 + 288) / 4 = 415 and issues q, k, v, qk and pv back to back for
    /// 24 × 128 + 4 × 256 = 4096 cycles, then waits L_pe = 9 for the last pv. The third tile
    /// needs q[0]'s slot (S = 2): written at q[0]'s issue end 543, accepted at 544, so the
    /// channel starves from 487 (the second tile's end) to 544 and waits on memory to 564.
    @Test func tinyLayerByHand() throws {
        let r = try EncoderScenario.named("tiny")!.reference(records: true)
        let pe = r.outcome.stages[0]
        #expect(pe.busy == 13312)
        #expect(pe.bubbles[BubbleCause.padding.index] == 0)
        #expect(r.outcome.windowStart == 0)
        #expect(r.weightSlots == 2)
        // One job, one layer: the window ends at the output's done.
        #expect(r.outcome.completions == [r.outcome.windowEnd])
        for s in r.outcome.stages { #expect(s.bubbles[BubbleCause.imbalance.index] == 0) }
        func prefix(_ stage: String, _ n: Int) -> [String] {
            let i = r.outcome.stages.firstIndex { $0.name == stage }!
            return r.timelines[i].prefix(n).map(\.description)
        }
        #expect(prefix("pe_array", 3) == ["0..<415 memory", "415..<4511 busy", "4511..<4520 dependency"])
        #expect(prefix("dma_read", 4) == ["0..<2 busy", "2..<37 blocked", "37..<38 busy", "38..<53 blocked"])
        #expect(prefix("channel0", 6) == ["0..<1 starved", "1..<21 memory", "21..<487 busy", "487..<544 starved",
                                          "544..<564 memory", "564..<636 busy"])
        // softmax[0] starts when qk[0] (415 + 3072 + 256 = 3743) is done, L_pe = 9 later.
        #expect(prefix("softmax", 2) == ["0..<3752 dependency", "3752..<3816 busy"])
    }

    // MARK: Units

    /// Arrays with and without the row overhead and a slow quantizer (§8), among them one whose
    /// overhead outlasts its pipeline (the last result is out before issue ends) and one whose
    /// quantizer bounds short rows.
    static let peArrays: [EncoderConfig.PEArray] = [
        .init(processingUnits: 2, pesPerUnit: 4, multipliersPerPE: 8),
        .init(processingUnits: 1, pesPerUnit: 1, multipliersPerPE: 2, multiplierLatency: 0, adderTreeLatency: 0,
              accumulatorLatency: 0, quantizationLatency: 0, rowOverhead: 0),
        .init(processingUnits: 3, pesPerUnit: 2, multipliersPerPE: 6, multiplierLatency: 2, adderTreeLatency: 0,
              accumulatorLatency: 5, quantizationLatency: 1, rowOverhead: 3),
        .init(processingUnits: 16, pesPerUnit: 16, multipliersPerPE: 16, multiplierLatency: 1, adderTreeLatency: 4,
              accumulatorLatency: 2, quantizationLatency: 3, rowOverhead: 0, quantizerOutputsPerCycle: 1),
        .init(processingUnits: 2, pesPerUnit: 8, multipliersPerPE: 4, multiplierLatency: 1, adderTreeLatency: 1,
              accumulatorLatency: 1, quantizationLatency: 1, rowOverhead: 12, quantizerOutputsPerCycle: 3),
    ]

    @Test(arguments: 0..<5)
    func gemmTileMatchesThePerCycleBIMPipeline(_ p: Int) {
        let pe = Self.peArrays[p]
        let config = EncoderScenario.tinyConfig()
        var c = config
        c.peArray = pe
        for (rows, k, width) in [(1, 1, 1), (16, 64, 8), (5, 33, 3), (7, 7, pe.processingUnits * pe.pesPerUnit), (3, 256, 1)] {
            for mode in [MultiplyMode.activationWeight, .activationActivation, .probabilityActivation] {
                for precision in [EncoderConfig.Precision(), .init(weightBits: 8, activationBits: 8),
                                  .init(weightBits: 16, activationBits: 16, softmaxBits: 16)] {
                    c.precision = precision
                    let (a, b) = mode == .activationWeight ? (precision.activationBits, precision.weightBits)
                        : mode == .activationActivation ? (precision.activationBits, precision.activationBits)
                        : (precision.softmaxBits, precision.activationBits)
                    let w = min(width, pe.processingUnits * pe.pesPerUnit)
                    let reference = EncoderUnitReferences.gemmTile(pe, rows: rows, k: k, width: w, aBits: a, bBits: b)
                    #expect(c.gemmTile(rows: rows, k: k, width: w, mode: mode).timing == reference.timing,
                            "rows \(rows) k \(k) width \(w) \(mode) \(a)×\(b)")
                }
            }
        }
    }

    /// By hand: 2 rows of K = 5 on m = 2 → 3 chunks a row, 6 issue cycles (0…5); the last
    /// chunk leaves the multiplier (1), trees (0), accumulator (5) at boundary 12, the
    /// quantization unit (1) at 13: latency 13 − 6 = 7 = L_pe.
    @Test func gemmTileReferenceByHand() {
        let pe = EncoderConfig.PEArray(processingUnits: 1, pesPerUnit: 2, multipliersPerPE: 2, multiplierLatency: 1,
                                       adderTreeLatency: 0, accumulatorLatency: 5, quantizationLatency: 1, rowOverhead: 0)
        let r = EncoderUnitReferences.gemmTile(pe, rows: 2, k: 5, width: 2, aBits: 8, bBits: 4)
        #expect(r == TaskCost(issue: 6, latency: 7, work: 2 * 5 * 2, laneSlots: 6 * 2 * 2))
    }

    /// By hand, with the row overhead (§8): the same tile with r = 4: row 0's chunks at 0, 1, 2,
    /// idle 3…6, row 1's at 7, 8, 9, idle 10…13: issue 14, control 8. Row 1's last chunk (cycle
    /// 9) leaves the quantization unit at boundary 9 + 1 + 1 + 0 + 5 + 1 = 17: latency 17 − 14 = 3
    /// = L_pe − r. The closed form: t = max(3 + 4, ⌈2/1⌉) = 7 a row, 2 × 7 = 14.
    @Test func gemmTileWithRowOverheadByHand() {
        let pe = EncoderConfig.PEArray(processingUnits: 1, pesPerUnit: 2, multipliersPerPE: 2, multiplierLatency: 1,
                                       adderTreeLatency: 0, accumulatorLatency: 5, quantizationLatency: 1, rowOverhead: 4)
        let expected = TaskCost(issue: 14, latency: 3, work: 20, laneSlots: 6 * 2 * 2, control: 8)
        #expect(EncoderUnitReferences.gemmTile(pe, rows: 2, k: 5, width: 2, aBits: 8, bBits: 4) == expected)
        var config = EncoderScenario.tinyConfig()
        config.peArray = pe
        #expect(config.gemmTile(rows: 2, k: 5, width: 2, mode: .activationWeight).timing == expected)
        // A quantizer of 1 output a cycle on N = 8 outputs bounds 3-cycle rows to 8: rows of
        // max(3 + 0, 8) = 8 cycles, 5 of them control.
        let slow = EncoderConfig.PEArray(processingUnits: 1, pesPerUnit: 8, multipliersPerPE: 2, rowOverhead: 0)
        config.peArray = slow
        let c = config.gemmTile(rows: 3, k: 5, width: 8, mode: .activationWeight)
        #expect(c.issue == 24 && c.control == 15)
        #expect(EncoderUnitReferences.gemmTile(slow, rows: 3, k: 5, width: 8, aBits: 8, bBits: 4).timing == c.timing)
    }

    static let specialUnits: [EncoderConfig.SpecialUnit] = [
        .init(lanes: 1, middleLatency: 0, outputLatency: 0),
        .init(lanes: 4, middleLatency: 8, outputLatency: 2),
        .init(lanes: 3, middleLatency: 1, outputLatency: 7),
        .init(lanes: 64, middleLatency: 20, outputLatency: 1),
    ]

    @Test(arguments: 0..<4)
    func rowPipelineMatchesThePerCycleThreePassUnit(_ u: Int) {
        let unit = Self.specialUnits[u]
        let config = EncoderScenario.tinyConfig()
        for (rows, n) in [(1, 1), (16, 16), (5, 7), (3, 64), (48, 13)] {
            let reference = EncoderUnitReferences.rowPipeline(unit, rows: rows, n: n)
            #expect(config.rowPipeline(unit, rows: rows, n: n).timing == reference.timing, "rows \(rows) n \(n)")
        }
    }

    /// By hand: 2 rows of 5 on 2 lanes → 3 cycles a pass; row 1's pass 1 at 3…5, pass 2 at
    /// 6…8, the reciprocal 4 cycles, pass 3 at 13…15, the output 1 cycle: out at 17 = 6 + 11
    /// (= 2c + L_rcp + L_so).
    @Test func rowPipelineReferenceByHand() {
        let r = EncoderUnitReferences.rowPipeline(.init(lanes: 2, middleLatency: 4, outputLatency: 1), rows: 2, n: 5)
        #expect(r == TaskCost(issue: 6, latency: 11, work: 10, laneSlots: 12))
    }

    @Test(arguments: 0..<4)
    func elementwiseMatchesThePerCycleLUT(_ u: Int) {
        let unit = Self.specialUnits[u]
        let config = EncoderScenario.tinyConfig()
        for elements in [1, 7, 64, 100, 4096] {
            #expect(config.elementwise(unit, elements: elements).timing == EncoderUnitReferences.elementwise(unit, elements: elements).timing,
                    "elements \(elements)")
        }
    }

    /// §5 in closed form: accepted at `t_j = max(r_j + 1, t_{j−1}, e_{j−O})` (in order of
    /// request cycle, read engine first; a slot frees at the end of a data phase), data from
    /// `s_j = max(t_j + L, e_{j−1})` for `dataCycles` cycles.
    static func channelClosedForm(_ memory: EncoderConfig.Memory, clock: Clock,
                                  _ requests: [EncoderUnitReferences.ChannelRequest]) -> [EncoderUnitReferences.ChannelTiming] {
        var config = EncoderScenario.tinyConfig()
        config.memory = memory
        let order = requests.indices.sorted {
            (requests[$0].requestCycle, requests[$0].fromReadEngine ? 0 : 1, $0)
                < (requests[$1].requestCycle, requests[$1].fromReadEngine ? 0 : 1, $1)
        }
        var out = [EncoderUnitReferences.ChannelTiming](repeating: .init(accepted: 0, start: 0, end: 0), count: requests.count)
        var ends: [Int] = []
        var lastAccepted = 0
        for id in order {
            var t = max(requests[id].requestCycle + 1, lastAccepted)
            if ends.count >= memory.maxOutstanding { t = max(t, ends[ends.count - memory.maxOutstanding]) }
            let s = max(t + memory.latencyCycles, ends.last ?? 0)
            let e = s + config.dataCycles(bytes: requests[id].bytes, clock: clock)
            out[id] = .init(accepted: t, start: s, end: e)
            ends.append(e)
            lastAccepted = t
        }
        return out
    }

    @Test(arguments: 0..<40)
    func channelMatchesThePerCycleBus(_ seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        func pick(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(rng.next() % UInt64(r.count)) }
        let clock = Clock(kilohertz: [100_000, 187_500, 200_000, 300_000][pick(0...3)])
        let memory = EncoderConfig.Memory(
            channels: 1, bandwidthMBps: pick(50...20_000), latencyCycles: pick(0...40), axiWidthBytes: [4, 8, 16, 64][pick(0...3)],
            maxOutstanding: pick(1...6), burstBytes: 256)
        var requests: [EncoderUnitReferences.ChannelRequest] = []
        var cycles = [0, 0]
        for _ in 0..<pick(1...25) {
            let read = pick(0...2) > 0
            cycles[read ? 0 : 1] += pick(0...1) == 0 ? 0 : pick(0...60)
            requests.append(.init(bytes: pick(1...256), requestCycle: cycles[read ? 0 : 1], fromReadEngine: read))
        }
        let perCycle = EncoderUnitReferences.channel(memory, clock: clock, requests: requests)
        #expect(perCycle == Self.channelClosedForm(memory, clock: clock, requests), "\(memory) \(clock) \(requests)")
    }

    /// By hand: O = 1, L = 3, 8 bytes a cycle on a 16-byte bus. A (64 B, read, cycle 0) and
    /// B (16 B, write, cycle 0): A first on the tie, accepted at 1, data 4…12 (8 cycles);
    /// B waits for A's slot: accepted at 12, data 15…17.
    @Test func channelReferenceByHand() {
        let memory = EncoderConfig.Memory(channels: 1, bandwidthMBps: 1600, latencyCycles: 3, axiWidthBytes: 16,
                                          maxOutstanding: 1, burstBytes: 64)
        let r = EncoderUnitReferences.channel(memory, clock: Clock(kilohertz: 200_000), requests: [
            .init(bytes: 16, requestCycle: 0, fromReadEngine: false), .init(bytes: 64, requestCycle: 0, fromReadEngine: true),
        ])
        #expect(r == [.init(accepted: 12, start: 15, end: 17), .init(accepted: 1, start: 4, end: 12)])
    }
}
