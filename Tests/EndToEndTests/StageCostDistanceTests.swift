@testable import BertSim
import BertSimCore
import BertSimReport
import Foundation
import Testing

/// How far the isolated stage-cost model (`--stage-costs isolated`) is from the cosimulated
/// pipeline on the shipped workloads (docs/length-aware.md §3.3): every cosimulated report
/// carries the isolated model's window on the same trace, and on the first requests of every
/// shipped closed-batch trace it stays within 3% on the default design (whole traces measure
/// −1.7% to +0.5%).
@Suite struct StageCostDistanceTests {
    static let traces = Shipped.traces.filter { $0.hasSuffix("-batch32.trace") }

    @Test(arguments: traces)
    func isolatedCostsStayCloseToTheCosimulatedRun(_ trace: String) throws {
        var request = SimulationRequest(trace: Paths.repo(trace), config: Paths.repo("hw-configs/default.yaml"), kernel: .native,
                                        scheduler: .lengthAware, limit: 6)
        let cosimulated = try Simulation.run(request)
        let isolatedCycles = try #require(cosimulated.statistics.first { $0.name == "length_aware.isolated_cycles" }?.value)
        let cycles = Double(cosimulated.totals.cycles)
        #expect(abs(isolatedCycles - cycles) / cycles <= 0.03, "\(trace): isolated \(isolatedCycles) vs cosimulated \(cycles)")
        #expect(cosimulated.notes.contains { $0.contains("cosimulated as partitions of one netlist") })
        // The number in the report is the isolated run's own window.
        request.stageCosts = .isolated
        let isolated = try Simulation.run(request)
        #expect(Double(isolated.totals.cycles) == isolatedCycles)
        #expect(!isolated.statistics.contains { $0.name == "length_aware.isolated_cycles" })
        expectIdentity(cosimulated, trace)
    }
}
