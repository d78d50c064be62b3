import BertSimCore
import BertSimReport
import Foundation

/// `bertsim check`: a report compared with a stored (golden) JSON report, value by value
/// (docs/sweeps.md, "Golden reports").
///
/// Every value of the two JSON trees is compared except those that say where the inputs were
/// or which program ran (``ignored``). Numbers equal in both as integers (cycle counts,
/// bytes, resources) must be equal exactly; any other number may differ by a relative
/// tolerance of ``relativeTolerance`` (1e-9: room for a different libm, not for a timing
/// change, which moves cycle counts). Strings, booleans, nulls and the presence of keys and
/// list entries must match. Lists of objects that all have distinct `name`s (stages,
/// statistics) are matched by name, so a moved value is named `stages[pe_array].busy_cycles`,
/// not by position.
public enum GoldenCheck {
    /// Paths never compared: the input paths as given, and the simulator's name, version and
    /// kernel (both kernels give the same numbers; a version bump is not a timing change).
    public static let ignored: Set<String> = ["config.path", "workload.path", "simulator"]

    /// The largest relative difference two non-integer numbers may have and still be equal.
    public static let relativeTolerance = 1e-9

    /// One value that differs.
    public struct Change: Sendable, Equatable, CustomStringConvertible {
        /// JSON path, e.g. `totals.cycles`, `stages[pe_array].bubbles.memory`, `notes[2]`.
        public var path: String
        /// The golden value and the new one as JSON text; nil where the value is absent.
        public var golden: String?
        public var current: String?
        /// The relative change, for numbers.
        public var relative: Double?

        /// `totals.cycles: 7831229 -> 7831300 (+0.0009%)`.
        public var description: String {
            var s = "\(path): \(golden ?? "(absent)") -> \(current ?? "(absent)")"
            if let relative { s += String(format: " (%+.4g%%)", relative * 100) }
            return s
        }
    }

    /// Reads a golden report file as a JSON tree; errors name the file.
    public static func readGolden(path: String) throws(InputError) -> JSONValue {
        let data = try InputFile.data(path)
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw InputError(file: path, "not a JSON report: \(error.localizedDescription)")
        }
        guard case .object(let top) = value, top["schema_version"] != nil, top["totals"] != nil else {
            throw InputError(file: path, "not a bertsim JSON report (no schema_version or totals; record one with simulate --format json)")
        }
        return value
    }

    /// Every difference between `golden` and `current`, headline sections first (totals,
    /// latency, stages, resources, power, memory), then the rest by name.
    public static func changes(golden: JSONValue, current: JSONValue) -> [Change] {
        var out: [Change] = []
        diff(golden, current, path: "", into: &out)
        let order = ["totals", "latency", "stages", "resources", "power", "memory"]
        func rank(_ c: Change) -> Int {
            let top = String(c.path.prefix { $0 != "." && $0 != "[" })
            return order.firstIndex(of: top) ?? order.count
        }
        return out.enumerated().sorted { a, b in
            (rank(a.element), a.offset) < (rank(b.element), b.offset)
        }.map(\.element)
    }

    static func diff(_ a: JSONValue, _ b: JSONValue, path: String, into out: inout [Change]) {
        if ignored.contains(path) { return }
        switch (a, b) {
        case (.object(let x), .object(let y)):
            for key in Set(x.keys).union(y.keys).sorted() {
                let p = path.isEmpty ? key : "\(path).\(key)"
                switch (x[key], y[key]) {
                case let (u?, v?): diff(u, v, path: p, into: &out)
                case let (u?, nil): if !ignored.contains(p) { out.append(Change(path: p, golden: text(u), current: nil)) }
                case let (nil, v?): if !ignored.contains(p) { out.append(Change(path: p, golden: nil, current: text(v))) }
                case (nil, nil): break
                }
            }
        case (.array(let x), .array(let y)):
            if let xs = named(x), let ys = named(y) {
                var seen: Set<String> = []
                for (name, u) in xs {
                    seen.insert(name)
                    let p = "\(path)[\(name)]"
                    if let v = ys.first(where: { $0.0 == name })?.1 {
                        diff(u, v, path: p, into: &out)
                    } else {
                        out.append(Change(path: p, golden: "{…}", current: nil))
                    }
                }
                for (name, _) in ys where !seen.contains(name) { out.append(Change(path: "\(path)[\(name)]", golden: nil, current: "{…}")) }
            } else {
                for i in 0..<max(x.count, y.count) {
                    let p = "\(path)[\(i)]"
                    switch (i < x.count, i < y.count) {
                    case (true, true): diff(x[i], y[i], path: p, into: &out)
                    case (true, false): out.append(Change(path: p, golden: text(x[i]), current: nil))
                    default: out.append(Change(path: p, golden: nil, current: text(y[i])))
                    }
                }
            }
        case (.number(let x), .number(let y)):
            guard !equal(x, y) else { return }
            let relative = x == 0 ? nil : (y - x) / abs(x)
            out.append(Change(path: path, golden: text(a), current: text(b), relative: relative))
        default:
            if a != b { out.append(Change(path: path, golden: text(a), current: text(b))) }
        }
    }

    /// Integers exactly; other numbers within the relative tolerance.
    static func equal(_ x: Double, _ y: Double) -> Bool {
        if x == y { return true }
        if x == x.rounded() && y == y.rounded() { return false }
        return abs(x - y) <= relativeTolerance * max(abs(x), abs(y))
    }

    /// The elements of a list of objects keyed by their distinct `name`s, or nil.
    static func named(_ items: [JSONValue]) -> [(String, JSONValue)]? {
        guard !items.isEmpty else { return nil }
        var out: [(String, JSONValue)] = []
        for item in items {
            guard case .string(let name)? = item["name"] else { return nil }
            out.append((name, item))
        }
        return Set(out.map(\.0)).count == out.count ? out : nil
    }

    /// A value as short JSON text (objects and lists abbreviated).
    static func text(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool(let b): String(b)
        case .number(let d): CSVRenderer.number(d)
        case .string(let s): "\"\(s)\""
        case .array(let a): "[…\(a.count) items]"
        case .object: "{…}"
        }
    }
}
