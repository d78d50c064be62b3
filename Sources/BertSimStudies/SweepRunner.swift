import BertSim
import BertSimConfig
import BertSimCore
import BertSimReport
import BertSimWorkload
import Foundation

/// `bertsim sweep run`: every point of a ``SweepGrid`` (or of one shard of it) simulated in a
/// child process, one CSV row per point (docs/sweeps.md).
///
/// Each point's config is first loaded in-process; a point the loader rejects gets an
/// `infeasible` row with the loader's reason and no child. The others run in child processes
/// (``ChildSimulations``), `jobs` at a time, each sent its point's YAML text; a child that
/// reports bad input (the design does not fit, say) makes the point `infeasible`, a simulation
/// that could not finish or a crashed child `failed`, both with the reason.
///
/// Resumable and atomic: `ok` and `infeasible` rows already in the output are kept and their
/// points skipped, `failed` rows are run again (rows must belong to this sweep: same columns,
/// same `sweep_id`, same override values); a child killed by a signal such as SIGINT leaves
/// no row. The file
/// is rewritten whole through a temporary file and a rename, at most once a second while
/// points finish and once at the end, so it always holds a header and whole rows sorted by
/// point. On a stop request (Ctrl-C) the running children are killed and the finished rows
/// written.
public struct SweepRunner: Sendable {
    public var grid: SweepGrid
    public var tracePath: String
    public var kernel: KernelChoice
    public var limit: Int?
    public var scheduler: SchedulerChoice
    /// 1-based shard index and shard count (`--shard i/n`).
    public var shard: (index: Int, count: Int)
    public var outputPath: String

    public init(grid: SweepGrid, tracePath: String, kernel: KernelChoice, limit: Int?, scheduler: SchedulerChoice = .padded,
                shard: (index: Int, count: Int) = (1, 1), outputPath: String) {
        self.grid = grid
        self.tracePath = tracePath
        self.kernel = kernel
        self.limit = limit
        self.scheduler = scheduler
        self.shard = shard
        self.outputPath = outputPath
    }

    /// Where a sweep stands, for the progress line.
    public struct Progress: Sendable, CustomStringConvertible {
        /// Points of this run (shard) in total, and done so far (including those found in the
        /// output at the start and those the loader rejected without a child).
        public var total: Int
        public var done: Int
        /// Points found in the output at the start.
        public var resumed: Int
        /// Children finished so far, children still to finish, and seconds since the first
        /// child started.
        public var childrenDone: Int
        public var childrenLeft: Int
        public var elapsed: Double

        /// Children finished per second.
        public var rate: Double { elapsed > 0 ? Double(childrenDone) / elapsed : 0 }

        /// Seconds left at the current rate, when there is a rate.
        public var eta: Double? { childrenLeft == 0 ? 0 : rate > 0 ? Double(childrenLeft) / rate : nil }

        public var description: String {
            var s = "sweep: \(done)/\(total) points done"
            if resumed > 0 { s += " (\(resumed) from the output)" }
            s += String(format: ", %.2f points/s", rate)
            s += ", ETA " + (eta.map(Self.duration) ?? "?")
            return s
        }

        static func duration(_ seconds: Double) -> String {
            let s = Int(seconds.rounded(.up))
            if s >= 3600 { return String(format: "%dh%02dm", s / 3600, s % 3600 / 60) }
            if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
            return "\(s)s"
        }
    }

    /// How a run ended.
    public struct Summary: Sendable {
        /// Points of this run (shard), points found in the output at the start, and points run.
        public var points: Int
        public var resumed: Int
        public var ran: Int
        public var ok: Int
        public var infeasible: Int
        public var failed: Int
        /// False when a stop request ended the run before every point was done.
        public var complete: Bool
    }

    /// The fingerprint of what rows depend on besides the overrides (the `sweep_id` column):
    /// the trace's bytes, the base config's resolved hash, `--limit` and the scheduler.
    public func sweepID() throws(InputError) -> String {
        guard let trace = FileManager.default.contents(atPath: tracePath) else {
            throw InputError(file: tracePath, "cannot be read")
        }
        let base = try ConfigLoader.load(path: grid.basePath)
        let limitText = limit.map(String.init) ?? "all"
        return FNV1a.hex(("bertsim-sweep 1;trace \(String(FNV1a.hash(trace), radix: 16));base \(base.hash);"
                          + "limit \(limitText);scheduler \(scheduler.rawValue)").utf8)
    }

    /// Reads the output left by an earlier run of the same sweep (none: an empty table) and
    /// checks that every row belongs to this run.
    public func existingTable(sweepID: String) throws(InputError) -> SweepTable {
        let keys = grid.axes.map(\.key)
        guard FileManager.default.fileExists(atPath: outputPath) else { return SweepTable(keys: keys) }
        let table = try SweepTable.read(path: outputPath)
        guard table.keys == keys else {
            throw InputError(file: outputPath, line: 1, "holds a sweep over \(table.keys.joined(separator: ", ")), not "
                             + "\(keys.joined(separator: ", ")): give another --output, or delete it to start over")
        }
        let mine = Set(grid.points(shard: shard.index, of: shard.count))
        let sweepColumn = table.header.firstIndex(of: "sweep_id")!
        for point in table.rows.keys.sorted() {
            let row = table.rows[point]!
            guard mine.contains(point) else {
                throw InputError(file: outputPath, field: "point", "point \(point) is not in this run "
                                 + (point < grid.count ? "(shard \(shard.index)/\(shard.count))" : "(the grid has \(grid.count) points)")
                                 + ": give another --output, or delete it to start over")
            }
            let values = grid.values(at: point)
            if let a = keys.indices.first(where: { row[1 + $0] != values[$0] }) {
                throw InputError(file: outputPath, field: keys[a], "point \(point) has \(keys[a]) = \(row[1 + a]), this sweep's "
                                 + "point \(point) has \(values[a]): give another --output, or delete it to start over")
            }
            let gridColumn = table.header.firstIndex(of: "grid_points")!
            guard row[gridColumn] == String(grid.count) else {
                throw InputError(file: outputPath, field: "grid_points", "point \(point) belongs to a grid of \(row[gridColumn]) "
                                 + "points, this sweep has \(grid.count): give another --output, or delete it to start over")
            }
            guard row[sweepColumn] == sweepID else {
                throw InputError(file: outputPath, field: "sweep_id", "point \(point) was run on another trace, base config, "
                                 + "--limit or --scheduler (sweep_id \(row[sweepColumn]), this sweep's is \(sweepID)): "
                                 + "give another --output, or delete it to start over")
            }
        }
        return table
    }

    /// Runs the points not yet in the output; `progress` is called after each one finishes.
    public func run(children: ChildSimulations, stop: ChildSimulations.Stop? = nil,
                    progress: (Progress) -> Void = { _ in }) throws -> Summary {
        _ = try TraceReader(path: tracePath)
        let id = try sweepID()
        var table = try existingTable(sweepID: id)
        let mine = grid.points(shard: shard.index, of: shard.count)
        // Rows of points that failed (a crash, say) are run again; ok and infeasible rows stay.
        let statusColumn = table.header.firstIndex(of: "status")!
        for (point, row) in table.rows where row[statusColumn] == SweepTable.Status.failed.rawValue {
            table.rows[point] = nil
        }
        let resumed = table.rows.count
        let pending = mine.filter { table.rows[$0] == nil }

        var finishedHere = 0
        var childrenDone = 0
        var runs: [(point: Int, request: SimulationRequest)] = []
        var started = Date()
        func report() {
            progress(Progress(total: mine.count, done: table.rows.count, resumed: resumed, childrenDone: childrenDone,
                              childrenLeft: runs.count - childrenDone, elapsed: Date().timeIntervalSince(started)))
        }
        for point in pending {
            let values = grid.values(at: point)
            let text = try grid.yaml(at: point)
            do {
                _ = try ConfigLoader.parse(text, file: grid.basePath)
            } catch {
                table.rows[point] = SweepTable.row(point: point, values: values, status: .infeasible,
                                                   reason: (error.field.map { "\($0): " } ?? "") + error.message, sweepID: id, gridPoints: grid.count)
                finishedHere += 1
                continue
            }
            runs.append((point, SimulationRequest(trace: tracePath, config: .yaml(text, path: grid.basePath), kernel: kernel,
                                                  scheduler: scheduler, limit: limit)))
        }
        try AtomicFile.write(table.csv(), to: outputPath)
        var written = Date()
        var dirty = false
        started = Date()
        if finishedHere > 0 || runs.isEmpty { report() }

        func flush(force: Bool) throws {
            guard dirty, force || Date().timeIntervalSince(written) >= 1 else { return }
            try AtomicFile.write(table.csv(), to: outputPath)
            written = Date()
            dirty = false
        }
        let complete = try children.run(runs.map(\.request), stop: stop, idle: { try flush(force: true) }) { index, outcome in
            let point = runs[index].point
            let values = grid.values(at: point)
            let row: [String]
            switch outcome {
            case .finished(.report(let report)):
                row = SweepTable.row(point: point, values: values, report: report, sweepID: id, gridPoints: grid.count)
            case .finished(.inputError(let error)):
                row = SweepTable.row(point: point, values: values, status: .infeasible, reason: reason(error, point: point),
                                     sweepID: id, gridPoints: grid.count)
            case .finished(.simulationError(let error)):
                row = SweepTable.row(point: point, values: values, status: .failed, reason: error.description,
                                     sweepID: id, gridPoints: grid.count)
            case .crashed(let termination) where termination.isInterruption:
                // Killed from outside (Ctrl-C reaches the whole process group): no row, so the
                // point runs again when the sweep is resumed.
                childrenDone += 1
                report()
                return
            case .crashed(let termination):
                row = SweepTable.row(point: point, values: values, status: .failed, reason: termination.description,
                                     sweepID: id, gridPoints: grid.count)
            }
            table.rows[point] = row
            finishedHere += 1
            childrenDone += 1
            dirty = true
            try flush(force: false)
            report()
        }
        try flush(force: true)
        return Summary(points: mine.count, resumed: resumed, ran: finishedHere, ok: table.count(.ok),
                       infeasible: table.count(.infeasible), failed: table.count(.failed),
                       complete: complete && mine.allSatisfy { table.rows[$0] != nil })
    }

    /// A point's bad input as its row's reason: an error in the point's config without the
    /// file and line (they are the point's YAML, not the base file's), so rows are the same
    /// bytes on every run; the base path in the message becomes "point N's config".
    func reason(_ error: InputError, point: Int) -> String {
        let text = error.file == grid.basePath ? (error.field.map { "\($0): " } ?? "") + error.message : error.description
        return text.replacingOccurrences(of: grid.basePath, with: "point \(point)'s config")
    }
}
