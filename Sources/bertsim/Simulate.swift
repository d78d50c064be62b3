import ArgumentParser
import BertSim
import BertSimCore
import BertSimReport
import Foundation

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension KernelChoice: ExpressibleByArgument {}

/// `bertsim simulate TRACE --config FILE …`
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate a trace on a hardware config and report cycles, latency and bubbles.")

    @Argument(help: "The workload trace (docs/trace-format.md).")
    var trace: String

    @Option(help: "The hardware config (YAML, see hw-configs/).")
    var config: String

    @Option(help: "Simulation kernel: \(KernelChoice.allCases.map(\.rawValue).joined(separator: " or ")).")
    var kernel: KernelChoice = .systemc

    @Option(help: "Report format: text or json.")
    var format: OutputFormat = .text

    @Option(help: "Simulate only the first N requests.")
    var limit: Int?

    @Option(help: "Write stage busy/idle and fifo depths as a VCD waveform to this file.")
    var vcd: String?

    @Option(help: ArgumentHelp("Also write a self-contained HTML report with charts (records every stage's intervals for the timeline).", valueName: "file"))
    var html: String?

    @Option(help: ArgumentHelp("Also write the report as CSV files (totals, stages, bubbles, memory, resources) into this directory.", valueName: "dir"))
    var csv: String?

    func validate() throws {
        if let limit, limit < 1 { throw InputError(file: "--limit", "must be at least 1, not \(limit)") }
    }

    func run() throws {
        let started = Date()
        let report = try Simulation.run(
            tracePath: trace, configPath: config,
            options: SimulationOptions(kernel: kernel, limit: limit, vcdPath: vcd, recordsIntervals: html != nil))
        if let csv { try CSVRenderer.write(report, to: csv) }
        if let html { try HTMLRenderer.write(report, to: html) }
        switch format {
        case .text: writeStandardOutput(TextRenderer.render(report))
        case .json: writeStandardOutput(try JSONRenderer.render(report))
        }
        let wall = Date().timeIntervalSince(started)
        let rate = wall > 0 ? Double(report.totals.cycles) / wall : 0
        FileHandle.standardError.write(Data(String(format: "bertsim: %.3f s wall, %.3g simulated cycles/s\n", wall, rate).utf8))
    }
}
