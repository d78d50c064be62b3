import BertSimFuzz
import Foundation
import Testing

/// Every input kept under `Tests/FuzzRegressionTests/Corpus/<target>/` (edge cases written by
/// hand and every crash or hang `make fuzz` ever found) goes through its fuzz target again:
/// each must be accepted or rejected as bad input, never crash.
@Suite struct CorpusReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func inputs(_ target: FuzzTarget) -> [String] {
        guard let dir = Bundle.module.url(forResource: target.rawValue, withExtension: nil, subdirectory: "Corpus"),
              let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return names.filter { !$0.hasPrefix(".") }.sorted().map { dir.appendingPathComponent($0).path }
    }

    @Test(arguments: FuzzTarget.allCases)
    func keptInputsAreHandled(_ target: FuzzTarget) throws {
        let files = Self.inputs(target)
        #expect(files.count >= 3, "the \(target.rawValue) corpus is kept in Tests/FuzzRegressionTests/Corpus/")
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            target.run(bytes, root: Self.root.path)
        }
    }
}
