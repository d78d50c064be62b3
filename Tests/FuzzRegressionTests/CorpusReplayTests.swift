import BertSimFuzz
import Foundation
import Testing

/// Every input kept under `Tests/FuzzRegressionTests/Corpus/<target>/` (edge cases written by
/// hand and every crash or hang `make fuzz` ever found) goes through its fuzz target again:
/// each must be handled cleanly (never a crash) and get the verdict listed for it below,
/// accepted or rejected as bad input, so that a valid input that starts being rejected (or a
/// broken one that starts being accepted) fails.
@Suite struct CorpusReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func inputs(_ target: FuzzTarget) -> [String] {
        guard let dir = Bundle.module.url(forResource: target.rawValue, withExtension: nil, subdirectory: "Corpus"),
              let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return names.filter { !$0.hasPrefix(".") }.sorted().map { dir.appendingPathComponent($0).path }
    }

    /// The inputs each target accepts; every other kept input must be rejected. A new input
    /// (`make fuzz` copies findings into the corpus) is rejected unless added here.
    static let accepted: [FuzzTarget: Set<String>] = [
        // The reader takes CRLF lines, a huge batch and an absurd custom model (the design,
        // not the reader, refuses that one).
        .trace: ["batch-huge.trace", "crlf.trace", "custom-model-absurd.trace"],
        .config: ["default.yaml"],
        // A BERT-base-shaped mask does not fit the tiny model the target simulates.
        .mask: ["valid-tiny.masks"],
        .simulate: ["batch-huge.trace", "crlf.trace", "tiny-model.trace", "valid-batch.trace", "valid-mixed.trace"],
    ]

    @Test(arguments: FuzzTarget.allCases)
    func keptInputsGetTheirVerdict(_ target: FuzzTarget) throws {
        let files = Self.inputs(target)
        #expect(files.count >= 3, "the \(target.rawValue) corpus is kept in Tests/FuzzRegressionTests/Corpus/")
        let accepted = Self.accepted[target] ?? []
        var verdicts: [String: FuzzTarget.Verdict] = [:]
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            let name = URL(fileURLWithPath: file).lastPathComponent
            verdicts[name] = target.run(bytes, root: Self.root.path)
            #expect(verdicts[name] == (accepted.contains(name) ? .accepted : .rejected), "\(target.rawValue)/\(name)")
        }
        // Every name listed is in the corpus (a renamed file is not silently dropped).
        #expect(accepted.subtracting(verdicts.keys).isEmpty, "listed but not in the corpus: \(accepted.subtracting(verdicts.keys))")
    }
}
