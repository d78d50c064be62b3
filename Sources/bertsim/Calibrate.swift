import ArgumentParser
import BertSim
import BertSimCore
import BertSimReport
import BertSimStudies
import Foundation

/// `bertsim calibrate --measurements FILE --fit key.path=lo:hi … --output FILE.yaml`: fit config
/// parameters to measurements (docs/validation.md, "Calibrating").
struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit config parameters to measurements of a design, and write the calibrated config.",
        discussion: """
            Every row of --measurements must name the same config. Each --fit key.path=lo:hi \
            is searched within [lo, hi] (integers when both bounds are integers) to minimize \
            the worst relative distance over the measurements, by successive grid refinement, \
            one child process per point and workload. At most as many parameters as \
            measurements. Prints each fitted value and every measurement's residual, and with \
            --predict, the residuals of other measurements (their configs with the fitted \
            values set): calibrate on some, predict the others. Exit status 1 when, after the \
            fit, a measurement is still outside its tolerance.
            """)

    @Option(help: ArgumentHelp("The measurements to fit (CSV; docs/validation.md).", valueName: "file"))
    var measurements: String

    @Option(name: .customLong("fit"), help: ArgumentHelp("A parameter to fit and its range.", valueName: "key.path=lo:hi"))
    var fits: [String] = []

    @Option(help: ArgumentHelp("Write the calibrated config (the base config with the fitted values) here.", valueName: "file.yaml"))
    var output: String

    @Option(help: ArgumentHelp("Other measurements to predict with the fitted values (CSV).", valueName: "file"))
    var predict: String?

    @Option(help: "Simulation kernel of every child: \(KernelChoice.allCases.map(\.rawValue).joined(separator: " or ")).")
    var kernel: KernelChoice = .systemc

    @Option(help: ArgumentHelp("Child processes at once; the default is the number of active cores.", valueName: "n"))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if fits.isEmpty { throw InputError(file: "--fit", "give at least one --fit key.path=lo:hi") }
        if jobs < 1 { throw InputError(file: "--jobs", "must be at least 1, not \(jobs)") }
    }

    func run() throws {
        let table = try MeasurementTable(path: measurements)
        let predicted = try predict.map { path throws(InputError) in try MeasurementTable(path: path) }
        let axes = try fits.map { flag throws(InputError) in try Calibration.Axis(parsing: flag) }
        let signals = SignalStop()
        let children = ChildSimulations(executable: ChildSimulations.currentExecutable, jobs: jobs, stop: signals.stop)
        let terminal = isatty(STDERR_FILENO) == 1
        let calibration: Calibration
        do {
            calibration = try Calibration.run(table: table, axes: axes, kernel: kernel, children: children) { round, points, worst in
                let line = String(format: "calibrate: round %d, %d points, worst distance %.3f%%", round, points, worst * 100)
                FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K" + line : "bertsim: " + line + "\n").utf8))
            }
            if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        } catch let interrupted as ChildSimulations.Interrupted {
            fail("calibrate interrupted: \(interrupted.finished) of \(interrupted.total) runs of a round had finished; nothing written")
            throw ExitCode(signals.exitCode)
        }
        try AtomicFile.write(try calibration.configText(), to: output)
        var out = calibration.text()
        out += "calibrated config written to \(output)\n"
        var agrees = calibration.best.validation.agrees
        if let predicted {
            let overrides = calibration.overrides
            var pairs: [(MeasurementTable.Row, SimulationRequest.Config)] = []
            for row in predicted.rows {
                guard let data = FileManager.default.contents(atPath: row.configPath) else {
                    throw InputError(file: predicted.path, line: row.line, field: "config", "\(row.configPath): cannot be read")
                }
                let text = try SweepGrid.yaml(String(decoding: data, as: UTF8.self), path: row.configPath, setting: overrides)
                pairs.append((row, .yaml(text, path: row.configPath)))
            }
            let results = try Validation.compare(pairs, kernel: kernel, children: children, workloads: Validation.Workloads())
            let prediction = Validation(table: predicted, results: results)
            out += "\npredicted with the fitted values (\(overrides.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))):\n"
            out += prediction.text()
            agrees = agrees && prediction.agrees
        }
        writeStandardOutput(out)
        if !agrees {
            FileHandle.standardError.write(Data("bertsim: calibrate: measurements still outside their tolerance after the fit (listed above)\n".utf8))
            throw ExitCode(1)
        }
    }
}
