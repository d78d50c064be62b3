import BertSimCore
import BertSimModels
import Foundation

/// Task accuracies of model variants, for `bertsim select` (docs/selection.md, "Accuracy
/// table").
///
/// A CSV file: `#` comment lines and blank lines are skipped; the first other line is the
/// header; then one variant per line. Two headers are read:
/// - `model,quantization,pruning,attention,accuracy`: a variant as ``ModelVariant`` names it
///   (everything in a design that changes what it computes);
/// - `model,pruning,quantization,accuracy` (the first format): every row has dense attention.
///
/// `model` is a trace's model name (`bert-base`, …); `quantization` is `fp32`, `fp16` or a
/// datapath's name (`w4a8`, `w8a8-sm16-pc`, …); `pruning` is `dense` or a pruning name
/// (`hierarchical75-t8x128-d50`, …); `attention` is `dense` or a top-k name (`top32`, …); all
/// lowercase. `accuracy` is the task metric in percent (0…100). A table holds one task's
/// numbers (say so in its comments); a variant appears once. A design whose variant is not in
/// the table has no accuracy: it is never credited with another row's.
public struct AccuracyTable: Sendable, Equatable {
    /// The file the table came from.
    public var path: String
    public var accuracies: [ModelVariant: Double]

    /// The header of the current format, and of the first (four columns, dense attention).
    public static let header = ["model", "quantization", "pruning", "attention", "accuracy"]
    public static let firstHeader = ["model", "pruning", "quantization", "accuracy"]

    public init(path: String, accuracies: [ModelVariant: Double]) {
        self.path = path
        self.accuracies = accuracies
    }

    /// Reads and checks a table; every error names the file, the line and the column.
    public init(path: String) throws(InputError) {
        let text = try InputFile.text(path)
        try self.init(text: text, path: path)
    }

    /// Parses the text of a table read from `path`.
    public init(text: String, path: String) throws(InputError) {
        self.path = path
        accuracies = [:]
        var header: [String]?
        var lineNumber = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard let columns = header else {
                guard cells == Self.header || cells == Self.firstHeader else {
                    throw InputError(file: path, line: lineNumber, "the header must be '\(Self.header.joined(separator: ","))' "
                                     + "(or the first format's '\(Self.firstHeader.joined(separator: ","))'), not '\(line)'")
                }
                header = cells
                continue
            }
            guard cells.count == columns.count else {
                throw InputError(file: path, line: lineNumber, "expected \(columns.count) comma-separated values "
                                 + "(\(columns.joined(separator: ","))), found \(cells.count)")
            }
            var value: [String: String] = [:]
            for (column, cell) in zip(columns, cells) { value[column] = cell }
            for column in columns.dropLast() {
                let cell = value[column]!
                guard !cell.isEmpty else { throw InputError(file: path, line: lineNumber, field: column, "is empty") }
                guard cell.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || "-_./".contains($0)) }) else {
                    throw InputError(file: path, line: lineNumber, field: column, "'\(cell)' must be lowercase letters, digits and - _ . /")
                }
            }
            guard Self.isQuantization(value["quantization"]!) else {
                throw InputError(file: path, line: lineNumber, field: "quantization",
                                 "'\(value["quantization"]!)' is not fp32, fp16 or w<bits>a<bits>[-b<bits>][-s<bits>][-sm<bits>][-ln<bits>][-pc] (e.g. w4a8)")
            }
            guard let accuracy = Double(value["accuracy"]!), accuracy.isFinite, (0...100).contains(accuracy) else {
                throw InputError(file: path, line: lineNumber, field: "accuracy", "'\(value["accuracy"]!)' is not a percentage from 0 to 100")
            }
            let variant = ModelVariant(model: value["model"]!, quantization: value["quantization"]!, pruning: value["pruning"]!,
                                       attention: value["attention"] ?? "dense")
            guard accuracies[variant] == nil else {
                throw InputError(file: path, line: lineNumber, "\(variant) appears twice")
            }
            accuracies[variant] = accuracy
        }
        guard header != nil else {
            throw InputError(file: path, "no header: expected '\(Self.header.joined(separator: ","))'")
        }
    }

    public subscript(variant: ModelVariant) -> Double? { accuracies[variant] }

    /// The table as CSV in the current format, variants sorted, after `comments` (`#` lines).
    public func csv(comments: [String]) -> String {
        var out = comments.map { "# \($0)\n" }.joined()
        out += Self.header.joined(separator: ",") + "\n"
        for (v, accuracy) in accuracies.sorted(by: { ($0.key.model, $0.key.quantization, $0.key.pruning, $0.key.attention)
                                                      < ($1.key.model, $1.key.quantization, $1.key.pruning, $1.key.attention) }) {
            out += [v.model, v.quantization, v.pruning, v.attention, String(format: "%.2f", accuracy)].joined(separator: ",") + "\n"
        }
        return out
    }

    /// `fp32`, `fp16`, or a datapath's quantization name (``ModelVariant/quantization(_:perChannelWeights:)``).
    static func isQuantization(_ s: String) -> Bool {
        if s == "fp32" || s == "fp16" { return true }
        return s.range(of: "^w[0-9]+a[0-9]+(-b[0-9]+)?(-s[0-9]+)?(-sm[0-9]+)?(-ln[0-9]+)?(-pc)?$", options: .regularExpression) != nil
    }
}
