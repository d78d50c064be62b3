/// A component's parameters as read from a config, already checked against its
/// ``ComponentSchema`` (types, ranges, defaults, unknown keys), with the location of each
/// value so that cross-field checks can still name file, line and field.
public struct ParameterValues: Sendable {
    public enum Value: Sendable, Equatable {
        case integer(Int)
        case decimal(Double)
        case text(String)
    }

    /// The file the values came from.
    public let file: String
    /// The key path of the mapping, e.g. `pipeline.stages[1]`.
    public let path: String
    /// The line of the mapping itself.
    public let line: Int?
    private var values: [String: Value]
    private var lines: [String: Int]

    public init(file: String, path: String, line: Int?, values: [String: Value], lines: [String: Int]) {
        self.file = file
        self.path = path
        self.line = line
        self.values = values
        self.lines = lines
    }

    public func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public func int(_ key: String) -> Int {
        switch values[key] {
        case .integer(let v): return v
        case .decimal(let d): return Int(d)
        default: preconditionFailure("parameter \(key) is not an integer in its schema")
        }
    }

    public func double(_ key: String) -> Double {
        switch values[key] {
        case .integer(let v): return Double(v)
        case .decimal(let d): return d
        default: preconditionFailure("parameter \(key) is not a number in its schema")
        }
    }

    public func string(_ key: String) -> String {
        guard case .text(let s) = values[key] else { preconditionFailure("parameter \(key) is not text in its schema") }
        return s
    }

    public func has(_ key: String) -> Bool { values[key] != nil }

    /// An error about `key`, located at its line (or the mapping's when it was defaulted).
    public func error(_ key: String, _ message: String) -> InputError {
        InputError(file: file, line: lines[key] ?? line, field: field(key), message)
    }
}
