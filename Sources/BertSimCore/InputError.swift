/// Bad input from a user: a malformed file, an out-of-range setting, an impossible design.
///
/// It always names where the problem is: the file, the line when there is one, and the field
/// (a key path such as `pipeline.stages[1].latency_cycles`, a trace column, or a CLI flag).
/// Rendered as one line: `file:line: field: message`. The CLI exits with status 2 for it.
public struct InputError: Error, Equatable, Sendable, Codable, CustomStringConvertible {
    /// The file, or the command-line flag (`--limit`) when the problem is in an argument.
    public var file: String
    /// 1-based line, when the problem has one.
    public var line: Int?
    /// The field at fault, when there is one.
    public var field: String?
    public var message: String

    public init(file: String, line: Int? = nil, field: String? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        s += ": "
        if let field { s += "\(field): " }
        return s + message
    }
}

/// A simulation that could not finish: a deadlock, a limit reached, or a kernel failure.
/// The CLI exits with status 3 for it.
public struct SimulationError: Error, Equatable, Sendable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        /// The underlying simulation kernel (e.g. SystemC) reported an error.
        case kernel
        /// Work remained but nothing could make progress.
        case deadlock
        /// A user-set limit (`--max-cycles`, `--max-seconds`) ended the run.
        case limit
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "simulation \(kind.rawValue): \(message)" }
}
