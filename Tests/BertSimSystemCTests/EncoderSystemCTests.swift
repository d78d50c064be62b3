import BertSimCore
import BertSimModels
import BertSimTestSupport
import Foundation
import Testing
@testable import BertSimSystemC

/// The encoder netlist on SystemC gives the per-cycle reference's completions, window and
/// every stage's busy and bubble cycles. SystemC allows one elaboration per process, so each
/// case runs in a fresh child process (a Swift Testing exit test) and prints its outcome.
@Suite struct EncoderSystemCTests {
    /// The tiny layer, two channels, and a closed batch that splits into three jobs.
    static let namedCases = ["tiny", "two-channels", "closed-batch-split"]

    @Test(arguments: namedCases)
    func namedScenarioMatchesTheReference(_ name: String) async throws {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) { [name = name as String] in
            let r = try EncoderScenario.named(name)!.simulate(on: try SystemCKernel())
            print(EncoderScenario.outcome(r))
        }
        let output = String(decoding: result?.standardOutputContent ?? [], as: UTF8.self)
        let reference = try EncoderScenario.named(name)!.reference().outcome
        #expect(output.split(separator: "\n").first.map(String.init) == reference.description)
    }

    /// A random tiny case: a closed batch of 3 split into sub-batches (4 jobs) on 3 channels,
    /// with transfers whose last transaction ends before an earlier one.
    @Test func randomScenarioMatchesTheReference() async throws {
        let seed: UInt64 = 23
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) { [seed = seed as UInt64] in
            let r = try EncoderScenario(seed: seed).simulate(on: try SystemCKernel())
            print(EncoderScenario.outcome(r))
        }
        let output = String(decoding: result?.standardOutputContent ?? [], as: UTF8.self)
        let reference = try EncoderScenario(seed: seed).reference().outcome
        #expect(output.split(separator: "\n").first.map(String.init) == reference.description)
    }

    /// A systolic array: weight-stationary 5 × 6 on 4-bit PEs with partial folds and column
    /// groups, a closed batch of three on two channels.
    @Test func systolicScenarioMatchesTheReference() async throws {
        let name = "systolic-ws-partial"
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) { [name = name as String] in
            let r = try EncoderScenario.systolicNamed(name)!.simulate(on: try SystemCKernel())
            print(EncoderScenario.outcome(r))
        }
        let output = String(decoding: result?.standardOutputContent ?? [], as: UTF8.self)
        let reference = try EncoderScenario.systolicNamed(name)!.reference().outcome
        #expect(output.split(separator: "\n").first.map(String.init) == reference.description)
    }

    /// Sparse attention on SystemC: the conflicts case and a padded batch.
    @Test(arguments: ["sparse-conflicts", "sparse-batch"])
    func sparseScenarioMatchesTheReference(_ name: String) async throws {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) { [name = name as String] in
            let r = try EncoderScenario.sparseNamed(name)!.simulate(on: try SystemCKernel())
            print(EncoderScenario.outcome(r))
        }
        let output = String(decoding: result?.standardOutputContent ?? [], as: UTF8.self)
        let reference = try EncoderScenario.sparseNamed(name)!.reference().outcome
        #expect(output.split(separator: "\n").first.map(String.init) == reference.description)
    }
}
