import BertSimCore
import BertSimModels
import Foundation

/// One trace on several designs, side by side: a row per metric, a column per config, the
/// best value of each row marked (docs/reports.md, "compare").
///
/// Metrics: cycles; request latency mean and p99; throughput; the compute array's
/// (``RunReport/computeArray``: the PE array, or the length-aware partitions together)
/// utilization, lane utilization and bubble shares by cause; DSP and BRAM18K used
/// (with the board's budget); energy per inference; inferences/s/W. "Best" is the lowest
/// value, or the highest where more is better; values equal at the precision shown are all
/// marked; a config without a value (no board, so no energy) is skipped.
public struct ComparisonTable: Sendable, Equatable {
    /// Which direction of a metric is better.
    public enum Better: String, Sendable, Codable {
        case lower, higher
    }

    /// How a row's values are shown in the text table.
    public enum Style: Sendable, Equatable {
        case integer, decimals(Int), percent
    }

    /// One metric across the configs.
    public struct Row: Sendable, Equatable {
        /// The `snake_case` name used in CSV and JSON.
        public var metric: String
        /// The name shown in the text table.
        public var label: String
        public var unit: String
        public var better: Better
        /// One value per config; nil where the config has none.
        public var values: [Double?]
        /// The board's budget per config, for resource rows (`used / available`).
        public var available: [Int?]?
        var style: Style

        /// The configs (column indices) holding the best value, compared at the precision the
        /// text table shows (two configs both showing 0.0% are both best).
        public var best: [Int] {
            let shown = values.map { $0.map(rounded) }
            let present = shown.compactMap { $0 }
            guard let target = better == .lower ? present.min() : present.max() else { return [] }
            return shown.indices.filter { shown[$0] == target }
        }

        /// `x` rounded to the shown precision.
        func rounded(_ x: Double) -> Double {
            let digits: Int
            switch style {
            case .integer: digits = 0
            case .decimals(let d): digits = d
            case .percent: digits = 3
            }
            let scale = pow(10, Double(digits))
            return (x * scale).rounded() / scale
        }
    }

    /// The config paths, in the order given.
    public var configs: [String]
    /// Column headings: each config's file name without `.yaml`, or the whole path when two
    /// configs share a file name.
    public var columns: [String]
    public var rows: [Row]
    /// The workload line above the table.
    public var workload: String
    /// The name of the compute array (``RunReport/computeArray``), or `compute` when the
    /// reports name it differently.
    public var computeStage: String

    public init(reports: [RunReport]) {
        configs = reports.map(\.config.path)
        let names = configs.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
        columns = Set(names).count == names.count ? names : configs
        if let first = reports.first {
            workload = "\(first.workload.path): \(TextRenderer.group(first.workload.requests)) requests, "
                + "\(TextRenderer.group(first.workload.tokens)) tokens, model \(first.workload.model.name), \(first.simulator.kernel.rawValue) kernel"
        } else {
            workload = ""
        }
        let arrays = reports.map(\.computeArray)
        let computeNames = Set(arrays.compactMap { $0?.name })
        let compute = computeNames.count == 1 ? computeNames.first! : "compute"
        computeStage = compute
        func row(_ metric: String, _ label: String, _ unit: String, _ better: Better, _ style: Style,
                 _ value: (RunReport) -> Double?) -> Row {
            Row(metric: metric, label: label, unit: unit, better: better, values: reports.map(value), available: nil, style: style)
        }
        var rows = [
            row("cycles", "cycles", "cycles", .lower, .integer) { Double($0.totals.cycles) },
            row("latency_mean_ms", "latency mean", "ms", .lower, .decimals(3)) { $0.latency.meanMs },
            row("latency_p99_ms", "latency p99", "ms", .lower, .decimals(3)) { $0.latency.p99Ms },
            row("throughput_per_s", "throughput", "requests/s", .higher, .decimals(1)) { $0.totals.throughputPerS },
        ]
        var array = row("utilization", "\(compute) utilization", "busy share", .higher, .percent) { _ in nil }
        array.values = arrays.map { $0?.utilization }
        var lanes = row("lane_utilization", "\(compute) lanes", "lane share", .higher, .percent) { _ in nil }
        lanes.values = arrays.map { $0?.laneUtilization }
        rows += [array, lanes]
        for cause in BubbleCause.allCases {
            var bubble = row("bubble_\(cause.rawValue)", "\(compute) \(cause.rawValue)", "bubble share", .lower, .percent) { _ in nil }
            bubble.values = arrays.map { $0.map { $0.elapsedCycles == 0 ? 0 : Double($0.bubbles[cause]) / Double($0.elapsedCycles) } }
            rows.append(bubble)
        }
        let resources = reports.map(\.resources)
        for (metric, label, usage) in [("dsp", "DSP", \ResourceUsage.dsp), ("bram18k", "BRAM18K", \ResourceUsage.bram18k)] {
            var r = row("\(metric)_used", label, "count", .lower, .integer) { _ in nil }
            r.values = resources.map { $0.map { Double($0[keyPath: usage].used) } }
            r.available = resources.map { $0.map { $0[keyPath: usage].available } }
            rows.append(r)
        }
        let power = reports.map(\.power)
        var energy = row("energy_per_inference_mj", "energy per inference", "mJ", .lower, .decimals(2)) { _ in nil }
        energy.values = power.map { $0?.energyPerInferenceMJ }
        var efficiency = row("inferences_per_s_per_w", "inferences/s/W", "1/(s·W)", .higher, .decimals(1)) { _ in nil }
        efficiency.values = power.map { $0?.inferencesPerSPerW }
        rows += [energy, efficiency]
        if reports.contains(where: { $0.pruning != nil }) {
            // Pruned designs (docs/pruning.md): weight bytes off chip, and the sparse engine's stalls.
            rows.append(row("weight_bytes", "weight bytes", "bytes", .lower, .integer) { r in
                r.memory.flatMap { $0.bytesByClass["weights"] }.map(Double.init)
            })
            rows.append(row("bank_conflict_stalls", "bank-conflict stalls", "lane-cycles", .lower, .integer) { r in
                r.pruning.map { Double($0.bankConflictStalls) } ?? 0
            })
        }
        self.rows = rows
    }

    /// The aligned text table: metric and unit, then each config's value, `*` after the best.
    public func text() -> String {
        var grid: [[String]] = [["metric", "unit"] + columns]
        for row in rows {
            let best = Set(row.best)
            grid.append([row.label, row.available == nil ? row.unit : "used / available"] + row.values.indices.map { i in
                format(row, i) + (best.contains(i) ? "*" : " ")
            })
        }
        grid[0] = grid[0].enumerated().map { $0.offset >= 2 ? $0.element + " " : $0.element }
        var out = "compare   \(workload)\n\n"
        out += TextRenderer.table(grid, rightAligned: Set(2..<grid[0].count))
        out += "\n* best in the row: the lowest value, or the highest for throughput, utilization, lanes and inferences/s/W; "
            + "values equal as shown are all marked; — no value (no board in the config)\n"
        out += "(\(computeStage): the compute array\(computeStage.contains("+") ? " (the length-aware partitions together)" : ""); bubble shares are shares of its elapsed cycles)\n"
        for (column, path) in zip(columns, configs) where column != path { out += "\(column) = \(path)\n" }
        return out
    }

    /// CSV: `metric,unit,better`, one column per config path, then `best` (the best configs'
    /// paths, `;`-separated). Resource rows are followed by a `…_available` row.
    public func csv() -> String {
        var table = [["metric", "unit", "better"] + configs + ["best"]]
        for row in rows {
            table.append([row.metric, row.unit, row.better.rawValue] + row.values.map { CSVRenderer.number($0) }
                + [row.best.map { configs[$0] }.joined(separator: ";")])
            if let available = row.available {
                table.append([row.metric.replacingOccurrences(of: "_used", with: "_available"), "count", ""]
                    + available.map { CSVRenderer.number($0.map(Double.init)) } + [""])
            }
        }
        return CSVRenderer.table(table)
    }

    /// JSON: the table and, per config in the order given, its whole report (exactly what
    /// `simulate --format json` prints for it alone).
    public func json(reports: [RunReport]) throws -> String {
        struct Document: Encodable {
            var schemaVersion: Int
            var configs: [String]
            var table: [JSONRow]
            var reports: [RunReport]
            enum CodingKeys: String, CodingKey {
                case schemaVersion = "schema_version"
                case configs, table, reports
            }
        }
        struct JSONRow: Encodable {
            var metric: String
            var unit: String
            var better: Better
            var values: [Double?]
            var available: [Int?]?
            var best: [String]
        }
        let document = Document(
            schemaVersion: RunReport.currentSchemaVersion, configs: configs,
            table: rows.map { JSONRow(metric: $0.metric, unit: $0.unit, better: $0.better, values: $0.values,
                                      available: $0.available, best: $0.best.map { configs[$0] }) },
            reports: reports)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }

    private func format(_ row: Row, _ i: Int) -> String {
        guard let value = row.values[i] else { return "—" }
        var text: String
        switch row.style {
        case .integer: text = TextRenderer.group(Int(value))
        case .decimals(let d): text = TextRenderer.fixed(value, d)
        case .percent: text = TextRenderer.percent(value)
        }
        if let available = row.available?[i] { text += " / " + TextRenderer.group(available) }
        return text
    }
}
