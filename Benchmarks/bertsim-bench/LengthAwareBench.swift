import ArgumentParser
import BertSim
import BertSimCore
import BertSimModels
import Foundation

/// The length-aware scheduler on a many-stage design: the first requests of a trace,
/// cosimulated (every stage a partition of one netlist) and with isolated stage costs, on the
/// native kernel in process and on SystemC in child processes (one elaboration per process).
struct LengthAwareBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "length-aware",
        abstract: "Wall time of the length-aware scheduler, cosimulated and isolated, on both kernels.")

    @Option var config = "hw-configs/u200-fqbert-scaled.yaml"
    @Option(help: "encoder.length_aware.pipeline_stages for the run.") var stages = 12
    @Option var trace = "traces/sst2-batch32.trace"
    @Option var limit = 256
    @Option var repetitions = 3
    @Option(help: "Run once as `KERNEL/STAGE-COSTS` and print `seconds S cycles C` (used for SystemC children).")
    var once: String?

    /// The config with `pipeline_stages` set.
    func yaml() throws -> String {
        var text = try String(contentsOfFile: config, encoding: .utf8)
        if let range = text.range(of: #"pipeline_stages:\s*\d+"#, options: .regularExpression) {
            text.replaceSubrange(range, with: "pipeline_stages: \(stages)")
        } else if let range = text.range(of: "\nencoder:\n") {
            text.replaceSubrange(range, with: "\nencoder:\n  length_aware:\n    pipeline_stages: \(stages)\n")
        } else {
            throw ValidationError("\(config) has no encoder section")
        }
        return text
    }

    func simulate(kernel: KernelChoice, stageCosts: StageCosts) throws -> (seconds: Double, cycles: Int) {
        var request = SimulationRequest(trace: trace, config: .yaml(try yaml(), path: config), kernel: kernel,
                                        scheduler: .lengthAware, limit: limit)
        request.stageCosts = stageCosts
        let start = DispatchTime.now().uptimeNanoseconds
        let report = try Simulation.run(request)
        return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, report.totals.cycles)
    }

    func run() throws {
        if let once {
            let parts = once.split(separator: "/").map(String.init)
            guard parts.count == 2, let k = KernelChoice(rawValue: parts[0]), let c = StageCosts(rawValue: parts[1]) else {
                throw ValidationError("--once KERNEL/STAGE-COSTS")
            }
            let r = try simulate(kernel: k, stageCosts: c)
            print("seconds \(r.seconds) cycles \(r.cycles)")
            return
        }
        print("length-aware benchmark: \(trace), first \(limit) requests, \(config) with \(stages) pipeline stages")
        for costs in StageCosts.allCases {
            var native: [Double] = []
            var cycles = 0
            for _ in 0..<repetitions {
                let r = try simulate(kernel: .native, stageCosts: costs)
                native.append(r.seconds)
                cycles = r.cycles
            }
            let systemc = try (0..<repetitions).map { _ in
                try childSeconds(["length-aware", "--config", config, "--stages", "\(stages)", "--trace", trace,
                                  "--limit", "\(limit)", "--once", "systemc/\(costs.rawValue)"], cycles: cycles)
            }
            let mn = Measurement(name: "", seconds: native).median, ms = Measurement(name: "", seconds: systemc).median
            let name = costs.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
            print(name + String(format: "%d cycles  native %7.2f s  systemc %7.2f s  (medians of %d)", cycles, mn, ms, repetitions))
        }
    }
}
