import BertSimCore
import BertSimWorkload
import Testing
@testable import BertSimModels
import BertSimTestSupport

/// A 1 GHz clock, so trace nanoseconds are cycles.
let gigahertz = Clock(kilohertz: 1_000_000)

func simulate(_ config: PipelineNetlist.Config, arrivals: [Int], tokens: [Int],
              tieBreak: EventQueueKernel.TieBreak = .insertion) throws -> SimulationResult {
    let kernel = EventQueueKernel(tieBreak: tieBreak)
    defer { kernel.finish() }
    var i = 0
    let netlist = PipelineNetlist(config, kernel: kernel, clock: gigahertz) {
        defer { i += 1 }
        return i < arrivals.count ? Request(id: i, arrivalNs: arrivals[i], tokens: tokens[i]) : nil
    }
    return try netlist.run()
}

func account(_ s: StageSummary) -> PipelineReference.StageAccount {
    PipelineReference.StageAccount(busy: s.busy.count, bubbles: BubbleCause.allCases.map { s.bubbles($0).count })
}

@Suite struct PipelineNetlistTests {
    /// One stage, L = 3, II = 1, D = 1, W = 4; requests of 8 and 4 tokens at cycle 0.
    /// r0: 2 beats, busy 0..<2, ready 0 + 1 + 3 = 4. The stage holds r0 (D = 1): dependency 2..<4.
    /// At 4 r0 leaves and r1 issues: busy 4..<5, ready 7. Dependency 5..<7. End at 7.
    @Test func singleStageWorkedByHand() throws {
        let config = PipelineNetlist.Config(fifoDepth: 2, stages: [
            .init(name: "s", latency: 3, initiationInterval: 1, depth: 1, lanes: 4)
        ])
        let r = try simulate(config, arrivals: [0, 0], tokens: [8, 4])
        #expect(r.completions == [Cycle(4), Cycle(7)])
        #expect(r.cycles == 7)
        let s = r.stages[0]
        #expect(s.busy == 3)
        #expect(s.bubbles(.dependency) == 4)
        #expect(s.ledger.bubbleIntervals[BubbleCause.dependency.index] == 2)
        #expect(s.busy + s.ledger.totalBubbles == s.elapsed)
        #expect(s.laneUtilization == 12.0 / 12.0)
    }

    /// Two stages, fifos of 1. A: L 1, II 1, D 1. B: L 5, II 5, D 1. Three 1-token requests at 0.
    /// A issues r0@0, r1@1, r2@2; at 3 r2 is ready but fifo A→B holds r1 (B busy until 6):
    /// blocked 3..<6; at 6 B takes r1, r2 leaves A, and A starves to the end.
    /// B: starved 0..<1, then busy 1..<16 (r0 1–6, r1 6–11, r2 11–16). Completions 6, 11, 16.
    @Test func twoStagesWithBackPressureWorkedByHand() throws {
        let config = PipelineNetlist.Config(fifoDepth: 1, stages: [
            .init(name: "a", latency: 1, initiationInterval: 1, depth: 1, lanes: 1),
            .init(name: "b", latency: 5, initiationInterval: 5, depth: 1, lanes: 1),
        ])
        let r = try simulate(config, arrivals: [0, 0, 0], tokens: [1, 1, 1])
        #expect(r.completions == [Cycle(6), Cycle(11), Cycle(16)])
        let (a, b) = (r.stages[0], r.stages[1])
        #expect(a.busy == 3)
        #expect(a.bubbles(.blocked) == 3)
        #expect(a.bubbles(.starved) == 10)
        #expect(b.bubbles(.starved) == 1)
        #expect(b.busy == 15)
        for s in r.stages { #expect(s.elapsed == 16) }
    }

    /// Spaced arrivals starve the stage between requests; latency runs from arrival.
    /// L 2, II 1, D 2, W 1: r0 (3 tokens) at 0 → busy 0..<3, ready 4; r1 (1 token) at 10 →
    /// busy 10..<11, ready 12. Starved 3..<10 and 11..<12.
    @Test func arrivalsStarveTheStage() throws {
        let config = PipelineNetlist.Config(fifoDepth: 2, stages: [
            .init(name: "s", latency: 2, initiationInterval: 1, depth: 2, lanes: 1)
        ])
        let r = try simulate(config, arrivals: [0, 10], tokens: [3, 1])
        #expect(r.completions == [Cycle(4), Cycle(12)])
        #expect(r.latencies == [4, 2])
        #expect(r.stages[0].busy == 4)
        #expect(r.stages[0].bubbles(.starved) == 8)
    }

    /// L = 0 passes a one-beat item through in the cycle it issues.
    @Test func zeroLatencyPassesThroughInTheSameCycle() throws {
        let config = PipelineNetlist.Config(fifoDepth: 1, stages: [
            .init(name: "a", latency: 0, initiationInterval: 1, depth: 1, lanes: 8),
            .init(name: "b", latency: 0, initiationInterval: 2, depth: 1, lanes: 8),
        ])
        let r = try simulate(config, arrivals: [5], tokens: [8])
        #expect(r.completions == [Cycle(5)])
        #expect(r.cycles == 0)
    }

    @Test func eventDrivenMatchesPerCycleReferenceOnRandomNetlists() throws {
        for trial in 0..<300 {
            let p = RandomPipeline(seed: UInt64(trial))
            let reference = p.reference
            for tie in [EventQueueKernel.TieBreak.insertion, .random(seed: UInt64(trial))] {
                let r = try p.simulate(on: EventQueueKernel(tieBreak: tie))
                #expect(RandomPipeline.outcome(r) == reference, "trial \(trial) \(tie)")
                for s in r.stages { #expect(s.busy + s.ledger.totalBubbles == s.elapsed) }
            }
        }
    }
}
