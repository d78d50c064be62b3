import BertSim
import BertSimCore
import BertSimReport
import Foundation

/// `bertsim validate`: every row of a ``MeasurementTable`` simulated and compared with its
/// measured value (docs/validation.md).
///
/// Each distinct (config, workload) of the table runs once, in a child process; a row's
/// distance is |simulated − measured| ÷ measured, and the row agrees when the distance is at
/// most its tolerance. A row whose design cannot run, or whose report has no value for its
/// metric (no board for power or resources), disagrees, with the reason.
public struct Validation: Sendable {
    /// One row's comparison.
    public struct Result: Sendable, Equatable {
        public var row: MeasurementTable.Row
        /// The simulated value; nil when the run failed or the report has no value.
        public var simulated: Double?
        /// |simulated − measured| ÷ measured; nil without a simulated value.
        public var distance: Double?
        /// Why there is no simulated value.
        public var failure: String?

        public var agrees: Bool { distance.map { $0 <= row.tolerance + 1e-12 } ?? false }

        /// Signed relative residual, (simulated − measured) ÷ measured.
        public var residual: Double? { simulated.map { ($0 - row.measured) / row.measured } }
    }

    public var table: MeasurementTable
    public var results: [Result]

    /// Whether every row agrees.
    public var agrees: Bool { results.allSatisfy(\.agrees) }

    /// The largest distance over the rows (infinite when a row has no simulated value).
    public var worstDistance: Double { results.map { $0.distance ?? .infinity }.max() ?? 0 }

    public init(table: MeasurementTable, results: [Result]) {
        self.table = table
        self.results = results
    }

    /// The workloads a table needs, each written once as a trace in a scratch directory.
    public final class Workloads {
        public let directory: URL
        private var paths: [MeasurementTable.Workload: String] = [:]

        public init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("bertsim-workloads-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        /// The trace of `workload`, written on first use.
        public func trace(_ workload: MeasurementTable.Workload) throws -> String {
            if let path = paths[workload] { return path }
            let path = directory.appendingPathComponent("w\(paths.count).trace").path
            try workload.write(to: path)
            paths[workload] = path
            return path
        }
    }

    /// Simulates every (config, workload) of `table` once and compares each row.
    public static func run(_ table: MeasurementTable, kernel: KernelChoice, children: ChildSimulations,
                           workloads: Workloads) throws -> Validation {
        let results = try compare(table.rows.map { ($0, .file($0.configPath)) }, kernel: kernel, children: children,
                                  workloads: workloads)
        return Validation(table: table, results: results)
    }

    /// Simulates each row's workload on the design given with it (a file, or YAML text with
    /// overrides set), each distinct (design, workload) once, and compares.
    public static func compare(_ rows: [(MeasurementTable.Row, SimulationRequest.Config)], kernel: KernelChoice,
                               children: ChildSimulations, workloads: Workloads) throws -> [Result] {
        var requests: [SimulationRequest] = []
        var runOf: [Int] = []
        for (row, config) in rows {
            let request = SimulationRequest(trace: try workloads.trace(row.workload), config: config, kernel: kernel)
            if let index = requests.firstIndex(of: request) {
                runOf.append(index)
            } else {
                runOf.append(requests.count)
                requests.append(request)
            }
        }
        let outcomes = try children.run(requests, stopAtFailure: false)
        return zip(rows, runOf).map { pair, run in compare(pair.0, outcomes[run]!) }
    }

    static func compare(_ row: MeasurementTable.Row, _ outcome: ChildSimulations.Outcome) -> Result {
        var result = Result(row: row)
        switch outcome {
        case .finished(.report(let report)):
            if let partial = report.partial {
                result.failure = "the run ended early: \(partial.reason)"
            } else if let value = row.metric.value(in: report) {
                result.simulated = value
                result.distance = abs(value - row.measured) / row.measured
            } else {
                result.failure = "the report has no \(row.metric.rawValue) (no board in the config?)"
            }
        case .finished(.inputError(let error)):
            result.failure = "does not run: \(error)"
        case .finished(.simulationError(let error)):
            result.failure = "simulation failed: \(error)"
        case .crashed(let termination):
            result.failure = "simulation failed: \(termination)"
        }
        return result
    }

    /// One line per row: config, workload, metric, measured, simulated, distance against the
    /// tolerance, and the source; then a summary line.
    public func text() -> String {
        var rows: [[String]] = [["config", "workload", "metric", "measured", "simulated", "distance", "tolerance", "", "source"]]
        for r in results {
            rows.append([r.row.configPath, r.row.workload.description, r.row.metric.rawValue,
                         Self.format(r.row.measured) + " " + r.row.metric.unit,
                         r.simulated.map { Self.format($0) + " " + r.row.metric.unit } ?? "—",
                         r.residual.map { String(format: "%+.2f%%", $0 * 100) } ?? "—",
                         String(format: "%.1f%%", r.row.tolerance * 100),
                         r.agrees ? "ok" : "OUTSIDE", r.row.source])
        }
        var out = "validate  \(table.path): \(results.count) measurement\(results.count == 1 ? "" : "s")\n\n"
        out += TextRenderer.table(rows, rightAligned: [3, 4, 5, 6])
        for r in results where r.failure != nil { out += "line \(r.row.line): \(r.failure!)\n" }
        let outside = results.filter { !$0.agrees }.count
        out += outside == 0 ? "\nevery measurement agrees within its tolerance\n"
            : "\n\(outside) of \(results.count) measurements outside their tolerance\n"
        return out
    }

    /// A value with five significant digits, grouped like the reports' integers when whole.
    static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e12 { return TextRenderer.group(Int(x)) }
        return String(format: "%.5g", x)
    }
}

extension Validation.Result {
    init(row: MeasurementTable.Row) {
        self.init(row: row, simulated: nil, distance: nil, failure: nil)
    }
}
