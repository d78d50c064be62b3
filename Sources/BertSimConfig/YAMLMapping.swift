import BertSimCore
import Yams

/// A YAML mapping node with its location, read against a ``ComponentSchema``: values are
/// type- and range-checked, defaults applied, and unknown keys rejected, each error naming
/// file, line and the field's key path.
struct YAMLMapping {
    let file: String
    /// Key path of this mapping (`pipeline.stages[1]`), empty at the top.
    let path: String
    let line: Int?
    private let pairs: [(key: String, keyLine: Int?, value: Node)]

    init(file: String, path: String, node: Node) throws(InputError) {
        self.file = file
        self.path = path
        line = node.mark?.line
        guard case .mapping(let mapping) = node else {
            throw InputError(file: file, line: node.mark?.line, field: path.isEmpty ? nil : path,
                             "expected a mapping of key: value pairs, found \(Self.kind(node))")
        }
        var pairs: [(String, Int?, Node)] = []
        var seen: [String: Int?] = [:]
        for (k, v) in mapping {
            guard case .scalar(let s) = k else {
                throw InputError(file: file, line: k.mark?.line, field: path.isEmpty ? nil : path, "keys must be plain words")
            }
            if let first = seen[s.string] {
                throw InputError(file: file, line: k.mark?.line, field: Self.join(path, s.string),
                                 "given twice (first on line \(first.map(String.init) ?? "?"))")
            }
            seen[s.string] = k.mark?.line
            pairs.append((s.string, k.mark?.line, v))
        }
        self.pairs = pairs
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    static func kind(_ node: Node) -> String {
        switch node {
        case .scalar(let s): "'\(s.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    func node(_ key: String) -> Node? { pairs.first { $0.key == key }?.value }
    func lineOf(_ key: String) -> Int? { pairs.first { $0.key == key }.flatMap { $0.value.mark?.line ?? $0.keyLine } }

    func error(_ key: String, _ message: String) -> InputError {
        InputError(file: file, line: lineOf(key) ?? line, field: Self.join(path, key), message)
    }

    /// A nested mapping under `key` (required).
    func mapping(_ key: String) throws(InputError) -> YAMLMapping {
        guard let n = node(key) else { throw error(key, "missing (required)") }
        return try YAMLMapping(file: file, path: Self.join(path, key), node: n)
    }

    /// A list of mappings under `key` (required, non-empty).
    func mappings(_ key: String) throws(InputError) -> [YAMLMapping] {
        guard let n = node(key) else { throw error(key, "missing (required)") }
        guard case .sequence(let seq) = n else { throw error(key, "expected a list, found \(Self.kind(n))") }
        guard !seq.isEmpty else { throw error(key, "must not be empty") }
        var out: [YAMLMapping] = []
        for (i, item) in seq.enumerated() {
            out.append(try YAMLMapping(file: file, path: "\(Self.join(path, key))[\(i)]", node: item))
        }
        return out
    }

    /// Reads every parameter of `schema` except `nested` keys (read separately by the caller),
    /// and rejects keys that are neither.
    func values(_ schema: ComponentSchema, nested: Set<String> = []) throws(InputError) -> ParameterValues {
        var values: [String: ParameterValues.Value] = [:]
        var lines: [String: Int] = [:]
        let known = Set(schema.parameters.map(\.key))
        for pair in pairs where !known.contains(pair.key) {
            throw InputError(file: file, line: pair.keyLine, field: Self.join(path, pair.key),
                             "unknown key (\(schema.name) takes: \(schema.parameters.map(\.key).joined(separator: ", ")))")
        }
        for spec in schema.parameters where !nested.contains(spec.key) {
            if let n = node(spec.key) {
                lines[spec.key] = lineOf(spec.key)
                values[spec.key] = try parse(n, spec)
            } else if let d = spec.defaultValue {
                if !d.isEmpty || spec.kind == .text {
                    values[spec.key] = try parse(.scalar(.init(d)), spec)
                }
            } else {
                throw error(spec.key, "missing (required)")
            }
        }
        return ParameterValues(file: file, path: path, line: line, values: values, lines: lines)
    }

    private func parse(_ n: Node, _ spec: ParameterSpec) throws(InputError) -> ParameterValues.Value {
        guard case .scalar(let scalar) = n else {
            throw error(spec.key, "expected a single value, found \(Self.kind(n))")
        }
        let text = scalar.string
        let unit = spec.unit.map { " \($0.rawValue)" } ?? ""
        switch spec.kind {
        case .integer(let range):
            let quoted = scalar.style != .plain && scalar.style != .any
            guard !quoted, let v = Int(text.replacingOccurrences(of: "_", with: "")) else {
                throw error(spec.key, "expected an integer\(unit), found '\(text)'")
            }
            guard range.contains(v) else {
                throw error(spec.key, "\(v) is out of range \(range.lowerBound)...\(range.upperBound)\(unit)")
            }
            return .integer(v)
        case .decimal(let range):
            let quoted = scalar.style != .plain && scalar.style != .any
            guard !quoted, let v = Double(text.replacingOccurrences(of: "_", with: "")), v.isFinite else {
                throw error(spec.key, "expected a number\(unit), found '\(text)'")
            }
            guard range.contains(v) else {
                throw error(spec.key, "\(text) is out of range \(Self.format(range.lowerBound))...\(Self.format(range.upperBound))\(unit)")
            }
            return .decimal(v)
        case .text:
            return .text(text)
        case .choice(let options):
            guard options.contains(text) else {
                throw error(spec.key, "'\(text)' is not one of: \(options.joined(separator: ", "))")
            }
            return .text(text)
        }
    }

    static func format(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
    }
}
