import BertSim
import BertSimConfig
import BertSimCore
import Foundation

/// `bertsim calibrate`: the values of some config parameters that bring a design's simulation
/// closest to measurements of it (docs/validation.md, "Calibrating").
///
/// The objective is the worst relative distance over the measurements (the number `validate`
/// checks against the tolerances), minimized by successive grid refinement: every parameter's
/// range is cut into a grid (9 points for one parameter, 5 for two, 3 for more), every grid
/// point is simulated (one child process per point and workload, `--jobs` at a time), and the
/// next grid spans one step either side of the best point, until every step is below the
/// parameter's resolution (1 for an integer, 10⁻⁴ of the range for a number) or 12 rounds
/// have run. On an objective with one minimum in the box it converges to it; with several, it
/// finds the best of the first grid's basins (a coarse-to-fine search, not a global
/// guarantee). Ties go to the point found first (grid order: the lowest values).
///
/// It refuses to fit more parameters than there are measurements: the fit would not be
/// determined by them.
public struct Calibration: Sendable {
    /// A parameter to fit: `key.path=lo:hi`.
    public struct Axis: Sendable, Equatable {
        public var key: String
        public var lower: Double
        public var upper: Double
        /// Integer parameters are searched on integers (both bounds written as integers).
        public var integer: Bool

        /// Parses `key.path=lo:hi`; errors name the `--fit` flag.
        public init(parsing flag: String) throws(InputError) {
            let parts = flag.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw InputError(file: "--fit", "'\(flag)' is not key.path=lo:hi")
            }
            let bounds = parts[1].split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard bounds.count == 2, let lo = Double(bounds[0]), let hi = Double(bounds[1]), lo.isFinite, hi.isFinite else {
                throw InputError(file: "--fit", "\(parts[0]): '\(parts[1])' is not lo:hi (two numbers)")
            }
            guard lo < hi else { throw InputError(file: "--fit", "\(parts[0]): the range \(parts[1]) is empty (lo must be below hi)") }
            key = parts[0].trimmingCharacters(in: .whitespaces)
            lower = lo
            upper = hi
            integer = Int(bounds[0]) != nil && Int(bounds[1]) != nil
        }

        /// The value as YAML text (an integer for integer parameters).
        func text(_ x: Double) -> String { integer ? String(Int(x.rounded())) : String(x) }

        var resolution: Double { integer ? 1 : (upper - lower) * 1e-4 }
    }

    /// One evaluated point: a value per axis, its worst distance and its validation.
    public struct Point: Sendable {
        public var values: [Double]
        public var validation: Validation
        public var worst: Double { validation.worstDistance }
    }

    public var axes: [Axis]
    /// The measurements fitted, and the base config's path and text.
    public var table: MeasurementTable
    public var basePath: String
    /// The best point, and every point simulated (in evaluation order).
    public var best: Point
    public var evaluated: [Point]
    public var rounds: Int

    /// The fitted overrides, in axis order.
    public var overrides: [(key: String, value: String)] { zip(axes, best.values).map { ($0.key, $0.text($1)) } }

    /// Fits `axes` to `table` (every row must name the same config).
    public static func run(table: MeasurementTable, axes: [Axis], kernel: KernelChoice, children: ChildSimulations,
                           progress: (Int, Int, Double) -> Void = { _, _, _ in }) throws -> Calibration {
        guard !axes.isEmpty else { throw InputError(file: "--fit", "give at least one --fit key.path=lo:hi") }
        for (i, axis) in axes.enumerated() where axes[..<i].contains(where: { $0.key == axis.key }) {
            throw InputError(file: "--fit", "\(axis.key) is given twice")
        }
        guard axes.count <= table.rows.count else {
            throw InputError(file: "--fit", "\(axes.count) parameters cannot be fitted to \(table.rows.count) measurement"
                             + "\(table.rows.count == 1 ? "" : "s"): give at most as many parameters as measurements")
        }
        let configs = Set(table.rows.map(\.configPath))
        guard configs.count == 1, let basePath = configs.first else {
            throw InputError(file: table.path, "calibrate fits one design: the measurements name \(configs.count) configs "
                             + "(\(configs.sorted().joined(separator: ", ")))")
        }
        guard let data = FileManager.default.contents(atPath: basePath) else { throw InputError(file: basePath, "cannot be read") }
        let baseText = String(decoding: data, as: UTF8.self)
        _ = try ConfigLoader.load(text: baseText, path: basePath)
        // Bad keys and values of the wrong type are bad input, found before any simulation.
        _ = try SweepGrid(basePath: basePath, axes: axes.map {
            SweepGrid.Axis(key: $0.key, values: [$0.text($0.lower), $0.text($0.upper)])
        })
        let workloads = try Validation.Workloads()
        var cache: [[Double]: Point] = [:]
        var order: [[Double]] = []
        var box = axes.map { ($0.lower, $0.upper) }
        let points = axes.count == 1 ? 9 : axes.count == 2 ? 5 : 3
        var rounds = 0
        var best: Point?
        while rounds < 12 {
            rounds += 1
            let grids = zip(axes, box).map { axis, bounds in grid(bounds, points: points, integer: axis.integer) }
            let candidates = product(grids).filter { cache[$0] == nil }
            let validations = try evaluate(candidates, axes: axes, table: table, baseText: baseText, basePath: basePath,
                                           kernel: kernel, children: children, workloads: workloads)
            for (values, validation) in zip(candidates, validations) {
                cache[values] = Point(values: values, validation: validation)
                order.append(values)
            }
            // The best over every point so far (the first found wins ties).
            best = order.map { cache[$0]! }.min { $0.worst < $1.worst }
            progress(rounds, order.count, best!.worst)
            let steps = zip(axes, box).map { axis, b in (b.1 - b.0) / Double(points - 1) }
            if zip(axes, steps).allSatisfy({ $1 <= $0.resolution }) { break }
            box = zip(axes, zip(best!.values, steps)).map { axis, vs in
                let (value, step) = vs
                return (max(axis.lower, value - step), min(axis.upper, value + step))
            }
        }
        return Calibration(axes: axes, table: table, basePath: basePath, best: best!, evaluated: order.map { cache[$0]! },
                           rounds: rounds)
    }

    /// `points` values evenly over `bounds` (integers rounded, repeats dropped).
    static func grid(_ bounds: (Double, Double), points: Int, integer: Bool) -> [Double] {
        var values: [Double] = []
        for i in 0..<points {
            var x = bounds.0 + (bounds.1 - bounds.0) * Double(i) / Double(points - 1)
            if integer { x = x.rounded() }
            if !values.contains(x) { values.append(x) }
        }
        return values
    }

    /// Every combination of one value per axis, the last axis varying fastest.
    static func product(_ grids: [[Double]]) -> [[Double]] {
        grids.reduce([[]]) { partial, grid in partial.flatMap { prefix in grid.map { prefix + [$0] } } }
    }

    /// Validates `table` at each point (its overrides set on the base config).
    static func evaluate(_ points: [[Double]], axes: [Axis], table: MeasurementTable, baseText: String, basePath: String,
                         kernel: KernelChoice, children: ChildSimulations, workloads: Validation.Workloads) throws -> [Validation] {
        guard !points.isEmpty else { return [] }
        // One batch of children for all points: every (point, row) pair, each distinct
        // (design, workload) simulated once, then each point's rows compared.
        var pairs: [(MeasurementTable.Row, SimulationRequest.Config)] = []
        for values in points {
            let text = try SweepGrid.yaml(baseText, path: basePath, setting: zip(axes, values).map { ($0.key, $0.text($1)) })
            pairs += table.rows.map { ($0, .yaml(text, path: basePath)) }
        }
        let results = try Validation.compare(pairs, kernel: kernel, children: children, workloads: workloads)
        let count = table.rows.count
        return points.indices.map { p in Validation(table: table, results: Array(results[(p * count)..<((p + 1) * count)])) }
    }

    /// The fit: each parameter's value, the objective, and every measurement's residual.
    public func text() -> String {
        var out = "calibrate  \(basePath) on \(table.path): \(axes.count) parameter\(axes.count == 1 ? "" : "s"), "
            + "\(table.rows.count) measurement\(table.rows.count == 1 ? "" : "s"), \(evaluated.count) points in \(rounds) rounds\n"
        for (axis, value) in zip(axes, best.values) {
            out += "  \(axis.key) = \(axis.text(value))   (searched \(axis.text(axis.lower))…\(axis.text(axis.upper)))\n"
        }
        out += String(format: "worst distance %.3f%%\n\n", best.worst * 100)
        out += best.validation.text()
        return out
    }

    /// The calibrated config: the base with the fitted values, and a comment saying so.
    public func configText() throws(InputError) -> String {
        guard let data = FileManager.default.contents(atPath: basePath) else { throw InputError(file: basePath, "cannot be read") }
        let yaml = try SweepGrid.yaml(String(decoding: data, as: UTF8.self), path: basePath, setting: overrides)
        var header = "# Calibrated by `bertsim calibrate` from \(basePath) on the measurements in \(table.path):\n"
        for (key, value) in overrides { header += "#   \(key) = \(value)\n" }
        header += String(format: "# worst relative distance over the %d measurements: %.3f%%\n", table.rows.count, best.worst * 100)
        return header + yaml
    }
}
