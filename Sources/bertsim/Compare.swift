import ArgumentParser
import BertSim
import BertSimStudies
import BertSimCore
import BertSimReport
import Foundation

/// Output formats of `bertsim compare`.
enum ComparisonFormat: String, ExpressibleByArgument, CaseIterable {
    case text, csv, json
}

/// `bertsim compare TRACE --config A --config B …`: each config simulated alone in a child
/// process, then one side-by-side table (docs/reports.md, "compare").
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate a trace on several configs (one child process each) and compare them side by side.",
        discussion: """
            Rows: cycles, request latency (mean, p99), throughput, the compute array's \
            utilization and bubble shares, DSP and BRAM18K use, energy per inference and \
            inferences/s/W; the best value of each row is marked. --format json prints the \
            table and, per config in the order given, exactly the report `simulate --format \
            json` prints for it. If any config fails, nothing is printed: one line names the \
            first failed config, and the exit status is the child's (2 bad input, 3 simulation \
            failure).
            """)

    @Argument(help: "The workload trace (docs/trace-format.md).")
    var trace: String

    @Option(name: .customLong("config"), help: ArgumentHelp("A hardware config; give one per design (in table order).", valueName: "file"))
    var configs: [String] = []

    @Option(help: "Simulation kernel of every child: \(KernelChoice.allCases.map(\.rawValue).joined(separator: " or ")).")
    var kernel: KernelChoice = .systemc

    @Option(help: "Output format: text, csv or json.")
    var format: ComparisonFormat = .text

    @Option(help: ArgumentHelp("Child processes at once; the default is the number of active cores.", valueName: "n"))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Simulate only the first N requests.")
    var limit: Int?

    func validate() throws {
        if configs.isEmpty { throw InputError(file: "--config", "give at least one config (--config FILE, once per design)") }
        if jobs < 1 { throw InputError(file: "--jobs", "must be at least 1, not \(jobs)") }
        if let limit, limit < 1 { throw InputError(file: "--limit", "must be at least 1, not \(limit)") }
    }

    func run() throws {
        let started = Date()
        let reports: [RunReport]
        let signals = SignalStop()
        var children = ChildSimulations(executable: ChildSimulations.currentExecutable, jobs: jobs, stop: signals.stop)
        let line = ProgressLine(label: "compare")
        if let line {
            let names = ProgressLine.names(configs)
            children.watch = { line.draw($0, names: names) }
        }
        defer { line?.clear() }
        do {
            reports = try Comparison.run(tracePath: trace, configPaths: configs, kernel: kernel, limit: limit, children: children)
            line?.clear()
        } catch let interrupted as ChildSimulations.Interrupted {
            fail("compare interrupted: \(interrupted.finished) of \(interrupted.total) configs had finished; no table printed")
            throw ExitCode(signals.exitCode)
        } catch let failure as Comparison.Failure {
            fail(failure.description)
            throw ExitCode(failure.kind == .input ? 2 : 3)
        }
        let table = ComparisonTable(reports: reports)
        switch format {
        case .text: writeStandardOutput(table.text())
        case .csv: writeStandardOutput(table.csv())
        case .json: writeStandardOutput(try table.json(reports: reports))
        }
        let wall = Date().timeIntervalSince(started)
        FileHandle.standardError.write(Data(String(format: "bertsim: %.3f s wall, %d configs, %d jobs\n", wall, configs.count,
                                                   min(jobs, configs.count)).utf8))
    }
}
