import BertSimCore
import BertSimReport
import BertSimWorkload
import Foundation

/// Measurements of real hardware, for `validate` and `calibrate` (docs/validation.md): each row
/// a design, a workload shape, a metric, the measured value, how far the simulation may be from
/// it, and where the number comes from.
///
/// A CSV file (RFC 4180 quoting; `#` lines and blank lines skipped) with the header
/// `config,model,length,batch,requests,metric,measured,tolerance_pct,source`:
/// - `config`: the design, a YAML file, relative to the table's directory (or absolute);
/// - `model`, `length`, `batch`, `requests`: the workload, `requests` sequences of `length`
///   tokens of a model preset, in closed batches of `batch` (every arrival at 0 ns);
/// - `metric`: one of ``Metric`` (`latency_ms`, `power_w`, `dsp`, …);
/// - `measured`: the measured value in the metric's unit; `tolerance_pct`: the largest
///   relative distance, in percent, at which the simulation still agrees;
/// - `source`: where the measurement comes from (a paper and its table, a lab notebook).
public struct MeasurementTable: Sendable, Equatable {
    /// What a measurement measured, and where the report holds it.
    public enum Metric: String, Sendable, CaseIterable, Codable {
        /// Mean request latency, arrival to completion (batch 1, one request: the inference).
        case latencyMs = "latency_ms"
        /// Requests per second over the run.
        case throughputPerS = "throughput_per_s"
        /// Average power over the run (`power.average_w`).
        case powerW = "power_w"
        case energyPerInferenceMJ = "energy_per_inference_mj"
        case inferencesPerSPerW = "inferences_per_s_per_w"
        case dsp, bram18k, uram, lut, ff

        /// The unit, for tables.
        public var unit: String {
            switch self {
            case .latencyMs: "ms"
            case .throughputPerS: "1/s"
            case .powerW: "W"
            case .energyPerInferenceMJ: "mJ"
            case .inferencesPerSPerW: "1/(s·W)"
            case .dsp, .bram18k, .uram, .lut, .ff: "count"
            }
        }

        /// The simulated value in `report`, or nil when the report has none (no board).
        public func value(in report: RunReport) -> Double? {
            switch self {
            case .latencyMs: report.latency.meanMs
            case .throughputPerS: report.totals.throughputPerS
            case .powerW: report.power?.averageW
            case .energyPerInferenceMJ: report.power?.energyPerInferenceMJ
            case .inferencesPerSPerW: report.power?.inferencesPerSPerW
            case .dsp: report.resources.map { Double($0.dsp.used) }
            case .bram18k: report.resources.map { Double($0.bram18k.used) }
            case .uram: report.resources.map { Double($0.uram.used) }
            case .lut: report.resources.map { Double($0.lut.used) }
            case .ff: report.resources.map { Double($0.ff.used) }
            }
        }
    }

    /// The workload a measurement was taken on.
    public struct Workload: Sendable, Hashable, CustomStringConvertible {
        public var model: String
        public var length: Int
        public var batch: Int
        public var requests: Int

        public init(model: String, length: Int, batch: Int, requests: Int) {
            self.model = model
            self.length = length
            self.batch = batch
            self.requests = requests
        }

        public var description: String {
            "\(model), \(requests) × \(length) tokens" + (batch > 1 ? " in batches of \(batch)" : ", batch 1")
        }

        /// Writes the workload as a trace file at `path`.
        public func write(to path: String) throws {
            guard let spec = ModelSpec.preset(model) else { throw InputError(file: path, "unknown model \(model)") }
            _ = try TraceGenerator(model: spec, lengths: .fixed(length), arrivals: .closedBatches(batch), count: requests, seed: 1,
                                   source: "a measurement's workload (bertsim validate / calibrate)").write(to: path)
        }
    }

    /// One measurement.
    public struct Row: Sendable, Equatable {
        /// 1-based line in the file.
        public var line: Int
        /// The config as written in the file, and as a path from the current directory.
        public var config: String
        public var configPath: String
        public var workload: Workload
        public var metric: Metric
        public var measured: Double
        /// The largest relative distance that still agrees, as a fraction (3% is 0.03).
        public var tolerance: Double
        public var source: String
    }

    public static let header = ["config", "model", "length", "batch", "requests", "metric", "measured", "tolerance_pct", "source"]

    public var path: String
    public var rows: [Row]

    /// Reads and checks a table; every error names the file, the line and the column.
    public init(path: String) throws(InputError) {
        let text = try InputFile.text(path)
        try self.init(text: text, path: path)
    }

    /// Parses the text of a table read from `path` (configs are relative to its directory).
    public init(text: String, path: String) throws(InputError) {
        self.path = path
        rows = []
        // Comment lines become empty records (line numbers are kept), then are skipped.
        let cleaned = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces).hasPrefix("#") ? "" : String($0) }
            .joined(separator: "\n")
        let records = try CSVReader.records(cleaned.hasSuffix("\n") ? cleaned : cleaned + "\n", file: path)
            .filter { $0.fields != [""] && !$0.fields.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
        guard let first = records.first else {
            throw InputError(file: path, "no header: expected '\(Self.header.joined(separator: ","))'")
        }
        guard first.fields.map({ $0.trimmingCharacters(in: .whitespaces) }) == Self.header else {
            throw InputError(file: path, line: first.line, "the header must be '\(Self.header.joined(separator: ","))'")
        }
        let directory = URL(fileURLWithPath: path).absoluteURL.deletingLastPathComponent()
        for record in records.dropFirst() {
            let cells = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            let line = record.line
            guard cells.count == Self.header.count else {
                throw InputError(file: path, line: line, "expected \(Self.header.count) comma-separated values "
                                 + "(\(Self.header.joined(separator: ","))), found \(cells.count)")
            }
            func cell(_ column: String) -> String { cells[Self.header.firstIndex(of: column)!] }
            func positive(_ column: String) throws(InputError) -> Int {
                guard let v = Int(cell(column)), v >= 1 else {
                    throw InputError(file: path, line: line, field: column, "'\(cell(column))' is not a positive integer")
                }
                return v
            }
            for column in ["config", "model", "source"] where cell(column).isEmpty {
                throw InputError(file: path, line: line, field: column, "is empty")
            }
            guard ModelSpec.preset(cell("model")) != nil else {
                throw InputError(file: path, line: line, field: "model", "'\(cell("model"))' is not a model preset "
                                 + "(\(ModelSpec.presets.map(\.name).joined(separator: ", ")))")
            }
            guard let metric = Metric(rawValue: cell("metric")) else {
                throw InputError(file: path, line: line, field: "metric", "'\(cell("metric"))' is not one of "
                                 + Metric.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard let measured = Double(cell("measured")), measured.isFinite, measured > 0 else {
                throw InputError(file: path, line: line, field: "measured", "'\(cell("measured"))' is not a positive number")
            }
            guard let tolerance = Double(cell("tolerance_pct")), tolerance.isFinite, tolerance >= 0 else {
                throw InputError(file: path, line: line, field: "tolerance_pct", "'\(cell("tolerance_pct"))' is not a percentage")
            }
            let length = try positive("length")
            guard length <= ModelSpec.preset(cell("model"))!.maxPositions else {
                throw InputError(file: path, line: line, field: "length", "\(length) tokens is longer than \(cell("model"))'s "
                                 + "\(ModelSpec.preset(cell("model"))!.maxPositions) positions")
            }
            let config = cell("config")
            let configPath = config.hasPrefix("/") ? config : directory.appendingPathComponent(config).standardized.path
            rows.append(Row(line: line, config: config, configPath: Self.relative(configPath),
                            workload: Workload(model: cell("model"), length: length, batch: try positive("batch"),
                                               requests: try positive("requests")),
                            metric: metric, measured: measured, tolerance: tolerance / 100, source: cell("source")))
        }
        guard !rows.isEmpty else { throw InputError(file: path, "no measurements: the table has a header only") }
    }

    /// `path` relative to the current directory when it lies below it (so messages stay short).
    static func relative(_ path: String) -> String {
        let current = FileManager.default.currentDirectoryPath
        let prefix = current.hasSuffix("/") ? current : current + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
