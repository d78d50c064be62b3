import BertSim
import BertSimStudies
import BertSimCore
import BertSimReport
import Foundation
import Testing

/// Every shipped hardware config and trace.
enum Shipped {
    static func files(_ dir: String, _ suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Paths.repo(dir))) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { "\(dir)/\($0)" }
    }
    static var configs: [String] { files("hw-configs", ".yaml") }
    static var traces: [String] { files("traces", ".trace") }
    static var pairs: [(String, String)] { configs.flatMap { c in traces.map { (c, $0) } } }
}

/// A report without the name of the kernel that produced it.
func kernelFree(_ text: String) throws -> NSDictionary {
    var report = try json(text)
    var simulator = report["simulator"] as? [String: Any] ?? [:]
    simulator["kernel"] = nil
    report["simulator"] = simulator
    return report as NSDictionary
}

@Suite struct KernelEquivalenceTests {
    @Test func shippedFilesExist() {
        #expect(!Shipped.configs.isEmpty)
        #expect(Shipped.traces.contains("traces/sst2.trace"))
    }

    /// The same trace and config give the same report, to the cycle, on both kernels, and
    /// byte for byte on a rerun (the determinism check of docs/robustness.md).
    @Test(arguments: Shipped.pairs.map { "\($0.0) \($0.1)" })
    func bothKernelsGiveTheSameReport(_ pair: String) throws {
        let parts = pair.split(separator: " ").map(String.init)
        let args = ["simulate", parts[1], "--config", parts[0], "--format", "json", "--limit", "1"]
        let systemc = try bertsim(args + ["--kernel", "systemc"])
        let native = try bertsim(args + ["--kernel", "native"])
        #expect(systemc.status == 0, "\(systemc.stderr)")
        #expect(native.status == 0, "\(native.stderr)")
        #expect(try kernelFree(systemc.stdout) == kernelFree(native.stdout))
        // Byte for byte, across two processes (Swift seeds hashing per process), but for the
        // kernel's name.
        let renamed = systemc.stdout.replacingOccurrences(of: "\"kernel\" : \"systemc\"", with: "\"kernel\" : \"native\"")
        #expect(renamed != systemc.stdout, "the report names its kernel")
        #expect(renamed == native.stdout)
        // And across reruns of the same kernel.
        let again = try bertsim(args + ["--kernel", "native"])
        #expect(again.stdout == native.stdout)
        #expect(try json(systemc.stdout)["totals"] as? NSDictionary == json(native.stdout)["totals"] as? NSDictionary)
        // The bubble identity, on every pair, under the padded scheduler.
        let report = try JSONDecoder().decode(RunReport.self, from: Data(native.stdout.utf8))
        #expect(report.scheduler?.name == .padded)
        expectIdentity(report, pair)
    }

    /// Shuffling same-delta processes and channel updates changes nothing: every trace on the
    /// default design, every design on one trace.
    @Test(arguments: Shipped.traces.map { "hw-configs/default.yaml \($0)" }
        + Shipped.configs.filter { !$0.hasSuffix("default.yaml") }.map { "\($0) traces/mrpc-batch32.trace" })
    func randomTieBreakingChangesNothing(_ pair: String) throws {
        let parts = pair.split(separator: " ").map(String.init)
        let (config, trace) = (Paths.repo(parts[0]), Paths.repo(parts[1]))
        let base = try Simulation.run(SimulationRequest(trace: trace, config: config, kernel: .native, limit: 3))
        for seed in [1, 2] as [UInt64] {
            let shuffled = try Simulation.run(SimulationRequest(trace: trace, config: config, kernel: .native, limit: 3, tieBreak: .random(seed: seed)))
            #expect(shuffled == base, "seed \(seed)")
        }
    }
}

/// A VCD file's value changes: (time, full signal name, value), in file order.
func valueChanges(_ path: String) throws -> [String] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var scopes: [String] = []
    var names: [String: String] = [:]
    var changes: [String] = []
    var time = "0"
    var inDefinitions = true
    for raw in text.split(separator: "\n") {
        let line = raw.trimmingCharacters(in: .whitespaces)
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if inDefinitions {
            if words.first == "$scope" { scopes.append(words[2]) }
            if words.first == "$upscope" { scopes.removeLast() }
            if words.first == "$var" { names[words[3]] = (scopes.dropFirst() + [words[4]]).joined(separator: ".") }
            if words.first == "$enddefinitions" { inDefinitions = false }
            continue
        }
        if line.hasPrefix("#") {
            time = String(line.dropFirst())
        } else if line.hasPrefix("b"), words.count == 2 {
            changes.append("\(time) \(names[words[1]] ?? "?") \(Int(words[0].dropFirst(), radix: 2) ?? -1)")
        } else if let first = line.first, first == "0" || first == "1" {
            changes.append("\(time) \(names[String(line.dropFirst())] ?? "?") \(first)")
        }
    }
    changes.append("end \(time)")
    return changes
}

@Suite struct WaveformTests {
    @Test func bothKernelsWriteTheSameValueChangesAndGTKWaveReadsThem() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vcd-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var changes: [[String]] = []
        for kernel in ["systemc", "native"] {
            let path = dir.appendingPathComponent("\(kernel).vcd").path
            let r = try bertsim(["simulate", "traces/sst2.trace", "--config", "hw-configs/default.yaml",
                                 "--kernel", kernel, "--limit", "3", "--vcd", path])
            #expect(r.status == 0, "\(r.stderr)")
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(!text.contains("$date"), "a VCD carries no host date")
            changes.append(try valueChanges(path))
            // GTKWave's converter must accept it.
            let fst = dir.appendingPathComponent("\(kernel).fst").path
            let convert = Process()
            convert.executableURL = URL(fileURLWithPath: "/usr/bin/vcd2fst")
            convert.arguments = [path, fst]
            convert.standardOutput = FileHandle.nullDevice
            convert.standardError = FileHandle.nullDevice
            try convert.run()
            convert.waitUntilExit()
            #expect(convert.terminationStatus == 0, "vcd2fst (gtkwave; scripts/setup.sh installs it) failed on \(kernel)")
            #expect(((try? FileManager.default.attributesOfItem(atPath: fst)[.size]) as? Int ?? 0) > 0)
        }
        #expect(changes[0].count > 100)
        #expect(changes[0].contains { $0.contains("pe_array.busy 1") })
        #expect(changes[0].contains { $0.contains("softmax.busy 1") })
        #expect(changes[0] == changes[1])
    }
}
