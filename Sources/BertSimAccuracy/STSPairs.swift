import BertSimCore
import Foundation

/// Sentence pairs with human similarity scores (`data/text/sts-pairs.tsv`): a header line, then
/// `index`, `genre`, `sentence1`, `sentence2`, `score` (0–5) separated by tabs.
public struct STSPairs: Sendable, Equatable {
    /// One pair.
    public struct Pair: Sendable, Equatable {
        public var index: String
        public var first: String
        public var second: String
        public var score: Double
    }

    public var path: String
    public var pairs: [Pair]

    public static let header = ["index", "genre", "sentence1", "sentence2", "score"]

    public init(path: String) throws(InputError) {
        let text = try InputFile.text(path)
        try self.init(text: text, path: path)
    }

    public init(text: String, path: String) throws(InputError) {
        self.path = path
        pairs = []
        var lineNumber = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.isEmpty { continue }
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if lineNumber == 1 {
                guard cells == Self.header else {
                    throw InputError(file: path, line: 1, "the header must be '\(Self.header.joined(separator: "<tab>"))'")
                }
                continue
            }
            guard cells.count == 5 else { throw InputError(file: path, line: lineNumber, "expected 5 tab-separated columns, found \(cells.count)") }
            guard let score = Double(cells[4]), (0...5).contains(score) else {
                throw InputError(file: path, line: lineNumber, field: "score", "'\(cells[4])' is not a number from 0 to 5")
            }
            pairs.append(Pair(index: cells[0], first: cells[2], second: cells[3], score: score))
        }
        guard !pairs.isEmpty else { throw InputError(file: path, "no pairs") }
    }
}
