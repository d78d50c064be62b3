import Foundation
import Testing

/// Runs the built `bertsim` binary and captures what it prints.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum Paths {
    /// The package root (tests read the shipped traces and configs from the checkout).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// The `bertsim` executable next to the test bundle, or `$BERTSIM_BIN`.
    static let binary: URL = {
        if let env = ProcessInfo.processInfo.environment["BERTSIM_BIN"] { return URL(fileURLWithPath: env) }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("bertsim").path) && dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("bertsim")
    }()
    static func fixture(_ name: String) -> String {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!.path
    }
    static func repo(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

func bertsim(_ arguments: [String], stdin: URL? = nil) throws -> CommandResult {
    try command(Paths.binary, arguments, stdin: stdin)
}

/// Runs `executable` in the package root and waits for it (a child that never ends would be a
/// bug of the command under test: every command the tests run ends on its own).
func command(_ executable: URL, _ arguments: [String], stdin: URL? = nil) throws -> CommandResult {
    let p = Process()
    p.executableURL = executable
    p.arguments = arguments
    p.currentDirectoryURL = Paths.root
    if let stdin { p.standardInput = try FileHandle(forReadingFrom: stdin) }
    // Files, not pipes: a child can never block on a full pipe.
    let tmp = FileManager.default.temporaryDirectory
    let outURL = tmp.appendingPathComponent("out-\(UUID())")
    let errURL = tmp.appendingPathComponent("err-\(UUID())")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
    let out = try FileHandle(forWritingTo: outURL)
    let err = try FileHandle(forWritingTo: errURL)
    p.standardOutput = out
    p.standardError = err
    try p.run()
    p.waitUntilExit()
    try out.close()
    try err.close()
    return CommandResult(status: p.terminationStatus,
                         stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                         stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
}

func json(_ text: String) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

let causes = ["starved", "blocked", "memory", "dependency", "padding", "imbalance", "control"]

@Suite struct SimulateTests {
    @Test func jsonReportHasTheContractKeysAndTheBubbleIdentity() throws {
        let r = try bertsim(["simulate", "traces/sst2.trace", "--config", "hw-configs/default.yaml",
                             "--kernel", "native", "--format", "json", "--limit", "6"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try json(r.stdout)
        #expect(report["schema_version"] as? Int == 1)
        let config = try #require(report["config"] as? [String: Any])
        #expect(config["path"] as? String == "hw-configs/default.yaml")
        #expect((config["hash"] as? String)?.count == 16)
        #expect(config["resolved"] is [String: Any])
        let workload = try #require(report["workload"] as? [String: Any])
        #expect(workload["requests"] as? Int == 6)
        let totals = try #require(report["totals"] as? [String: Any])
        let cycles = try #require(totals["cycles"] as? Int)
        #expect(cycles > 0)
        #expect(totals["latency_ms"] is Double)
        #expect(totals.keys.contains("energy_mj"))
        let latency = try #require(report["latency"] as? [String: Any])
        for k in ["mean_ms", "p50_ms", "p90_ms", "p99_ms", "max_ms"] { #expect(latency[k] is Double, "\(k)") }
        let stages = try #require(report["stages"] as? [[String: Any]])
        #expect(stages.map { $0["name"] as? String } == [
            "pe_array", "softmax", "layernorm", "gelu", "dma_read", "dma_write", "channel0",
        ])
        for s in stages {
            let bubbles = try #require(s["bubbles"] as? [String: Int])
            #expect(Set(bubbles.keys) == Set(causes))
            let busy = try #require(s["busy_cycles"] as? Int)
            let elapsed = try #require(s["elapsed_cycles"] as? Int)
            #expect(busy + bubbles.values.reduce(0, +) == elapsed)
            #expect(elapsed == cycles)
            #expect(s["lane_utilization"] is Double)
        }
        let memory = try #require(report["memory"] as? [String: Any])
        let bytes = try #require(memory["bytes_by_class"] as? [String: Int])
        // 6 requests × 12 layers of BERT-base weights at 4 bits: 6 × 12 × (4·768² + 2·768·3072) / 2.
        #expect(bytes["weights"] == 6 * 12 * (4 * 768 * 768 + 2 * 768 * 3072) / 2)
        #expect(bytes["activations_in"] == bytes["activations_out"])
        #expect(report.keys.contains("resources"))
    }

    @Test func sameInputsGiveTheSameBytes() throws {
        let args = ["simulate", Paths.fixture("small.trace"), "--config", "hw-configs/default.yaml",
                    "--kernel", "native", "--format", "json"]
        let a = try bertsim(args)
        let b = try bertsim(args)
        #expect(a.status == 0 && b.status == 0)
        #expect(a.stdout.contains("\"schema_version\""))
        #expect(a.stdout == b.stdout)
        #expect(!a.stdout.contains("wall"))
    }

    @Test func textReportOnTheFullTraceOfTheSkeletonPipeline() throws {
        let r = try bertsim(["simulate", "traces/sst2.trace", "--config", Paths.fixture("pipeline.yaml"), "--kernel", "native"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("8,741 requests"))
        for c in causes { #expect(r.stdout.contains(c)) }
        #expect(r.stderr.contains("simulated cycles/s"))
    }

    @Test func vcdIsWritten() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID()).vcd").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try bertsim(["simulate", Paths.fixture("small.trace"), "--config", Paths.fixture("pipeline.yaml"),
                             "--kernel", "native", "--vcd", path])
        #expect(r.status == 0, "\(r.stderr)")
        let vcd = try String(contentsOfFile: path, encoding: .utf8)
        #expect(vcd.contains("$var wire    1  "))
        #expect(vcd.contains("compute"))
        #expect(vcd.contains("$dumpvars"))
    }
}

@Suite struct BadInputTests {
    /// Exit status 2 and exactly one line on stderr that starts with the expected location.
    func expectBadInput(_ args: [String], _ location: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try bertsim(args)
        #expect(r.status == 2, "status \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        let lines = r.stderr.split(separator: "\n").filter { !$0.hasPrefix("usage:") }
        #expect(lines.count == 1, "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(location), "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(!r.stderr.contains("Fatal error"), sourceLocation: sourceLocation)
        #expect(r.stdout.isEmpty, sourceLocation: sourceLocation)
    }

    func simulate(trace: String = "traces/sst2.trace", config: String) -> [String] {
        ["simulate", trace, "--config", config, "--kernel", "native", "--limit", "4"]
    }

    @Test func unknownConfigKey() throws {
        let f = Paths.fixture("unknown-key.yaml")
        try expectBadInput(simulate(config: f), "\(f):8: pipeline.stages[0].turbo: unknown key")
    }

    @Test func wrongConfigType() throws {
        let f = Paths.fixture("wrong-type.yaml")
        try expectBadInput(simulate(config: f), "\(f):2: clock_mhz: expected a number")
    }

    @Test func negativeLatency() throws {
        let f = Paths.fixture("negative-latency.yaml")
        try expectBadInput(simulate(config: f), "\(f):8: pipeline.stages[0].latency_cycles: -1 is out of range")
    }

    @Test func missingConfigFile() throws {
        try expectBadInput(simulate(config: "no/such.yaml"), "no/such.yaml: no such file")
    }

    @Test func badTraceLine() throws {
        let f = Paths.fixture("bad-line.trace")
        try expectBadInput(simulate(trace: f, config: "hw-configs/default.yaml"), "\(f):4: tokens: 'twelve' is not")
    }

    @Test func binaryTrace() throws {
        let f = Paths.fixture("binary.trace")
        try expectBadInput(simulate(trace: f, config: "hw-configs/default.yaml"), "\(f):4: binary data")
    }

    /// A design whose I/O buffer cannot hold even one token's rows: rejected with the
    /// buffer's line, its need, its capacity and the smallest size that works.
    @Test func bufferTooSmallForTheTrace() throws {
        let f = Paths.fixture("small-io-buffer.yaml")
        try expectBadInput(simulate(config: f),
                           "\(f):45: encoder.buffers.io_kib: 1 KiB is too small: a token's rows of the layer input and the "
                           + "LayerNorm output need 1.5 KiB (the smallest that works: 2 KiB, spilling the rest to DRAM)")
    }

    /// A buffer that holds less than a sequence is not refused: the job spills to DRAM and
    /// refills (docs/encoder-timing.md §6), and the report shows the bytes.
    @Test func aSequenceLargerThanTheBuffersSpills() throws {
        let text = try String(contentsOfFile: Paths.repo("hw-configs/default.yaml"), encoding: .utf8)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("small.yaml").path
        try text.replacingOccurrences(of: "    io_kib: 192 ", with: "    io_kib: 16 ").write(toFile: path, atomically: true,
                                                                                              encoding: .utf8)
        let r = try bertsim(["simulate", "traces/sst2.trace", "--config", path, "--limit", "2", "--kernel", "native",
                             "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let bytes = (json["memory"] as! [String: Any])["bytes_by_class"] as! [String: Int]
        #expect(bytes["spill_out"]! > 0 && bytes["spill_in"]! > bytes["spill_out"]!, "\(bytes)")
    }

    /// More than twice the ZCU102's DSPs (32 × 16 PEs × 16 multipliers): rejected before running.
    @Test func designTooLargeForItsBoard() throws {
        let f = Paths.fixture("too-many-dsp.yaml")
        try expectBadInput(simulate(config: f), "\(f):10: board: the design needs 8824 DSP but the zcu102 (XCZU9EG) has 2520")
    }

    @Test func badFlags() throws {
        try expectBadInput(["simulate", "traces/sst2.trace", "--config", "hw-configs/default.yaml", "--limit", "0"],
                           "--limit: must be at least 1")
        try expectBadInput(["simulate", "traces/sst2.trace", "--config", "hw-configs/default.yaml", "--kernel", "gpu"],
                           "gpu")
        try expectBadInput(["simulate", "traces/sst2.trace"], "--config")
        try expectBadInput(["frobnicate"], "frobnicate")
    }
}

@Suite struct BoardReportTests {
    /// Every shipped design reports latency, resources used/available and inferences/s/W.
    @Test(arguments: Shipped.configs)
    func reportsLatencyResourcesAndEfficiency(_ config: String) throws {
        let r = try bertsim(["simulate", "traces/mrpc.trace", "--config", config, "--kernel", "native", "--limit", "1",
                             "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try json(r.stdout)
        let totals = try #require(report["totals"] as? [String: Any])
        #expect((totals["latency_ms"] as? Double ?? 0) > 0)
        #expect((totals["energy_mj"] as? Double ?? 0) > 0)
        let resources = try #require(report["resources"] as? [String: Any])
        for key in ["dsp", "bram18k", "uram", "lut", "ff"] {
            let usage = try #require(resources[key] as? [String: Int], "\(key)")
            #expect(usage["used"]! <= usage["available"]!, "\(config) \(key)")
        }
        let power = try #require(report["power"] as? [String: Any])
        #expect((power["inferences_per_s_per_w"] as? Double ?? 0) > 0)
        let text = try bertsim(["simulate", "traces/mrpc.trace", "--config", config, "--kernel", "native", "--limit", "1"])
        #expect(text.stdout.contains("inferences/s/W"))
        #expect(text.stdout.contains("resources "))
    }
}

@Suite struct DescribeTests {
    @Test func listsParametersWithUnitsAndDefaults() throws {
        let r = try bertsim(["describe"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("latency_cycles  (integer 0...1000000 cycles; default 1)"))
        #expect(r.stdout.contains("clock_mhz"))
        #expect(r.stdout.contains("statistics:"))
    }

    @Test func helpExitsZero() throws {
        let r = try bertsim(["--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("simulate"))
    }
}
