import BertSimAccuracy
import BertSimCore
import Foundation
import Testing

/// The installed model and the repository's data, shared by the accuracy tests. Tests that need
/// the model fail (never skip) when it is missing, with the line that says how to install it.
enum TestModel {
    /// The package root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func repo(_ path: String) -> String { root.appendingPathComponent(path).path }

    static func fixture(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil)!
    }

    static let loaded: Result<ModelWeights, InputError> = Result { () throws(InputError) in
        try ModelWeights(directory: .standard())
    }

    /// The model's weights, or a failing expectation naming how to install it.
    static func weights() throws -> ModelWeights {
        switch loaded {
        case .success(let w): return w
        case .failure(let e):
            Issue.record("\(e.description)")
            throw e
        }
    }

    static let tokenizerResult: Result<WordPieceTokenizer, InputError> = Result { () throws(InputError) in
        let dir = ModelDirectory.standard()
        try dir.check()
        return try WordPieceTokenizer(vocabularyPath: dir.vocabulary)
    }

    static func tokenizer() throws -> WordPieceTokenizer {
        switch tokenizerResult {
        case .success(let t): return t
        case .failure(let e):
            Issue.record("\(e.description)")
            throw e
        }
    }
}
