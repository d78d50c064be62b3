import BertSimCore
import BertSimTestSupport
import BertSimWorkload
import Testing
@testable import BertSimModels

/// The cosimulated length-aware pipeline (docs/length-aware.md §3) against its per-cycle
/// reference, to the cycle.
@Suite struct CosimulatedStagesTests {
    @Test(arguments: CosimulatedScenario.named.map(\.name))
    func namedCasesMatchThePerCycleReference(name: String) throws {
        let scenario = CosimulatedScenario.named.first { $0.name == name }!
        let reference = try scenario.reference()
        let netlist = try scenario.simulate(on: EventQueueKernel())
        #expect(netlist == reference, "\(scenario)\nnetlist   \(netlist)\nreference \(reference)")
    }

    @Test(arguments: 0..<40)
    func randomCasesMatchThePerCycleReference(seed: Int) throws {
        let scenario = CosimulatedScenario(seed: UInt64(seed))
        let reference = try scenario.reference()
        let netlist = try scenario.simulate(on: EventQueueKernel(tieBreak: .random(seed: UInt64(seed))))
        #expect(netlist == reference, "\(scenario)\nnetlist   \(netlist)\nreference \(reference)")
    }
}
