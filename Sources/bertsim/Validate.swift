import ArgumentParser
import BertSim
import BertSimCore
import BertSimStudies
import Foundation

/// `bertsim validate [FILE]`: every measurement of a table against the simulator
/// (docs/validation.md).
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate every measured design and workload of a table and compare with the measurements.",
        discussion: """
            The table (docs/validation.md) gives per row a config, a workload (model, length, \
            batch, requests), a metric, the measured value, a tolerance in percent and the \
            source. Each (config, workload) runs once, in a child process. One line per row: \
            measured, simulated, the signed distance and the tolerance. Exit status 1 when a \
            row is outside its tolerance (or its design cannot run).
            """)

    @Argument(help: ArgumentHelp("The measurements (CSV).", valueName: "file"))
    var file: String = "data/validation/measurements.csv"

    @Option(help: "Simulation kernel of every child: \(KernelChoice.allCases.map(\.rawValue).joined(separator: " or ")).")
    var kernel: KernelChoice = .systemc

    @Option(help: ArgumentHelp("Child processes at once; the default is the number of active cores.", valueName: "n"))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if jobs < 1 { throw InputError(file: "--jobs", "must be at least 1, not \(jobs)") }
    }

    func run() throws {
        let table = try MeasurementTable(path: file)
        let signals = SignalStop()
        let validation: Validation
        do {
            validation = try Validation.run(table, kernel: kernel, children: ChildSimulations(
                executable: ChildSimulations.currentExecutable, jobs: jobs, stop: signals.stop), workloads: Validation.Workloads())
        } catch let interrupted as ChildSimulations.Interrupted {
            fail("validate interrupted: \(interrupted.finished) of \(interrupted.total) runs had finished")
            throw ExitCode(signals.exitCode)
        }
        writeStandardOutput(validation.text())
        if !validation.agrees {
            FileHandle.standardError.write(Data("bertsim: validate: measurements outside their tolerance (listed above)\n".utf8))
            throw ExitCode(1)
        }
    }
}
