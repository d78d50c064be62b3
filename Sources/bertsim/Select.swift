import ArgumentParser
import BertSim
import BertSimStudies
import BertSimCore
import Foundation

/// `bertsim select TRACE --configs DIR --max-latency-ms X [--accuracy-table FILE --min-accuracy Y]`:
/// the cheapest device that meets the constraints (docs/selection.md).
struct Select: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Choose the cheapest device whose p99 latency (and model accuracy) meets the constraints.",
        discussion: """
            Simulates the trace on every *.yaml in --configs (one child process each) and keeps \
            the candidates whose p99 request latency is at most --max-latency-ms and, with an \
            accuracy table, whose model variant (model, quantization, pruning, attention) is in \
            the table with at least --min-accuracy (a variant missing from the table is \
            rejected). The choice is the first by board cost tier, then energy per inference, \
            then throughput, then config path; every other candidate is explained. Exit status 1 \
            when nothing fits.
            """)

    @Argument(help: "The workload trace (docs/trace-format.md).")
    var trace: String

    @Option(help: ArgumentHelp("The directory of candidate configs (every *.yaml directly in it).", valueName: "dir"))
    var configs: String

    @Option(help: ArgumentHelp("The largest acceptable p99 request latency.", valueName: "ms"))
    var maxLatencyMs: Double

    @Option(help: ArgumentHelp("Accuracies of model variants (docs/selection.md; e.g. data/accuracy/fqbert-sst2.csv).", valueName: "file"))
    var accuracyTable: String?

    @Option(help: ArgumentHelp("The smallest acceptable accuracy, in percent (with --accuracy-table).", valueName: "percent"))
    var minAccuracy: Double?

    @Option(help: "Simulation kernel of every child: \(KernelChoice.allCases.map(\.rawValue).joined(separator: " or ")).")
    var kernel: KernelChoice = .systemc

    @Option(help: ArgumentHelp("Child processes at once; the default is the number of active cores.", valueName: "n"))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Simulate only the first N requests.")
    var limit: Int?

    func validate() throws {
        guard maxLatencyMs.isFinite, maxLatencyMs > 0 else {
            throw InputError(file: "--max-latency-ms", "must be a positive number of milliseconds, not \(maxLatencyMs)")
        }
        switch (accuracyTable, minAccuracy) {
        case (.some, nil): throw InputError(file: "--min-accuracy", "--accuracy-table needs --min-accuracy PERCENT")
        case (nil, .some): throw InputError(file: "--accuracy-table", "--min-accuracy needs --accuracy-table FILE")
        default: break
        }
        if let minAccuracy, !(0...100).contains(minAccuracy) {
            throw InputError(file: "--min-accuracy", "must be a percentage from 0 to 100, not \(minAccuracy)")
        }
        if jobs < 1 { throw InputError(file: "--jobs", "must be at least 1, not \(jobs)") }
        if let limit, limit < 1 { throw InputError(file: "--limit", "must be at least 1, not \(limit)") }
    }

    func run() throws {
        var constraints = DeviceSelection.Constraints(maxLatencyMs: maxLatencyMs)
        if let accuracyTable, let minAccuracy {
            constraints.accuracy = .init(table: try AccuracyTable(path: accuracyTable), minimum: minAccuracy)
        }
        let signals = SignalStop()
        var children = ChildSimulations(executable: ChildSimulations.currentExecutable, jobs: jobs, stop: signals.stop)
        let line = ProgressLine(label: "select")
        if let line {
            let names = ProgressLine.names((try? DeviceSelection.candidateConfigs(in: configs)) ?? [])
            children.watch = { line.draw($0, names: names) }
        }
        defer { line?.clear() }
        let selection: DeviceSelection
        do {
            selection = try DeviceSelection.run(tracePath: trace, directory: configs, constraints: constraints, kernel: kernel,
                                                limit: limit, children: children)
            line?.clear()
        } catch let interrupted as ChildSimulations.Interrupted {
            fail("select interrupted: \(interrupted.finished) of \(interrupted.total) candidates had finished; nothing chosen")
            throw ExitCode(signals.exitCode)
        }
        writeStandardOutput(selection.explanation())
        if selection.choice == nil {
            FileHandle.standardError.write(Data("bertsim: no device fits: every candidate was rejected (reasons above)\n".utf8))
            throw ExitCode(1)
        }
    }
}
