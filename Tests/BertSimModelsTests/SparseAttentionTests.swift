import BertSimCore
import BertSimTestSupport
import Foundation
import BertSimWorkload
import Testing
@testable import BertSimModels

/// The tiny BIM design with a sparse attention engine.
func sparseConfig(k: Int = 2, lutLanes: Int = 2, selectorWidth: Int = 2, banks: Int = 4, multipliers: Int = 8) -> EncoderConfig {
    var c = tinyConfig()
    c.peArray!.multipliersPerPE = multipliers
    c.sparse = SparseAttention(keys: .fixed(k), lutLanes: lutLanes, estimatorLatency: 4, selectorWidth: selectorWidth,
                               selectorLatency: 2, gatherBanks: banks, seed: 1)
    return c
}

@Suite struct SparseAttentionCostTests {
    func plan(_ config: EncoderConfig, length: Int = 8, model: ModelSpec = tinyModel) -> JobPlan {
        JobPlan(model: model, config: config, shape: JobShape(lengths: [length], paddedLength: length))
    }

    /// n = 8, D = 32, k = 2, 2 LUT lanes, a 2-wide selector, on 2 PUs × 4 PEs × 8 multipliers:
    /// - estimate: 8 · 8 · 32 = 2,048 LUT products, 2 a cycle: 1,024 cycles, then 4.
    /// - select: 8 queries × ⌈8/2⌉ = 32 cycles; the 2 kept leave ⌈2/2⌉ + 2 = 3 later;
    ///   8 · 8 · 2 = 128 comparisons.
    /// - qk: groups of P = 2 queries; ⌈k/N⌉ · ⌈D·2/M⌉ = 1 · 8 = 8 cycles a group, 4 groups: 32
    ///   (a group's gather of 2 × 2 rows from 4 banks takes at most 4 ≤ 8: hidden).
    /// - softmax over k = 2 with 4 lanes: c = 1, 8 rows: 8 cycles.
    /// - pv: ⌈D/N⌉ · ⌈k·2/M⌉ = 8 passes of 1 data cycle, but each pass's N = 4 outputs take the
    ///   PU's quantization unit (1 a cycle) 4 cycles (§8): 8 × max(1 + 0, 4) = 32 a group, 128
    ///   in all, 96 of them control.
    @Test func eachPhaseByHand() {
        let p = plan(sparseConfig())
        let estimate = p.tasks(.first, .estimator)[0]
        #expect(estimate.cost.issue == 1024)
        #expect(estimate.cost.latency == 4)
        #expect(estimate.cost.work == 2048)
        let select = p.tasks(.first, .selector)[0]
        #expect(select.cost.issue == 32)
        #expect(select.cost.latency == 3)
        #expect(select.cost.work == 128)
        let pe = p.tasks(.first, .peArray)
        let qk = pe[p.attentionPE.lowerBound]
        #expect(qk.kind == .gemm(name: "qk", pair: 0, group: 0))
        #expect(qk.cost.issue == 32)
        #expect(qk.imbalanceIssue == 0)
        #expect(qk.cost.work == 8 * 2 * 32)
        #expect(p.tasks(.first, .softmax)[0].cost.issue == 8)
        let pv = pe[p.attentionPE.upperBound]
        #expect(pv.kind == .gemm(name: "pv", pair: 1, group: 0))
        #expect(pv.cost.issue == 128)
        #expect(pv.controlIssue == 96 && pv.usefulIssue == 32)
        // Two pairs (2 heads), software-pipelined: qk[0], qk[1], pv[0], pv[1].
        #expect(pe[p.attentionPE].map(\.kind.label) == ["qk[0].0", "qk[1].0", "pv[0].0", "pv[1].0"])
    }

    /// Gather conflicts: k = 4 kept rows per query, one bank: a group of 2 queries gathers 8 rows
    /// in 8 cycles. qk with M = 16 computes in ⌈4/4⌉ · ⌈64/16⌉ = 4: 4 cycles of imbalance a group,
    /// 16 over 4 groups; pv ⌈32/4⌉ · ⌈8/16⌉ = 8 hides it.
    @Test func gatherConflictsStallTheExactPhase() {
        let p = plan(sparseConfig(k: 4, banks: 1, multipliers: 16))
        let pe = p.tasks(.first, .peArray)
        let qk = pe[p.attentionPE.lowerBound]
        #expect(qk.cost.issue == 4 * 8)
        #expect(qk.imbalanceIssue == 4 * 4)
        #expect(qk.usefulIssue == 4 * 4)
        #expect(pe[p.attentionPE.upperBound].imbalanceIssue == 0)
        #expect(p.attention?.conflictCycles == 2 * 16)   // both pairs' qk
    }

    @Test func gatherCyclesAreTheBusiestBank() {
        // One bank: every kept row of every query queues on it.
        #expect(JobPlan.gatherCycles(seed: 1, pair: 0, queries: 0..<3, length: 20, paddedLength: 20, keys: 5, banks: 1) == 15)
        // As many banks as rows, one query: its k distinct rows never collide.
        #expect(JobPlan.gatherCycles(seed: 1, pair: 0, queries: 0..<1, length: 16, paddedLength: 16, keys: 7, banks: 16) == 1)
        // In general between the even spread and everything in one bank, and reproducible.
        for seed in 0..<50 as Range<UInt64> {
            let g = JobPlan.gatherCycles(seed: seed, pair: 2, queries: 4..<8, length: 40, paddedLength: 48, keys: 8, banks: 6)
            #expect(g >= (4 * 8).ceilDiv(6) && g <= 4 * 8)
            #expect(g == JobPlan.gatherCycles(seed: seed, pair: 2, queries: 4..<8, length: 40, paddedLength: 48, keys: 8, banks: 6))
        }
    }

    /// At fixed k the exact phase's MACs grow linearly in n, the estimate's LUT products as n².
    @Test func exactWorkIsLinearAndEstimatesQuadraticInN() {
        var c = sparseConfig(k: 16)
        c.buffers.intermediateKiB = 4096
        c.buffers.ioKiB = 1024
        let model = ModelSpec(name: "custom", layers: 1, hidden: 64, heads: 2, headSize: 32, ffn: 256, maxPositions: 512)
        let a = plan(c, length: 64, model: model).attention!, b = plan(c, length: 128, model: model).attention!,
            d = plan(c, length: 256, model: model).attention!
        #expect(b.exactMACs == 2 * a.exactMACs && d.exactMACs == 2 * b.exactMACs)
        #expect(b.lutOps == 4 * a.lutOps && d.lutOps == 4 * b.lutOps)
        #expect(b.comparisons == 4 * a.comparisons)
        #expect(b.denseMACs == 4 * a.denseMACs)
        #expect(a.exactMACs == 2 * 2 * 64 * 16 * 32)   // 2 heads × (qk + pv) × n·k·D
    }

    @Test func kIsClampedToTheLength() {
        let p = plan(sparseConfig(k: 20), length: 8)
        #expect(p.attention?.clampedSequences == 1)
        #expect(SparseAttention.Keys.fixed(20).k(for: 8) == 8)
        #expect(SparseAttention.Keys.fraction(0.25, minimum: 16).k(for: 128) == 32)
        #expect(SparseAttention.Keys.fraction(0.25, minimum: 16).k(for: 40) == 16)
        #expect(SparseAttention.Keys.fraction(0.25, minimum: 16).k(for: 10) == 10)
    }
}

@Suite struct SparseAttentionTimelineTests {
    /// One head (hidden 32 = 1 × 32): the estimate starts when Q and K are done, takes 1,024
    /// cycles; the selection starts 4 cycles (estimator latency) after it and takes 32; the
    /// exact Q·Kᵀ starts 3 cycles (⌈k/w⌉ + 2) after the selection ends (the array is idle then,
    /// its V projection done long before).
    @Test func wholeEngineOnOneHead() throws {
        let model = ModelSpec(name: "custom", layers: 1, hidden: 32, heads: 1, headSize: 32, ffn: 64, maxPositions: 64)
        let (r, _) = try runEncoder(model, sparseConfig(), lengths: [8])
        let estimator = stage(r, "estimator").ledger.intervals.filter { $0.activity == .busy }
        let selector = stage(r, "selector").ledger.intervals.filter { $0.activity == .busy }
        #expect(estimator.count == 1 && estimator[0].end - estimator[0].start == 1024)
        #expect(selector.count == 1 && selector[0].start == estimator[0].end + 4 && selector[0].end - selector[0].start == 32)
        let pe = stage(r, "pe_array").ledger.intervals
        let exact = try #require(pe.first { $0.start >= selector[0].end && $0.activity == .busy })
        #expect(exact.start == selector[0].end + 3)
        for s in r.stages { #expect(s.busy + s.ledger.totalBubbles == s.elapsed, "\(s.name)") }
        let sparse = try #require(r.sparseAttention)
        #expect(sparse.accounting.heads == 1)
        #expect(sparse.massKeptMean == AttentionStatistics.massKept(k: 2, n: 8))
    }

    @Test func denseDesignsHaveNoSparseUnits() throws {
        let (r, _) = try runEncoder(tinyModel, tinyConfig(), lengths: [16])
        #expect(!r.stages.contains { $0.name == "estimator" || $0.name == "selector" })
        #expect(r.sparseAttention == nil)
    }
}

@Suite struct AttentionMassTests {
    @Test func keepingEveryKeyKeepsEverything() {
        #expect(AttentionStatistics.massKept(k: 50, n: 50) == 1)
        #expect(AttentionStatistics.massKept(k: 60, n: 50) == 1)
    }

    /// At a measured length the group's own curve: news windows of 128 keep 0.7145 with 16 keys;
    /// of 512, 0.6068 with 32.
    @Test func measuredLengthsReadTheirGroup() {
        #expect(abs(AttentionStatistics.massKept(k: 16, n: 128) - 0.7145) < 1e-9)
        #expect(abs(AttentionStatistics.massKept(k: 32, n: 512) - 0.6068) < 1e-9)
    }

    /// Below the shortest group (SST-2, 22.4 tokens): 4 of 10 keys read SST-2 at 4 · 22.4 / 10
    /// = 8.96, between (8, 0.8665) and (k90 = 9.218, 0.9): 0.8665 + 0.0335 · 0.96 / 1.218.
    @Test func shortSequencesScaleTheShortestGroup() {
        #expect(abs(AttentionStatistics.massKept(k: 4, n: 10) - (0.8665 + 0.0335 * 0.96 / 1.218)) < 1e-9)
    }

    /// Between two groups, mixed in log length: n = 90 between RTE (67) and news-128.
    @Test func betweenGroupsMixInLogLength() {
        let rte = AttentionStatistics.measured.first { $0.meanLength == 67 }!
        let news = AttentionStatistics.measured.first { $0.meanLength == 128 }!
        let w = (log(90.0) - log(67.0)) / (log(128.0) - log(67.0))
        #expect(abs(AttentionStatistics.massKept(k: 16, n: 90) - ((1 - w) * rte.mass(k: 16) + w * news.mass(k: 16))) < 1e-12)
        // More keys never keep less.
        var last = 0.0
        for k in 1...90 {
            let m = AttentionStatistics.massKept(k: k, n: 90)
            #expect(m >= last)
            last = m
        }
    }
}

/// The event-driven engine with sparse attention against the per-cycle reference.
@Suite struct SparseAttentionReferenceTests {
    @Test(arguments: EncoderScenario.sparseNamed.map(\.name))
    func namedScenarioMatchesTheReference(_ name: String) throws {
        try EncoderReferenceTests.compare(EncoderScenario.sparseNamed(name)!)
    }

    @Test(arguments: 0..<16)
    func randomScenarioMatchesTheReference(_ seed: Int) throws {
        try EncoderReferenceTests.compare(EncoderScenario(sparseSeed: UInt64(seed)),
                                          tieBreaks: [.insertion, .random(seed: UInt64(seed))])
    }

    /// The conflicts case really has gather stalls, seen as imbalance on the array.
    @Test func conflictsShowAsImbalance() throws {
        let r = try EncoderScenario.sparseNamed("sparse-conflicts")!.simulate(on: EventQueueKernel())
        #expect(r.stages[0].bubbles(.imbalance).count > 0)
        #expect(r.sparseAttention!.accounting.conflictCycles == r.stages[0].bubbles(.imbalance).count)
    }
}
