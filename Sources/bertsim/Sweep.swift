import ArgumentParser
import BertSim
import BertSimStudies
import BertSimCore
import BertSimReport
import Foundation

/// `bertsim sweep run|merge`: design-space sweeps over config overrides (docs/sweeps.md).
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sweep a grid of config overrides (one child process per point), shard it, merge the shards.",
        subcommands: [Run.self, Merge.self])

    /// `bertsim sweep run TRACE --config BASE --set key.path=v1,v2 … --output FILE.csv`.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Simulate every point of a grid of overrides on a base config; one CSV row per point.",
            discussion: """
                Points are the Cartesian product of the --set flags, in the order given, the \
                last varying fastest, numbered from 0; --shard i/n runs the points whose index \
                mod n is i-1. Each value is a YAML scalar (16, 0.5, hbm2, "16"). A point the \
                config loader or the design rejects gets an infeasible row with the reason. \
                ok and infeasible rows already in --output are kept and their points skipped, \
                failed ones run again (re-run the same command to resume); the file is \
                rewritten atomically as points finish. Ctrl-C \
                kills the children and keeps the finished rows (exit status 130). A progress \
                line goes to stderr. Exit status 0 when every point of the run has a row, \
                whatever its status.
                """)

        @Argument(help: "The workload trace (docs/trace-format.md).")
        var trace: String

        @Option(help: ArgumentHelp("The base hardware config (YAML).", valueName: "file"))
        var config: String

        @Option(name: .customLong("set"), help: ArgumentHelp(
            "An axis of the grid: a config key path (as bertsim describe and hw-configs/ name it) and its values, comma-separated.",
            valueName: "key.path=v1,v2,…"))
        var sets: [String] = []

        @Option(help: ArgumentHelp("The CSV to write (and resume from).", valueName: "file.csv"))
        var output: String

        @Option(help: ArgumentHelp("Run only shard i of n: the points whose index mod n = i-1.", valueName: "i/n"))
        var shard: String?

        @Option(help: ArgumentHelp("Child processes at once; the default is the number of active cores.", valueName: "n"))
        var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

        @Option(help: "Simulation kernel of every child: \(KernelChoice.allCases.map(\.rawValue).joined(separator: " or ")).")
        var kernel: KernelChoice = .systemc

        @Option(help: "Scheduler of every child: padded or length-aware.")
        var scheduler: SchedulerChoice = .padded

        @Option(help: "Simulate only the first N requests.")
        var limit: Int?

        func validate() throws {
            if sets.isEmpty { throw InputError(file: "--set", "give at least one --set key.path=v1,v2,…") }
            if jobs < 1 { throw InputError(file: "--jobs", "must be at least 1, not \(jobs)") }
            if let limit, limit < 1 { throw InputError(file: "--limit", "must be at least 1, not \(limit)") }
            if scheduler == .both { throw InputError(file: "--scheduler", "a sweep row holds one run: give padded or length-aware") }
            _ = try parsedShard()
        }

        func parsedShard() throws -> (index: Int, count: Int) {
            guard let shard else { return (1, 1) }
            let parts = shard.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else {
                throw InputError(file: "--shard", "'\(shard)' is not i/n with 1 ≤ i ≤ n (e.g. 1/4)")
            }
            return (i, n)
        }

        func run() throws {
            let grid = try SweepGrid(basePath: config, axes: try sets.map { flag throws(InputError) in try SweepGrid.Axis(parsing: flag) })
            let runner = SweepRunner(grid: grid, tracePath: trace, kernel: kernel, limit: limit, scheduler: scheduler,
                                     shard: try parsedShard(), outputPath: output)
            let signals = SignalStop()
            let stop = signals.stop

            let terminal = isatty(STDERR_FILENO) == 1
            var lastLine = Date.distantPast
            let jobs = self.jobs
            let summary = try runner.run(children: ChildSimulations(executable: ChildSimulations.currentExecutable, jobs: jobs),
                                         stop: stop) { progress in
                let now = Date()
                let last = progress.done == progress.total
                if terminal {
                    FileHandle.standardError.write(Data("\r\u{1B}[K\(progress)\(last ? "\n" : "")".utf8))
                } else if last || now.timeIntervalSince(lastLine) >= 2 {
                    FileHandle.standardError.write(Data("bertsim: \(progress)\n".utf8))
                    lastLine = now
                }
            }
            let done = summary.resumed + summary.ran
            if !summary.complete {
                if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
                guard let number = signals.signalled else {
                    fail("sweep: \(summary.points - done) of \(summary.points) points have no row (their children were "
                         + "killed by a signal); the \(done) done are in \(output); run the same command again to finish")
                    throw ExitCode(3)
                }
                fail("sweep interrupted: \(done) of \(summary.points) points done and written to \(output); "
                     + "run the same command again to finish")
                throw ExitCode(128 + number)
            }
            FileHandle.standardError.write(Data(
                ("bertsim: sweep: \(summary.points) points in \(output) (\(summary.resumed) already there, \(summary.ran) run): "
                 + "\(summary.ok) ok, \(summary.infeasible) infeasible, \(summary.failed) failed; \(jobs) jobs\n").utf8))
        }
    }

    /// `bertsim sweep merge A.csv B.csv … --output FILE.csv`.
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Join the CSVs of a sweep's shards into the file one unsharded run writes.",
            discussion: """
                The files must have the same columns and sweep_id; a point in two files must \
                have the same row in both; together they must hold points 0 to N-1 with no gap \
                (a missing or unfinished shard is an error). The output is written atomically.
                """)

        @Argument(help: "The shards' CSV files (any order).")
        var inputs: [String] = []

        @Option(help: ArgumentHelp("The merged CSV.", valueName: "file.csv"))
        var output: String

        func validate() throws {
            if inputs.isEmpty { throw InputError(file: "sweep merge", "give the shards' CSV files to merge") }
        }

        func run() throws {
            let table = try SweepTable.merge(inputs)
            try AtomicFile.write(table.csv(), to: output)
            FileHandle.standardError.write(Data("bertsim: merged \(inputs.count) files into \(output): \(table.rows.count) points\n".utf8))
        }
    }
}
