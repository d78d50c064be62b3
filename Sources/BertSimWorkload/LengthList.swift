import BertSimCore

/// An empirical length distribution: the sequence lengths of real requests, in file order.
///
/// The file format is one positive integer (a token count) per line, as in
/// `data/seq-lengths/*.txt`. Blank lines and lines whose first non-blank character is `#` are
/// skipped; spaces and tabs around the number are allowed. Anything else is an ``InputError``
/// naming the file and line: a non-integer, 0, a number above ``maximumLength``, bytes that are
/// not UTF-8 or binary data (NUL), or a file without a single length.
public struct LengthList: Hashable, Sendable {
    /// The largest length accepted from a file (custom models allow at most this many positions).
    public static let maximumLength = 1 << 20

    /// Where the lengths came from (a path), for messages and provenance.
    public var origin: String
    /// The lengths, in file order; never empty, every value in `1...maximumLength`.
    public private(set) var lengths: [Int]

    /// A list from values already in memory (tests, benchmarks). Each must be in `1...maximumLength`.
    public init(origin: String, lengths: [Int]) {
        precondition(!lengths.isEmpty, "a length list is never empty")
        precondition(lengths.allSatisfy { (1...Self.maximumLength).contains($0) }, "lengths must be positive")
        self.origin = origin
        self.lengths = lengths
    }

    /// Reads a length file (one integer per line).
    public init(path: String) throws(InputError) {
        let reader = try LineReader(path: path)
        var lengths: [Int] = []
        while let raw = try reader.nextLine() {
            let line = reader.lineNumber
            let text = try TraceReader.decode(raw, path: path, line: line).trimmingWhitespace()
            if text.isEmpty || text.hasPrefix("#") { continue }
            guard text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw InputError(file: path, line: line, field: "length",
                                 "'\(text.prefix(40))' is not a positive integer (a length file has one token count per line)")
            }
            guard let value = Int(text), value >= 1 && value <= Self.maximumLength else {
                throw InputError(file: path, line: line, field: "length",
                                 "length \(text.prefix(40)) is outside 1...\(Self.maximumLength)")
            }
            lengths.append(value)
        }
        guard !lengths.isEmpty else {
            throw InputError(file: path, line: max(reader.lineNumber, 1),
                             "empty length file: expected one token count per line")
        }
        self.origin = path
        self.lengths = lengths
    }

    public var count: Int { lengths.count }
}
