import BertSimCore
import BertSimModels
import BertSimTestSupport
import Foundation
import Testing
@testable import BertSimSystemC

/// The cosimulated length-aware pipeline on SystemC gives its per-cycle reference's outcome:
/// every stage's tiles, transfers and special-unit tasks run as SystemC processes sharing the
/// memory channels. One elaboration per process: each case runs in a child (an exit test).
@Suite struct CosimulatedSystemCTests {
    @Test(arguments: ["two-stages", "two-stages-spill", "three-stages-shared-special-units"])
    func namedCaseMatchesTheReference(_ name: String) async throws {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) { [name = name as String] in
            let outcome = try CosimulatedScenario.named.first { $0.name == name }!.simulate(on: try SystemCKernel())
            print(outcome)
        }
        let output = String(decoding: result?.standardOutputContent ?? [], as: UTF8.self)
        let reference = try CosimulatedScenario.named.first { $0.name == name }!.reference()
        #expect(output.split(separator: "\n").first.map(String.init) == reference.description)
    }

    /// A random case with three stages or more.
    @Test func randomCaseMatchesTheReference() async throws {
        let seed: UInt64 = 4
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) { [seed = seed as UInt64] in
            print(try CosimulatedScenario(seed: seed).simulate(on: try SystemCKernel()))
        }
        let output = String(decoding: result?.standardOutputContent ?? [], as: UTF8.self)
        let reference = try CosimulatedScenario(seed: seed).reference()
        #expect(reference.stages.count >= 3)
        #expect(output.split(separator: "\n").first.map(String.init) == reference.description)
    }
}
