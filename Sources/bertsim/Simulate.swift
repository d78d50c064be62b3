import ArgumentParser
import BertSim
import BertSimCore
import BertSimModels
import BertSimStudies
import BertSimReport
import Foundation

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension KernelChoice: ExpressibleByArgument {}
extension SchedulerChoice: ExpressibleByArgument {}
extension StageCosts: ExpressibleByArgument {}
extension TimelineDetail: ExpressibleByArgument {}

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

    @Option(help: "Scheduler: padded (each closed batch padded to its longest sequence, layer by layer on the whole array), length-aware (layer groups on partitions of the array, no padding) or both (side by side).")
    var scheduler: SchedulerChoice = .padded

    @Option(name: .customLong("stage-costs"), help: "Length-aware scheduler: cosimulated (the stages run as partitions of one netlist on the kernel, contending for the memory channels) or isolated (each stage's work is its cost-table entry: faster).")
    var stageCosts: StageCosts = .cosimulated

    @Option(name: .customLong("pad-to"), help: ArgumentHelp("Padded scheduler: pad every sequence to at least L tokens.", valueName: "L"))
    var padTo: Int?

    @Option(help: "Simulate only the first N requests.")
    var limit: Int?

    @Option(help: ArgumentHelp("Write a Chrome/Perfetto trace-event timeline (a track per stage, a slice per request or job × layer, bubbles by cause) to this file; open it in ui.perfetto.dev.", valueName: "file"))
    var timeline: String?

    @Option(name: .customLong("timeline-detail"), help: ArgumentHelp("With --timeline: one slice per stage per job or request (jobs, the default), per job and layer (layers), or per interval of activity (intervals: exact, and large on long runs).", valueName: "detail"))
    var timelineDetail: TimelineDetail = .jobs

    @Option(help: "Write stage busy/idle and fifo depths as a VCD waveform to this file.")
    var vcd: String?

    @Option(help: ArgumentHelp("Also write a self-contained HTML report with charts (records every stage's intervals for the timeline).", valueName: "file"))
    var html: String?

    @Option(help: ArgumentHelp("Also write the report as CSV files (totals, stages, bubbles, memory, resources) into this directory.", valueName: "dir"))
    var csv: String?

    @Option(name: .customLong("max-cycles"), help: ArgumentHelp("End the run at simulated cycle N (events at N and later do not run), print a partial report and exit 3.", valueName: "N"))
    var maxCycles: Int?

    @Option(name: .customLong("max-seconds"), help: ArgumentHelp("End the run after S wall-clock seconds of simulation, print a partial report and exit 3.", valueName: "S"))
    var maxSeconds: Double?

    func validate() throws {
        if let maxCycles, maxCycles < 1 { throw InputError(file: "--max-cycles", "must be at least 1, not \(maxCycles)") }
        if let maxSeconds, !(maxSeconds > 0 && maxSeconds.isFinite) { throw InputError(file: "--max-seconds", "must be a positive number of seconds, not \(maxSeconds)") }
        if let limit, limit < 1 { throw InputError(file: "--limit", "must be at least 1, not \(limit)") }
        if let padTo, padTo < 1 { throw InputError(file: "--pad-to", "must be at least 1, not \(padTo)") }
    }

    func run() throws {
        let started = Date()
        var request = SimulationRequest(
            trace: trace, config: config, kernel: kernel, scheduler: scheduler, padTo: padTo, limit: limit,
            limits: RunLimits(maxCycles: maxCycles, maxSeconds: maxSeconds),
            outputs: .init(vcd: vcd, timeline: timeline, timelineDetail: timelineDetail, intervals: html != nil))
        request.stageCosts = stageCosts
        // On a terminal, one redrawn progress line on stderr; nothing when stderr is a file.
        let line = ProgressLine(label: "simulate")
        let report: RunReport
        do {
            report = try Simulation.run(request, progress: line.map { l in { l.draw($0.description) } },
                                        child: ChildSimulations.runner(executable: ChildSimulations.currentExecutable))
            line?.clear()
        } catch {
            line?.clear()
            throw error
        }
        if let csv { try CSVRenderer.write(report, to: csv) }
        if let html { try HTMLRenderer.write(report, to: html) }
        switch format {
        case .text: writeStandardOutput(TextRenderer.render(report))
        case .json: writeStandardOutput(try JSONRenderer.render(report))
        }
        let wall = Date().timeIntervalSince(started)
        let rate = wall > 0 ? Double(report.totals.cycles) / wall : 0
        FileHandle.standardError.write(Data(String(format: "bertsim: %.3f s wall, %.3g simulated cycles/s\n", wall, rate).utf8))
        if let p = report.partial {
            throw SimulationError(.limit, "\(p.reason) at cycle \(p.cycle) with \(p.requestsUnfinished) request(s) unfinished; the report above is partial")
        }
    }
}
