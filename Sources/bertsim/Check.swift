import ArgumentParser
import BertSim
import BertSimModels
import BertSimStudies
import BertSimCore
import BertSimReport
import Foundation

/// `bertsim check TRACE --config FILE --golden FILE.json`: a run compared with a golden report
/// (docs/sweeps.md, "Golden reports").
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate and compare with a stored JSON report; exit 1 listing every value that moved.",
        discussion: """
            The golden file is what `simulate --format json` printed for the same trace, config, \
            --limit, --scheduler and --pad-to. Every value is compared except config.path, workload.path and \
            simulator (name, version, kernel): integers exactly, other numbers within a \
            relative tolerance of 1e-9. Each moved value is printed on stdout as \
            `path: golden -> now (relative change)`. With --record, the run is written to the \
            golden file instead (atomically) and nothing is compared. Re-record the shipped \
            goldens (Tests/golden/) with `make golden` after an intended change.
            """)

    @Argument(help: "The workload trace (docs/trace-format.md).")
    var trace: String

    @Option(help: "The hardware config (YAML).")
    var config: String

    @Option(help: ArgumentHelp("The golden report (JSON, from simulate --format json).", valueName: "file.json"))
    var golden: String

    @Option(help: "Simulation kernel: \(KernelChoice.allCases.map(\.rawValue).joined(separator: " or ")).")
    var kernel: KernelChoice = .systemc

    @Option(help: "Simulate only the first N requests (as when the golden was recorded).")
    var limit: Int?

    @Option(help: "Scheduler (as when the golden was recorded): padded, length-aware or both.")
    var scheduler: SchedulerChoice = .padded

    @Option(name: .customLong("stage-costs"), help: "Length-aware scheduler: cosimulated (the stages run as partitions of one netlist on the kernel, contending for the memory channels) or isolated (each stage's work is its cost-table entry: faster).")
    var stageCosts: StageCosts = .cosimulated

    @Option(name: .customLong("pad-to"), help: ArgumentHelp("Padded scheduler: pad every sequence to at least L tokens (as when the golden was recorded).", valueName: "L"))
    var padTo: Int?

    @Flag(help: "Write this run to the golden file instead of comparing (after an intended change).")
    var record = false

    func validate() throws {
        if let limit, limit < 1 { throw InputError(file: "--limit", "must be at least 1, not \(limit)") }
        if let padTo, padTo < 1 { throw InputError(file: "--pad-to", "must be at least 1, not \(padTo)") }
    }

    func run() throws {
        var request = SimulationRequest(trace: trace, config: config, kernel: kernel, scheduler: scheduler, padTo: padTo,
                                        limit: limit)
        request.stageCosts = stageCosts
        if record {
            let report = try Simulation.run(request, child: ChildSimulations.runner(executable: ChildSimulations.currentExecutable))
            try AtomicFile.write(try JSONRenderer.render(report), to: self.golden)
            writeStandardOutput("check: recorded \(config) on \(trace) in \(self.golden)\n")
            return
        }
        let golden = try GoldenCheck.readGolden(path: self.golden)
        let report = try Simulation.run(request, child: ChildSimulations.runner(executable: ChildSimulations.currentExecutable))
        let changes = GoldenCheck.changes(golden: golden, current: try JSONValue(encoding: report))
        if changes.isEmpty {
            writeStandardOutput("check: \(config) on \(trace) matches \(self.golden)\n")
            return
        }
        writeStandardOutput(changes.map { "\($0)\n" }.joined())
        FileHandle.standardError.write(Data(
            ("bertsim: check: \(changes.count) value\(changes.count == 1 ? "" : "s") moved from \(self.golden) "
             + "(listed on stdout); after an intended change, re-record the goldens with make golden\n").utf8))
        throw ExitCode(1)
    }
}
