import ArgumentParser
import BertSim
import BertSimConfig
import BertSimCore
import BertSimModels
import BertSimSystemC
import BertSimWorkload
import Foundation

/// One inference of a model at one length on a config, simulated end to end (netlist
/// elaboration and run), on the native kernel in process and on SystemC in child processes.
struct EncoderBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encoder", abstract: "Wall time of one BERT inference on the encoder model, and simulated cycles per second.")

    @Option var config = "hw-configs/default.yaml"
    @Option var model = "bert-base"
    @Option var length = 128
    @Option var repetitions = 7
    @Option(help: "Run once on this kernel and print `seconds S cycles C` (used for SystemC children).")
    var once: String?

    func simulate(_ kernel: any SimKernel) throws -> (seconds: Double, cycles: Int) {
        let loaded = try ConfigLoader.load(path: config)
        guard case .encoder(let e) = loaded.config.design else { throw ValidationError("\(config) is not an encoder design") }
        guard let spec = ModelSpec.preset(model) else { throw ValidationError("unknown model \(model)") }
        let start = DispatchTime.now().uptimeNanoseconds
        var sent = false
        let netlist = try EncoderNetlist(model: spec, config: e, clock: loaded.config.clock, batch: nil, kernel: kernel) {
            defer { sent = true }
            return sent ? nil : Request(id: 0, arrivalNs: 0, tokens: length)
        }
        let result = try netlist.run()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (seconds, result.cycles.count)
    }

    func run() throws {
        if let once {
            let r = try simulate(once == "systemc" ? SystemCKernel() : EventQueueKernel())
            print("seconds \(r.seconds) cycles \(r.cycles)")
            return
        }
        var native: [Double] = []
        var cycles = 0
        for _ in 0..<repetitions {
            let r = try simulate(EventQueueKernel())
            native.append(r.seconds)
            cycles = r.cycles
        }
        let systemc = try (0..<repetitions).map { _ in
            try childSeconds(["encoder", "--config", config, "--model", model, "--length", "\(length)", "--once", "systemc"],
                             cycles: cycles)
        }
        let mn = Measurement(name: "", seconds: native).median, ms = Measurement(name: "", seconds: systemc).median
        print("encoder benchmark: \(model), one inference of \(length) tokens on \(config): \(cycles) cycles")
        print(String(format: "native   %7.2f ms wall  %@cycles/s simulated  (median of %d)", mn * 1e3, formatRate(Double(cycles) / mn), repetitions))
        print(String(format: "systemc  %7.2f ms wall  %@cycles/s simulated  (median of %d)", ms * 1e3, formatRate(Double(cycles) / ms), repetitions))
    }
}
