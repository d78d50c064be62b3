import BertSimConfig
import BertSimCore
import Foundation
import Yams

/// The design points of a sweep: the Cartesian product of `--set key.path=v1,v2,…` overrides
/// applied to a base YAML config (docs/sweeps.md).
///
/// Point order: the product in the order the `--set` flags are given, the last flag varying
/// fastest; points are numbered from 0. Shard `i/n` holds the points whose index mod n = i − 1.
/// Values keep their YAML typing: each value is read as a YAML scalar (`16` an integer, `0.5`
/// a number, `hbm2` or `"16"` a string) and put into the base config's YAML tree in place of the
/// key's value (or added, with any missing parent mappings); the config loader then validates
/// the point exactly as it validates a file.
public struct SweepGrid: Sendable {
    /// One `--set` flag: a key path and its values, in the order given.
    public struct Axis: Sendable, Equatable {
        /// Dotted key path as `bertsim describe` and the loader's errors name it
        /// (`encoder.pe_array.processing_units`, `pipeline.stages[1].latency_cycles`).
        public var key: String
        /// The values as written on the command line.
        public var values: [String]

        /// Parses `key.path=v1,v2,…`; an error names the `--set` flag.
        public init(parsing flag: String) throws(InputError) {
            guard let equals = flag.firstIndex(of: "=") else {
                throw InputError(file: "--set", "'\(flag)' is not key.path=value[,value…]")
            }
            key = String(flag[..<equals]).trimmingCharacters(in: .whitespaces)
            values = flag[flag.index(after: equals)...].split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard !key.isEmpty else { throw InputError(file: "--set", "'\(flag)' has no key path before '='") }
            _ = try Self.segments(key)
            if let empty = values.firstIndex(where: \.isEmpty) {
                throw InputError(file: "--set", "\(key): value \(empty + 1) of \(values.count) is empty")
            }
            if let duplicate = values.enumerated().first(where: { values[..<$0.offset].contains($0.element) }) {
                throw InputError(file: "--set", "\(key): value '\(duplicate.element)' is given twice")
            }
        }

        public init(key: String, values: [String]) {
            self.key = key
            self.values = values
        }

        /// The path's steps: a mapping key, optionally followed by list indices (`stages[1]`).
        static func segments(_ key: String) throws(InputError) -> [Step] {
            var steps: [Step] = []
            for part in key.split(separator: ".", omittingEmptySubsequences: false) {
                var rest = Substring(part)
                let name = rest.prefix { $0 != "[" }
                guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                    throw InputError(file: "--set", "\(key): '\(part)' is not a key (key.path[index].key)")
                }
                steps.append(.key(String(name)))
                rest = rest.dropFirst(name.count)
                while !rest.isEmpty {
                    guard rest.first == "[", let close = rest.firstIndex(of: "]"),
                          let index = Int(rest[rest.index(after: rest.startIndex)..<close]), index >= 0 else {
                        throw InputError(file: "--set", "\(key): '\(part)' is not a key (key.path[index].key)")
                    }
                    steps.append(.index(index))
                    rest = rest[rest.index(after: close)...]
                }
            }
            return steps
        }
    }

    enum Step: Equatable {
        case key(String)
        case index(Int)
    }

    /// The base config's path, as given.
    public var basePath: String
    /// The axes, in the order of the `--set` flags.
    public var axes: [Axis]
    /// The base config's YAML text (re-read for every point: Yams' nodes are not Sendable).
    private var baseText: String

    /// Reads and validates the base config and the axes: the base must load, a key may be set
    /// once, every key path must name a parameter the loader knows and every value must have
    /// the parameter's type (checked by loading the base with the key set to each value in
    /// turn: ``checkKey(_:)``). Errors name the file or the `--set` flag.
    public init(basePath: String, axes: [Axis]) throws(InputError) {
        _ = try ConfigLoader.load(path: basePath)
        guard !axes.isEmpty else { throw InputError(file: "--set", "give at least one --set key.path=v1,v2,…") }
        for (i, axis) in axes.enumerated() where axes[..<i].contains(where: { $0.key == axis.key }) {
            throw InputError(file: "--set", "\(axis.key) is set twice; give its values in one flag, comma-separated")
        }
        let product = axes.reduce((1, false)) { acc, axis in
            let p = acc.0.multipliedReportingOverflow(by: axis.values.count)
            return (p.partialValue, acc.1 || p.overflow)
        }
        guard !product.1, product.0 <= Self.maxPoints else {
            throw InputError(file: "--set", "the grid has more than \(Self.maxPoints) points; split it into several sweeps")
        }
        guard let data = FileManager.default.contents(atPath: basePath) else { throw InputError(file: basePath, "cannot be read") }
        let text = String(decoding: data, as: UTF8.self)
        self.basePath = basePath
        self.axes = axes
        baseText = text
        for axis in axes { try checkKey(axis) }
    }

    /// The largest grid a sweep takes (every point's config is prepared before the first runs).
    public static let maxPoints = 1_000_000

    /// Number of points (the product of the axes' value counts).
    public var count: Int { axes.reduce(1) { $0 * $1.values.count } }

    /// The override values of point `index`, one per axis.
    public func values(at index: Int) -> [String] {
        var rest = index
        var out = [String](repeating: "", count: axes.count)
        for (a, axis) in axes.enumerated().reversed() {
            out[a] = axis.values[rest % axis.values.count]
            rest /= axis.values.count
        }
        return out
    }

    /// The YAML text of point `index`: the base with the point's overrides.
    public func yaml(at index: Int) throws(InputError) -> String {
        var node = try base()
        for (axis, value) in zip(axes, values(at: index)) {
            node = try Self.setting(node, try Axis.segments(axis.key)[...], to: try Self.scalar(value, key: axis.key),
                                    key: axis.key)
        }
        do {
            return try Yams.serialize(node: node)
        } catch {
            throw InputError(file: basePath, "cannot write the config of point \(index): \(error)")
        }
    }

    /// `text` (a config read from `path`) with each key path set to its value, as YAML text:
    /// values keep their YAML typing, missing mappings are added (as for a grid point).
    public static func yaml(_ text: String, path: String, setting overrides: [(key: String, value: String)]) throws(InputError) -> String {
        guard var node = try? Yams.compose(yaml: text) else { throw InputError(file: path, "not valid YAML") }
        for (key, value) in overrides {
            node = try setting(node, try Axis.segments(key)[...], to: try scalar(value, key: key), key: key)
        }
        do {
            return try Yams.serialize(node: node)
        } catch {
            throw InputError(file: path, "cannot write the config with \(overrides.map { "\($0.key)=\($0.value)" }.joined(separator: " ")): \(error)")
        }
    }

    /// The base config as a YAML tree.
    private func base() throws(InputError) -> Node {
        guard let root = try? Yams.compose(yaml: baseText) else { throw InputError(file: basePath, "not valid YAML") }
        return root
    }

    /// The points of shard `shard` of `of` (1-based), or every point.
    public func points(shard: Int = 1, of shards: Int = 1) -> [Int] {
        Array(stride(from: shard - 1, to: count, by: shards))
    }

    /// Rejects what is a mistake on the command line rather than a design to try: the base is
    /// loaded with the key set to each of its values in turn, and an error of shape at the key
    /// (or at a parent mapping the override had to create) is bad input on the `--set` flag:
    /// an unknown key, a value of the wrong type (`x` for an integer), a choice that is not one
    /// of the options, a section the design does not use. Other errors (a value out of range,
    /// a design that does not fit its board) make that point infeasible.
    private func checkKey(_ axis: Axis) throws(InputError) {
        let steps = try Axis.segments(axis.key)
        for value in axis.values {
            let node = try Self.setting(try base(), steps[...], to: try Self.scalar(value, key: axis.key), key: axis.key)
            let text: String
            do {
                text = try Yams.serialize(node: node)
            } catch {
                throw InputError(file: "--set", "\(axis.key): cannot set it: \(error)")
            }
            do {
                _ = try ConfigLoader.parse(text, file: basePath)
            } catch {
                guard let field = error.field, Self.isShapeError(error.message),
                      field == axis.key || axis.key.hasPrefix(field + ".") || axis.key.hasPrefix(field + "[")
                        || field.hasPrefix(axis.key + ".") else { continue }
                let place = field == axis.key ? "" : "\(field): "
                throw InputError(file: "--set", "\(axis.key)=\(value): \(place)\(error.message)")
            }
        }
    }

    /// Loader messages that say a key or value is malformed (not that a design is infeasible).
    static func isShapeError(_ message: String) -> Bool {
        ["unknown key", "expected ", "keys must be plain words", "section for design"].contains { message.hasPrefix($0) }
            || message.contains("is not one of")
    }

    /// A command-line value as a YAML scalar (its quoting decides its type, as in a file).
    static func scalar(_ value: String, key: String) throws(InputError) -> Node {
        guard let node = try? Yams.compose(yaml: value), case .scalar = node else {
            throw InputError(file: "--set", "\(key): '\(value)' is not a single YAML value")
        }
        return node
    }

    /// `node` with the value at `steps` replaced by `value`; missing mapping keys are added.
    static func setting(_ node: Node, _ steps: ArraySlice<Step>, to value: Node, key: String) throws(InputError) -> Node {
        guard let step = steps.first else { return value }
        let rest = steps.dropFirst()
        switch (step, node) {
        case (.key(let name), .mapping(let mapping)):
            var pairs = Array(mapping.map { ($0.key, $0.value) })
            if let i = pairs.firstIndex(where: { $0.0.scalar?.string == name }) {
                pairs[i].1 = try setting(pairs[i].1, rest, to: value, key: key)
            } else {
                let empty = Node.mapping(Node.Mapping([]))
                let child: Node
                if case .index? = rest.first {
                    throw InputError(file: "--set", "\(key): \(name) is not in the base config, so it has no list to index")
                } else {
                    child = try setting(empty, rest, to: value, key: key)
                }
                pairs.append((Node(name), child))
            }
            return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
        case (.index(let i), .sequence(let sequence)):
            var items = Array(sequence)
            guard i < items.count else {
                throw InputError(file: "--set", "\(key): index \(i) is past the end of a list of \(items.count) in the base config")
            }
            items[i] = try setting(items[i], rest, to: value, key: key)
            return .sequence(Node.Sequence(items, sequence.tag, sequence.style, sequence.mark))
        case (.key(let name), _):
            throw InputError(file: "--set", "\(key): cannot set \(name) inside a value that is not a mapping in the base config")
        case (.index(let i), _):
            throw InputError(file: "--set", "\(key): cannot take [\(i)] of a value that is not a list in the base config")
        }
    }
}
