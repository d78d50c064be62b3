import BertSimCore
import BertSimTestSupport
import BertSimWorkload
import Testing
@testable import BertSimModels

/// Pruned weights in the whole encoder: the netlist against the per-cycle reference, and what
/// pruning changes in the plan.
@Suite struct PrunedEncoderTests {
    static func pruned(_ pattern: Pruning.Pattern, ratio: Double = 0.75, ports: Int = 1) -> Pruning {
        Pruning(pattern: pattern, ratio: ratio, tileRatio: pattern == .hierarchical ? ratio / 2 : 0, tileRows: 4, tileCols: 16,
                lanes: 8, banks: 8, portsPerBank: ports, seed: 11)
    }

    @Test(arguments: ["tiny", "closed-batch", "two-layers", "one-slot"], [Pruning.Pattern.hierarchical, .unstructured, .block, .nm])
    func prunedScenarioMatchesTheReference(_ name: String, _ pattern: Pruning.Pattern) throws {
        var s = EncoderScenario.named(name)!
        s.config.pruning = Self.pruned(pattern)
        try EncoderReferenceTests.compare(s, tieBreaks: [.insertion, .random(seed: 3)])
    }

    /// The plan's weight tiles shrink to their HP bytes, their GEMMs to the sparse engine's
    /// cycles, and unstructured masks put conflict cycles into `imbalance`.
    @Test func planUsesFormatBytesAndEngineCycles() throws {
        let model = EncoderScenario.tinyModel()
        var config = EncoderScenario.tinyConfig()
        let shape = JobShape(lengths: [16], paddedLength: 16)
        let dense = JobPlan(model: model, config: config, shape: shape)
        config.pruning = Self.pruned(.unstructured)
        let w = try PrunedWeights(pruning: config.pruning!, model: model, config: config)
        let plan = JobPlan(model: model, config: config, shape: shape, pruned: w)
        let acc = try #require(plan.pruning)
        let denseWeights = dense.tasks(.first, .dmaRead).flatMap(\.bytes).filter { $0.0 == .weights }.reduce(0) { $0 + $1.1 }
        let weights = plan.tasks(.first, .dmaRead).flatMap(\.bytes).filter { $0.0 == .weights }.reduce(0) { $0 + $1.1 }
        #expect(weights == acc.bytes.reduce(0, +))
        #expect(denseWeights == acc.denseBytes.reduce(0, +))
        #expect(weights == MatrixClass.allCases.reduce(0) { $0 + w.matrices[$1]!.hpBytes })
        let q0 = plan.tasks(.first, .peArray)[0]
        #expect(q0.cost.issue == 2 * w.group(.q, 0).schedule.cycles)  // 16 tokens in blocks of 8
        #expect(acc.stalls.reduce(0, +) > 0)
        let imbalance = plan.tasks(.first, .peArray).reduce(0) { $0 + $1.imbalanceIssue }
        #expect(imbalance == acc.conflictCycles.reduce(0, +) + acc.rowImbalanceCycles.reduce(0, +))
    }

    @Test func hierarchicalHasNoConflictStallsInARun() throws {
        var config = tinyConfig()
        config.pruning = Self.pruned(.hierarchical)
        let (result, _) = try runEncoder(tinyModel, config, lengths: [10, 7])
        let p = try #require(result.pruning)
        #expect(p.totals.stalls.reduce(0, +) == 0 && p.totals.conflictCycles.reduce(0, +) == 0)
        config.pruning = Self.pruned(.unstructured)
        let (u, _) = try runEncoder(tinyModel, config, lengths: [10, 7])
        #expect(u.pruning!.totals.stalls.reduce(0, +) > 0)
    }

    @Test func designErrorsNameTheField() {
        var config = tinyConfig()
        var p = Self.pruned(.hierarchical)
        p.banks = 4
        #expect(throws: DesignError(field: "encoder.pruning.lanes",
                                    "8 lanes > 4 banks: hierarchical pruning gives every lane its own bank in each cycle, so it needs lanes ≤ banks")) {
            try PrunedWeights(pruning: p, model: tinyModel, config: config)
        }
        p = Self.pruned(.unstructured)
        p.tileCols = 24
        config.pruning = p
        #expect(throws: DesignError.self) { try PrunedWeights(pruning: p, model: tinyModel, config: config) }
        p.edgeTiles = .partial
        #expect(throws: Never.self) { try PrunedWeights(pruning: p, model: tinyModel, config: config) }
    }
}
