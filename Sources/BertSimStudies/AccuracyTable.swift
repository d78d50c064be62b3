import BertSimCore
import Foundation

/// Task accuracies of model variants, supplied by the user for `bertsim select`
/// (docs/selection.md, "Accuracy table").
///
/// A CSV file: `#` comment lines and blank lines are skipped; the first other line is the
/// header `model,pruning,quantization,accuracy`; then one variant per line. `model` is a
/// trace's model name (`bert-base`, …), `pruning` is `dense` or a pruning name, and
/// `quantization` is `fp32`, `fp16` or `w<weight bits>a<activation bits>` (`w4a8`); all
/// lowercase. `accuracy` is the task metric in percent (0…100). A table holds one task's
/// numbers (say so in its comments); a variant appears once.
public struct AccuracyTable: Sendable, Equatable {
    /// A model variant: which model, how it is pruned, how it is quantized.
    public struct Key: Hashable, Sendable, CustomStringConvertible {
        public var model: String
        public var pruning: String
        public var quantization: String

        public init(model: String, pruning: String, quantization: String) {
            self.model = model
            self.pruning = pruning
            self.quantization = quantization
        }

        public var description: String { "\(model), \(pruning), \(quantization)" }
    }

    /// The file the table came from.
    public var path: String
    public var accuracies: [Key: Double]

    public static let header = ["model", "pruning", "quantization", "accuracy"]

    public init(path: String, accuracies: [Key: Double]) {
        self.path = path
        self.accuracies = accuracies
    }

    /// Reads and checks a table; every error names the file, the line and the column.
    public init(path: String) throws(InputError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        guard !data.contains(0), let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, line: 1, "not a text file (binary data or not UTF-8)")
        }
        try self.init(text: text, path: path)
    }

    /// Parses the text of a table read from `path`.
    public init(text: String, path: String) throws(InputError) {
        self.path = path
        accuracies = [:]
        var sawHeader = false
        var lineNumber = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard sawHeader else {
                guard cells == Self.header else {
                    throw InputError(file: path, line: lineNumber,
                                     "the header must be '\(Self.header.joined(separator: ","))', not '\(line)'")
                }
                sawHeader = true
                continue
            }
            guard cells.count == Self.header.count else {
                throw InputError(file: path, line: lineNumber, "expected \(Self.header.count) comma-separated values "
                                 + "(\(Self.header.joined(separator: ","))), found \(cells.count)")
            }
            for (column, value) in zip(Self.header.prefix(3), cells.prefix(3)) {
                guard !value.isEmpty else { throw InputError(file: path, line: lineNumber, field: column, "is empty") }
                guard value.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || "-_./".contains($0)) }) else {
                    throw InputError(file: path, line: lineNumber, field: column,
                                     "'\(value)' must be lowercase letters, digits and - _ . /")
                }
            }
            guard Self.isQuantization(cells[2]) else {
                throw InputError(file: path, line: lineNumber, field: "quantization",
                                 "'\(cells[2])' is not fp32, fp16 or w<bits>a<bits> (e.g. w4a8)")
            }
            guard let accuracy = Double(cells[3]), accuracy.isFinite, (0...100).contains(accuracy) else {
                throw InputError(file: path, line: lineNumber, field: "accuracy", "'\(cells[3])' is not a percentage from 0 to 100")
            }
            let key = Key(model: cells[0], pruning: cells[1], quantization: cells[2])
            guard accuracies[key] == nil else {
                throw InputError(file: path, line: lineNumber, "\(key) appears twice")
            }
            accuracies[key] = accuracy
        }
        guard sawHeader else {
            throw InputError(file: path, "no header: expected '\(Self.header.joined(separator: ","))'")
        }
    }

    public subscript(key: Key) -> Double? { accuracies[key] }

    /// The quantization name of a datapath: `w4a8` for 4-bit weights and 8-bit activations.
    public static func quantization(weightBits: Int, activationBits: Int) -> String { "w\(weightBits)a\(activationBits)" }

    static func isQuantization(_ s: String) -> Bool {
        if s == "fp32" || s == "fp16" { return true }
        guard s.hasPrefix("w"), let a = s.dropFirst().firstIndex(of: "a") else { return false }
        let weights = s[s.index(after: s.startIndex)..<a]
        let activations = s[s.index(after: a)...]
        return !weights.isEmpty && !activations.isEmpty && weights.allSatisfy(\.isNumber) && activations.allSatisfy(\.isNumber)
    }
}
