import BertSimCore
import BertSimTestSupport
import BertSimWorkload
import Testing
@testable import BertSimModels

/// W = ⌈s · 60 / p⌉ on every stage: the hand-worked cost of docs/length-aware.md §6.
func handWorkedCost(_ stage: Int, _ s: Int, _ p: Int) -> Int { (s * 60 + p - 1) / p }

func stream(_ lengths: [Int], arrivalsNs: [Int]? = nil) -> () throws -> Request? {
    var i = 0
    return {
        defer { i += 1 }
        return i < lengths.count ? Request(id: i, arrivalNs: arrivalsNs?[i] ?? 0, tokens: lengths[i]) : nil
    }
}

func lengthAware(_ lengths: [Int], stages: Int = 2, units: Int = 4, repartition: Int = 10, arrivalsNs: [Int]? = nil,
                 batch: Int? = nil, cost: @escaping (Int, Int, Int) -> Int = handWorkedCost,
                 bubbles: ((Int, Int, Int) -> [Int])? = nil,
                 kernel: any SimKernel = EventQueueKernel()) throws -> (SimulationResult, LengthAwarePipeline) {
    defer { try? kernel.finish() }
    let pipeline = LengthAwarePipeline(
        .init(stages: stages, processingUnits: units, repartitionCycles: repartition),
        cost: FormulaStageCost(cost, bubbles: bubbles),
        kernel: kernel, clock: Clock(kilohertz: 1_000_000), batch: batch, recordsIntervals: true,
        stream: stream(lengths, arrivalsNs: arrivalsNs))
    return (try pipeline.run(), pipeline)
}

func paddedStages(_ lengths: [Int], stages: Int = 2, units: Int = 4, padTo: Int? = nil, arrivalsNs: [Int]? = nil,
                  batch: Int?, cost: @escaping (Int, Int, Int) -> Int = handWorkedCost) throws -> SimulationResult {
    let kernel = EventQueueKernel()
    defer { kernel.finish() }
    let pipeline = PaddedStagePipeline(stages: stages, processingUnits: units, padTo: padTo, cost: FormulaStageCost(cost),
                                       kernel: kernel, clock: Clock(kilohertz: 1_000_000), batch: batch, recordsIntervals: true,
                                       stream: stream(lengths, arrivalsNs: arrivalsNs))
    return try pipeline.run()
}

@Suite struct LengthAwareHandWorkedTests {
    /// Lengths 8, 32, 8 at cycle 0; P = 4 units, 2 stages, R = 10 (docs/length-aware.md §6).
    /// Priorities: P(s) = 2 · ⌈60 s / 2⌉ = 60 s, so the 32 goes first.
    ///   beat 1 [0, 480):     stage 0 runs the 32 on all 4 units: ⌈1920/4⌉ = 480.
    ///   beat 2 [480, 1130):  stage 0 the first 8, stage 1 the 32. Splits (1,3): max(480, 640)
    ///                        = 640; (2,2): 960; (3,1): 1920 → (1,3), a change: 10 + 640.
    ///                        Stage 0 busy 490–970, blocked 970–1130. The 32 completes at 1130.
    ///   beat 3 [1130, 1380): the second 8 and the first 8: (2,2) gives 240: 10 + 240.
    ///   beat 4 [1380, 1510): stage 1 alone on 4 units: 10 + ⌈480/4⌉ = 130; stage 0 starved.
    @Test func threeRequestsOnTwoStages() throws {
        let (r, pipeline) = try lengthAware([8, 32, 8])
        #expect(r.cycles.count == 1510)
        #expect(r.completions == [Cycle(1380), Cycle(1130), Cycle(1510)])
        let s0 = r.stages[0], s1 = r.stages[1]
        #expect(s0.busy.count == 1200)
        #expect(s0.bubbles(.dependency).count == 20)
        #expect(s0.bubbles(.blocked).count == 160)
        #expect(s0.bubbles(.starved).count == 130)
        #expect(s1.busy.count == 1000)
        #expect(s1.bubbles(.starved).count == 480)
        #expect(s1.bubbles(.dependency).count == 30)
        for s in r.stages {
            #expect(s.bubbles(.padding) == .zero && s.bubbles(.memory) == .zero && s.bubbles(.imbalance) == .zero)
            #expect(s.busy + s.ledger.totalBubbles == s.elapsed && s.elapsed == r.cycles)
        }
        #expect(pipeline.beats == 4)
        #expect(pipeline.repartitions == 3)
        #expect(s0.ledger.intervals.map(\.activity) == [
            .busy, .bubble(.dependency), .busy, .bubble(.blocked), .bubble(.dependency), .busy, .bubble(.starved),
        ])
        #expect(s0.ledger.intervals.map { $0.end.value } == [480, 490, 970, 1130, 1140, 1380, 1510])
        // Unit-cycles: stage 0 used 4·480 + 1·480 + 2·240 of the 4 · 1200 it could.
        #expect(s0.laneUtilization == Double(4 * 480 + 480 + 2 * 240) / Double(4 * 1200))
    }

    /// The same three requests as one closed batch, padded to 32 on the whole array: each
    /// stage runs three 32-token sequences at ⌈1920/4⌉ = 480: 2 × 3 × 480 = 2880 cycles; the 8s
    /// are useful for ⌊480 · 8/32⌋ = 120 of their 480 cycles.
    /// The same three requests when a quarter of every stage's work (⌊W/4⌋) is its own
    /// `control` wait: stage 0 works 480, 480, 240 → control 120 + 120 + 60 = 300, busy 900;
    /// stage 1 works 640, 240, 120 → control 160 + 60 + 30 = 250, busy 750. The schedule, the
    /// repartitions, the blocked and starved cycles and the completions do not move.
    @Test func stagesOwnBubblesShowInsideTheirWork() throws {
        let (r, _) = try lengthAware([8, 32, 8], bubbles: { stage, s, p in
            var v = [Int](repeating: 0, count: BubbleCause.allCases.count)
            v[BubbleCause.control.index] = handWorkedCost(stage, s, p) / 4
            return v
        })
        #expect(r.cycles.count == 1510)
        #expect(r.completions.map(\.value) == [1380, 1130, 1510])
        let s0 = r.stages[0], s1 = r.stages[1]
        #expect(s0.busy.count == 900 && s0.bubbles(.control).count == 300)
        #expect(s0.bubbles(.dependency).count == 20 && s0.bubbles(.blocked).count == 160 && s0.bubbles(.starved).count == 130)
        #expect(s1.busy.count == 750 && s1.bubbles(.control).count == 250)
        #expect(s1.bubbles(.dependency).count == 30 && s1.bubbles(.starved).count == 480)
        // Beat 2 on stage 0: dependency [480, 490), busy [490, 850), control [850, 970), blocked.
        let beat2 = s0.ledger.intervals.filter { $0.start.value >= 480 && $0.end.value <= 1130 }
        #expect(beat2.map { [$0.start.value, $0.end.value] } == [[480, 490], [490, 850], [850, 970], [970, 1130]])
    }

    @Test func threeRequestsPadded() throws {
        let r = try paddedStages([8, 32, 8], batch: 3)
        #expect(r.cycles.count == 2880)
        #expect(r.completions == [Cycle(2880), Cycle(2880), Cycle(2880)])
        let array = r.stages[0]
        #expect(array.busy.count == 2 * (120 + 480 + 120))
        #expect(array.bubbles(.padding).count == 2 * (360 + 360))
        #expect(array.bubbles(.starved) == .zero)
        // The 8s: busy then padding; the 32 busy throughout (merged with the next 8's start).
        let expected: [Activity] = [.busy, .bubble(.padding), .busy, .bubble(.padding), .busy, .bubble(.padding), .busy, .bubble(.padding)]
        #expect(array.ledger.intervals.map(\.activity) == expected)
        #expect(array.ledger.intervals.map { $0.end.value } == [120, 480, 1080, 1440, 1560, 1920, 2520, 2880])
        // Batch 1: no padding; each request alone, one after another: 2 × (120 + 480 + 120).
        let single = try paddedStages([8, 32, 8], batch: nil)
        #expect(single.cycles.count == 1440)
        #expect(single.completions == [Cycle(240), Cycle(1200), Cycle(1440)])
        #expect(single.stages[0].bubbles(.padding) == .zero)
        // --pad-to 64 doubles every sequence's work.
        #expect(try paddedStages([8, 32, 8], padTo: 64, batch: 3).cycles.count == 5760)
    }

    /// Late arrivals leave the pipeline starved until they come; a stage that is the only one
    /// occupied gets every unit.
    @Test func openArrivalsWaitForTheirRequests() throws {
        // 1 GHz clock: ns = cycles. The 8 arrives at 0, the 32 at 5000.
        let (r, _) = try lengthAware([8, 32], arrivalsNs: [0, 5000])
        // Beat 1: the 8 alone on 4 units: 120. Beat 2 [120, 130): stage 1 the 8 on 4 units
        // (split unchanged? no: [4,0] → [0,4], +10): 10 + 120 → completes at 250.
        // Idle until 5000; the 32: stage 0 on [4,0] (+10 change) 480, then stage 1 (+10) 480.
        #expect(r.completions == [Cycle(250), Cycle(5000 + 490 + 490)])
        #expect(r.stages[0].bubbles(.starved).count == (5000 - 120) + 490)
    }
}

@Suite struct LengthAwareReferenceTests {
    /// Random lengths, arrivals, batch sizes, stage counts, unit counts and cost shapes: the
    /// event-driven pipelines match the per-cycle references to the cycle.
    @Test(arguments: 0..<150) func matchesThePerCycleReference(seed: Int) throws {
        var rng = SplitMix64(seed: UInt64(seed) &+ 0x5eed)
        let n = Int.random(in: 1...9, using: &rng)
        let stages = Int.random(in: 1...3, using: &rng)
        let units = Int.random(in: stages...6, using: &rng)
        let repartition = Int.random(in: 0...12, using: &rng)
        let lengths = (0..<n).map { _ in Int.random(in: 1...40, using: &rng) }
        var t = 0
        let arrivals = (0..<n).map { _ in
            t += Bool.random(using: &rng) ? 0 : Int.random(in: 0...600, using: &rng)
            return t
        }
        let batch: Int? = Bool.random(using: &rng) ? nil : Int.random(in: 1...4, using: &rng)
        let a = Int.random(in: 1...9, using: &rng), b = Int.random(in: 0...3, using: &rng), c = Int.random(in: 0...40, using: &rng)
        // Stage-dependent, superlinear in s, sublinear in p.
        let cost: (Int, Int, Int) -> Int = { stage, s, p in max(1, (a * s + b * s * s / 8 + c + stage * 7) * 2 / (p + 1)) }
        // Half the time the stages have bubbles of their own (a share of W in two causes).
        let own = Bool.random(using: &rng)
        let d = Int.random(in: 2...7, using: &rng), e = Int.random(in: 3...9, using: &rng)
        let bubbles: ((Int, Int, Int) -> [Int])? = own ? { stage, s, p in
            let w = cost(stage, s, p)
            var v = [Int](repeating: 0, count: BubbleCause.allCases.count)
            v[BubbleCause.control.index] = w / d
            v[BubbleCause.memory.index] = (w - w / d) / e
            return v
        } : nil
        let (r, pipeline) = try lengthAware(lengths, stages: stages, units: units, repartition: repartition,
                                            arrivalsNs: arrivals, batch: batch, cost: cost, bubbles: bubbles)
        let ref = StagePipelineReference.lengthAware(stages: stages, units: units, repartition: repartition,
                                                     lengths: lengths, arrivals: arrivals, batch: batch, work: cost,
                                                     bubbles: bubbles)
        #expect(r.completions.map(\.value) == ref.completions)
        #expect(r.stages.map(account) == ref.stages)
        #expect(r.windowStart.value == ref.start && r.windowEnd.value == ref.end)
        #expect(pipeline.repartitions == ref.repartitions)
        for s in r.stages { #expect(s.busy + s.ledger.totalBubbles == s.elapsed) }

        let padTo: Int? = Bool.random(using: &rng) ? nil : Int.random(in: 1...48, using: &rng)
        let padded = try paddedStages(lengths, stages: stages, units: units, padTo: padTo, arrivalsNs: arrivals,
                                      batch: batch, cost: cost)
        let pref = StagePipelineReference.padded(stages: stages, units: units, padTo: padTo, lengths: lengths,
                                                 arrivals: arrivals, batch: batch, work: cost)
        #expect(padded.completions.map(\.value) == pref.completions)
        #expect(padded.stages.map(account) == pref.stages)
        #expect(padded.windowEnd.value == pref.end)
    }

}
