import BertSimCore
import BertSimReport
import Foundation

/// A sweep's CSV: a header, then one row per design point, sorted by point index
/// (docs/sweeps.md, "The CSV").
///
/// Columns: `point`, one column per `--set` key (the value as given), `status` (`ok`,
/// `infeasible`: the config or design was rejected as bad input, `failed`: the simulation
/// could not finish), the headline metrics (empty unless `ok`), `config_hash`, `sweep_id` (a
/// fingerprint of what the rows depend on besides the overrides: the trace's bytes, the base
/// config's resolved hash, `--limit` and the scheduler), `grid_points` (the number of points
/// in the whole grid, so a merge can tell a complete sweep from one missing its last points)
/// and `reason` (why a point is not `ok`). Numbers are raw (``CSVRenderer/number(_:)``), so equal runs give equal bytes; a
/// table read back and written again is byte for byte the same, which makes resuming and
/// merging exact.
public struct SweepTable: Sendable, Equatable {
    /// A point's outcome.
    public enum Status: String, Sendable, CaseIterable {
        case ok, infeasible, failed
    }

    /// One headline metric column.
    struct Metric: Sendable {
        var name: String
        var value: @Sendable (RunReport) -> String
    }

    /// The metric columns, in order.
    static let metrics: [Metric] = [
        Metric(name: "cycles") { String($0.totals.cycles) },
        Metric(name: "latency_ms") { CSVRenderer.number($0.totals.latencyMs) },
        Metric(name: "throughput_per_s") { CSVRenderer.number($0.totals.throughputPerS) },
        Metric(name: "latency_mean_ms") { CSVRenderer.number($0.latency.meanMs) },
        Metric(name: "latency_p99_ms") { CSVRenderer.number($0.latency.p99Ms) },
        Metric(name: "energy_mj") { CSVRenderer.number($0.totals.energyMj) },
        Metric(name: "energy_per_inference_mj") { CSVRenderer.number($0.power?.energyPerInferenceMJ) },
        Metric(name: "inferences_per_s_per_w") { CSVRenderer.number($0.power?.inferencesPerSPerW) },
        Metric(name: "dsp_used") { CSVRenderer.number($0.resources.map { Double($0.dsp.used) }) },
        Metric(name: "bram18k_used") { CSVRenderer.number($0.resources.map { Double($0.bram18k.used) }) },
        Metric(name: "array_utilization") { CSVRenderer.number($0.computeArray?.utilization) },
        Metric(name: "array_lane_utilization") { CSVRenderer.number($0.computeArray?.laneUtilization) },
        Metric(name: "array_padding_share") { r in
            CSVRenderer.number(r.computeArray.map { $0.elapsedCycles == 0 ? 0 : Double($0.bubbles.padding) / Double($0.elapsedCycles) })
        },
    ]

    /// The header row for these `--set` keys.
    public static func header(keys: [String]) -> [String] {
        ["point"] + keys + ["status"] + metrics.map(\.name) + ["config_hash", "sweep_id", "grid_points", "reason"]
    }

    public var header: [String]
    /// Rows by point index.
    public var rows: [Int: [String]]

    /// The `--set` keys of this table (the columns between `point` and `status`).
    public var keys: [String] { Array(header.dropFirst().prefix { $0 != "status" }) }

    public init(keys: [String]) {
        header = Self.header(keys: keys)
        rows = [:]
    }

    /// The row of a point that ran.
    public static func row(point: Int, values: [String], report: RunReport, sweepID: String, gridPoints: Int) -> [String] {
        [String(point)] + values + [Status.ok.rawValue] + metrics.map { $0.value(report) }
            + [report.config.hash, sweepID, String(gridPoints), ""]
    }

    /// The row of a point that did not produce a report.
    public static func row(point: Int, values: [String], status: Status, reason: String, sweepID: String,
                           gridPoints: Int) -> [String] {
        [String(point)] + values + [status.rawValue] + metrics.map { _ in "" } + ["", sweepID, String(gridPoints), reason]
    }

    /// The CSV text: header, then rows by point index.
    public func csv() -> String {
        CSVRenderer.table([header] + rows.keys.sorted().map { rows[$0]! })
    }

    /// Counts of rows by status.
    public func count(_ status: Status) -> Int {
        guard let column = header.firstIndex(of: "status") else { return 0 }
        return rows.values.filter { $0[column] == status.rawValue }.count
    }

    /// Reads a sweep CSV written by `sweep run` or `sweep merge`. A last line without its
    /// newline (a file cut short) is dropped; every other problem is an input error naming the
    /// file and line.
    public static func read(path: String) throws(InputError) -> SweepTable {
        let data = try InputFile.data(path)
        let records = try CSVReader.records(String(decoding: data, as: UTF8.self), file: path)
        guard let first = records.first else { throw InputError(file: path, line: 1, "empty: not a sweep CSV (no header)") }
        let header = first.fields
        guard header.first == "point", let status = header.firstIndex(of: "status"),
              header == Self.header(keys: Array(header[1..<status])) else {
            throw InputError(file: path, line: 1, "not a sweep CSV: the header is not point,<keys>,status,\(metrics.map(\.name).joined(separator: ",")),config_hash,sweep_id,grid_points,reason")
        }
        var table = SweepTable(keys: Array(header[1..<status]))
        for record in records.dropFirst() {
            guard record.fields.count == header.count else {
                throw InputError(file: path, line: record.line, "\(record.fields.count) fields, the header has \(header.count)")
            }
            guard let point = Int(record.fields[0]), point >= 0, String(point) == record.fields[0] else {
                throw InputError(file: path, line: record.line, field: "point", "'\(record.fields[0])' is not a point index")
            }
            let grid = header.count - 2
            guard let points = Int(record.fields[grid]), points > point, String(points) == record.fields[grid] else {
                throw InputError(file: path, line: record.line, field: "grid_points",
                                 "'\(record.fields[grid])' is not a number of points above the point index \(point)")
            }
            guard Status(rawValue: record.fields[status]) != nil else {
                throw InputError(file: path, line: record.line, field: "status", "'\(record.fields[status])' is not ok, infeasible or failed")
            }
            if let other = table.rows[point], other != record.fields {
                throw InputError(file: path, line: record.line, field: "point", "point \(point) appears twice with different values")
            }
            table.rows[point] = record.fields
        }
        return table
    }

    /// Joins the tables of a sweep's shards into the table one unsharded run writes: same
    /// header, same `sweep_id` and `grid_points` N, no point given twice with different values,
    /// and the points together must be 0, 1, …, N−1 (a missing or unfinished shard is an error).
    public static func merge(_ paths: [String]) throws(InputError) -> SweepTable {
        guard let firstPath = paths.first else { throw InputError(file: "--output", "give the shards' CSV files to merge") }
        let first = try read(path: firstPath)
        var merged = SweepTable(keys: first.keys)
        let sweepColumn = merged.header.firstIndex(of: "sweep_id")!
        var origin: [Int: String] = [:]
        var sweepID: (id: String, path: String)?
        for path in paths {
            let table = path == firstPath ? first : try read(path: path)
            guard table.header == merged.header else {
                throw InputError(file: path, line: 1, "its columns differ from \(firstPath)'s: not a shard of the same sweep")
            }
            for point in table.rows.keys.sorted() {
                let row = table.rows[point]!
                if let sweepID, row[sweepColumn] != sweepID.id {
                    throw InputError(file: path, field: "sweep_id", "point \(point) has sweep_id \(row[sweepColumn]), \(sweepID.path) has "
                                     + "\(sweepID.id): the shards ran on different traces, base configs, --limit or --scheduler")
                }
                sweepID = sweepID ?? (row[sweepColumn], path)
                if let other = merged.rows[point], other != row {
                    throw InputError(file: path, field: "point", "point \(point) differs from the same point in \(origin[point]!)")
                }
                merged.rows[point] = row
                origin[point] = origin[point] ?? path
            }
        }
        let gridColumn = merged.header.firstIndex(of: "grid_points")!
        let sizes = Set(merged.rows.values.map { $0[gridColumn] })
        guard sizes.count <= 1 else {
            throw InputError(file: "--output", "the files hold grids of \(sizes.sorted().joined(separator: " and ")) points: "
                             + "not shards of the same sweep")
        }
        guard let points = sizes.first.flatMap({ Int($0) }) else {
            throw InputError(file: "--output", "the files hold no points (their shards have not run yet)")
        }
        if let missing = (0..<points).first(where: { merged.rows[$0] == nil }) {
            throw InputError(file: "--output", "point \(missing) is in none of the files (a shard is missing or unfinished); "
                             + "the files hold \(merged.rows.count) of the grid's \(points) points")
        }
        return merged
    }
}
