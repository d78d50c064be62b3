@testable import BertSim
import BertSimStudies
import BertSimCore
import BertSimReport
import Foundation
import Testing

/// Every stage's busy + bubbles = elapsed, exactly, and every stage spans the run.
func expectIdentity(_ r: RunReport, _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
    for s in r.stages {
        #expect(s.busyCycles + s.bubbles.total == s.elapsedCycles, "\(context) \(s.name)", sourceLocation: sourceLocation)
        #expect(s.elapsedCycles == r.totals.cycles, "\(context) \(s.name)", sourceLocation: sourceLocation)
    }
}

@Suite struct SchedulerTests {
    /// The identity holds under the length-aware scheduler on every shipped trace × config
    /// (first 2 requests, so two stages are occupied at once; the padded side is checked on
    /// every pair by KernelEquivalenceTests). The systolic design cannot be partitioned: the
    /// length-aware scheduler says so as a config error.
    @Test(arguments: Shipped.pairs.map { "\($0.0) \($0.1)" })
    func bubbleIdentityUnderTheLengthAwareScheduler(_ pair: String) throws {
        let parts = pair.split(separator: " ").map(String.init)
        let (config, trace) = (Paths.repo(parts[0]), Paths.repo(parts[1]))
        let padded = try Simulation.run(SimulationRequest(trace: trace, config: config, kernel: .native, limit: 2))
        // A systolic array cannot be partitioned: exactly the designs with one are rejected.
        let partitionable = !(try String(contentsOfFile: config, encoding: .utf8)).contains("\n  systolic_array:")
        do {
            let aware = try Simulation.run(SimulationRequest(trace: trace, config: config, kernel: .native, scheduler: .lengthAware, limit: 2))
            #expect(partitionable, "\(pair): a systolic design must be rejected under the length-aware scheduler")
            expectIdentity(aware, pair)
            #expect(aware.scheduler?.name == .lengthAware)
            // Nothing is padded to a batch's longest; only the sparse engine's last query group
            // of a sequence pads to the group's size (docs/sparse-attention.md), as it would alone.
            let sparse = (try String(contentsOfFile: config, encoding: .utf8)).contains("\n  sparse_attention:")
            #expect(sparse || aware.stages.allSatisfy { $0.bubbles.padding == 0 }, "the length-aware scheduler never pads")
            #expect(aware.totals.requests == padded.totals.requests && aware.totals.tokens == padded.totals.tokens)
            #expect(aware.totals.energyMj != nil)
        } catch let error as InputError {
            #expect(!partitionable, "\(pair): \(error)")
            #expect(error.field == "encoder.systolic_array")
        }
    }

    /// On a padded GLUE batch, the length-aware pipeline beats padding, and the report says by
    /// how much, side by side.
    @Test(arguments: ["traces/sst2-batch32.trace", "traces/mrpc-batch32.trace"])
    func lengthAwareRecoversThePadding(_ trace: String) throws {
        let r = try bertsim(["simulate", trace, "--config", "hw-configs/default.yaml", "--kernel", "native",
                             "--scheduler", "both", "--limit", "8", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try json(r.stdout)
        let rows = try #require(report["schedulers"] as? [[String: Any]])
        #expect(rows.map { $0["scheduler"] as? String } == ["padded", "length-aware"])
        let padded = rows[0], aware = rows[1]
        let paddingShare = try #require((padded["bubble_shares"] as? [String: Double])?["padding"])
        #expect(paddingShare > 0.1)
        #expect((aware["bubble_shares"] as? [String: Double])?["padding"] == 0)
        #expect(try #require(aware["throughput_per_s"] as? Double) > #require(padded["throughput_per_s"] as? Double))
        let shares = (aware["bubble_shares"] as? [String: Double] ?? [:]).values.reduce(0, +) + (aware["busy_share"] as? Double ?? 0)
        #expect(abs(shares - 1) < 1e-9)
        let text = try bertsim(["simulate", trace, "--config", "hw-configs/default.yaml", "--kernel", "native",
                                "--scheduler", "both", "--limit", "8"])
        #expect(text.stdout.contains("schedulers side by side"))
        #expect(text.stdout.contains("length-aware vs padded:"))
    }

    /// The HTML report names the scheduler and shows both side by side.
    @Test func htmlShowsTheSchedulers() throws {
        let r = try Simulation.run(SimulationRequest(trace: Paths.repo("traces/mrpc-batch32.trace"), config: Paths.repo("hw-configs/default.yaml"), kernel: .native, scheduler: .both, limit: 3))
        let html = HTMLRenderer.render(r)
        #expect(html.contains("<th>scheduler</th><td>padded: batches padded to their longest sequence</td>"))
        #expect(html.contains("Schedulers side by side"))
        #expect(html.contains("<td>length-aware</td>"))
    }

    /// Both kernels give the same length-aware report.
    @Test func lengthAwareIsTheSameOnBothKernels() throws {
        let args = ["simulate", "traces/mrpc-rate200.trace", "--config", "hw-configs/default.yaml", "--limit", "4",
                    "--scheduler", "length-aware", "--format", "json"]
        let systemc = try bertsim(args + ["--kernel", "systemc"])
        let native = try bertsim(args + ["--kernel", "native"])
        #expect(systemc.status == 0 && native.status == 0, "\(systemc.stderr) \(native.stderr)")
        #expect(try kernelFree(systemc.stdout) == kernelFree(native.stdout))
    }

    /// `--scheduler both` runs its length-aware twin on the main run's kernel, in a child process
    /// beside the main run (`bertsim _run`, with the same trace, config, kernel and limit and
    /// no twins of its own); without a child runner, in process; both give the same report.
    @Test func theTwinRunsOnTheMainRunsKernel() throws {
        let args = ["simulate", "traces/mrpc-batch32.trace", "--config", "hw-configs/default.yaml", "--limit", "6",
                    "--scheduler", "both", "--format", "json"]
        let systemc = try bertsim(args + ["--kernel", "systemc"])
        let native = try bertsim(args + ["--kernel", "native"])
        #expect(systemc.status == 0 && native.status == 0, "\(systemc.stderr) \(native.stderr)")
        #expect(try kernelFree(systemc.stdout) == kernelFree(native.stdout))

        let request = SimulationRequest(trace: "t.trace", config: "c.yaml", kernel: .systemc, scheduler: .both, padTo: 64,
                                        limit: 16, limits: RunLimits(maxCycles: 5, maxSeconds: nil),
                                        outputs: .init(vcd: "w.vcd", timeline: "t.json"))
        let twin = Twin.lengthAwareRequest(request)
        #expect(twin.scheduler == .lengthAware && twin.kernel == .systemc && twin.limit == 16 && !twin.twins)
        #expect(twin.trace == "t.trace" && twin.config == .file("c.yaml"))
        #expect(twin.outputs == .init() && twin.limits == .none)
        // Given a child runner, a native run's twin goes to it too, on the native kernel.
        var asked: [SimulationRequest] = []
        let r = try Simulation.run(SimulationRequest(trace: Paths.repo("traces/mrpc-batch32.trace"),
                                                     config: Paths.repo("hw-configs/default.yaml"), kernel: .native,
                                                     scheduler: .both, limit: 3),
                                   child: { twin in
                                       asked.append(twin)
                                       return try Simulation.run(twin)
                                   })
        #expect(asked.count == 1 && asked.first?.kernel == .native && asked.first?.scheduler == .lengthAware)
        let inProcess = try Simulation.run(SimulationRequest(trace: Paths.repo("traces/mrpc-batch32.trace"),
                                                             config: Paths.repo("hw-configs/default.yaml"), kernel: .native,
                                                             scheduler: .both, limit: 3))
        #expect(inProcess.schedulers == r.schedulers)
        #expect(r.schedulers?.count == 2)
    }

    /// `--pad-to` pads further; bad scheduler flags are input errors.
    @Test func padToAndBadFlags() throws {
        let base = try Simulation.run(SimulationRequest(trace: Paths.repo("traces/sst2.trace"), config: Paths.repo("hw-configs/default.yaml"), kernel: .native, limit: 2))
        let padded = try Simulation.run(SimulationRequest(trace: Paths.repo("traces/sst2.trace"), config: Paths.repo("hw-configs/default.yaml"), kernel: .native, padTo: 128, limit: 2))
        #expect(base.stages[0].bubbles.padding == 0, "batch 1 does not pad")
        #expect(padded.stages[0].bubbles.padding > 0)
        #expect(padded.totals.cycles > base.totals.cycles)
        #expect(padded.scheduler?.padTo == 128)
        for (args, flag) in [(["--scheduler", "length-aware", "--pad-to", "64"], "--pad-to"),
                             (["--pad-to", "0"], "--pad-to"), (["--pad-to", "4096"], "--pad-to"),
                             (["--scheduler", "greedy"], "--scheduler")] {
            let r = try bertsim(["simulate", "traces/sst2.trace", "--config", "hw-configs/default.yaml", "--limit", "1"] + args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(flag), "\(args): \(r.stderr)")
        }
        let skeleton = try bertsim(["simulate", "traces/sst2.trace", "--config", "Tests/EndToEndTests/Fixtures/pipeline.yaml",
                                    "--scheduler", "length-aware", "--limit", "1"])
        #expect(skeleton.status == 2 && skeleton.stderr.contains("--scheduler"), "\(skeleton.stderr)")
    }
}

/// `--timeline`: valid trace-event JSON whose slices tile every stage's window, at every
/// detail; read back with Foundation's JSON parser (not the writer's code) and checked against
/// the format's schema (docs/timeline.schema.json) by Python's jsonschema.
@Suite struct TimelineTests {
    static let causes = ["starved", "blocked", "memory", "dependency", "padding", "imbalance", "control"]

    static let cases: [(String, String)] = ["padded", "length-aware"].flatMap { s in ["jobs", "layers", "intervals"].map { (s, $0) } }

    @Test(arguments: cases)
    func slicesTileEveryTrack(_ scheduler: String, _ detail: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("timeline-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.json").path
        let r = try bertsim(["simulate", "traces/mrpc-batch32.trace", "--config", "hw-configs/default.yaml", "--kernel", "native",
                             "--scheduler", scheduler, "--limit", "40", "--timeline", path, "--timeline-detail", detail,
                             "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try json(r.stdout)
        let stages = try #require(report["stages"] as? [[String: Any]])
        let trace = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let events = try #require(trace["traceEvents"] as? [[String: Any]])
        var names: [Int: String] = [:]
        for e in events where e["ph"] as? String == "M" && e["name"] as? String == "thread_name" {
            names[e["tid"] as! Int] = (e["args"] as! [String: Any])["name"] as? String
        }
        #expect(names.count == stages.count)
        let start = try #require((trace["otherData"] as? [String: Any])?["start_cycle"] as? Int)
        var slicesSeen = 0
        for (tid, name) in names {
            let slices = events.filter { $0["ph"] as? String == "X" && $0["tid"] as? Int == tid }
            slicesSeen += slices.count
            let stage = try #require(stages.first { $0["name"] as? String == name })
            // Never overlapping, in order, tiling [start, start + elapsed).
            var t = start
            var prevEnd = 0.0
            for e in slices {
                let args = e["args"] as! [String: Any]
                #expect(args["start_cycle"] as? Int == t, "\(name): slice at \(String(describing: args["start_cycle"])) after \(t)")
                let cycles = try #require(args["cycles"] as? Int)
                #expect(cycles > 0)
                t += cycles
                let ts = e["ts"] as! Double, dur = e["dur"] as! Double
                #expect(prevEnd <= ts + 1e-6, "\(name)")
                prevEnd = ts + dur
            }
            #expect(t - start == stage["elapsed_cycles"] as? Int, "\(name)")
            // Busy and each cause add up to the report's, per stage.
            let bubbles = stage["bubbles"] as! [String: Int]
            if detail == "intervals" {
                let cycles = { (e: [String: Any]) in (e["args"] as! [String: Any])["cycles"] as! Int }
                #expect(slices.filter { !Self.causes.contains($0["name"] as! String) }.map(cycles).reduce(0, +)
                        == stage["busy_cycles"] as? Int, "\(name)")
                for cause in Self.causes {
                    #expect(slices.filter { $0["name"] as? String == cause }.map(cycles).reduce(0, +) == bubbles[cause], "\(name) \(cause)")
                }
            } else {
                let sum = { (key: String) in slices.map { ($0["args"] as! [String: Any])[key] as? Int ?? 0 }.reduce(0, +) }
                #expect(sum("busy_cycles") == stage["busy_cycles"] as? Int, "\(name)")
                for cause in Self.causes { #expect(sum("\(cause)_cycles") == bubbles[cause], "\(name) \(cause)") }
            }
        }
        // Work slices name their request or job (and layer where the detail has layers).
        let work = events.filter { ["busy", "work"].contains($0["cat"] as? String) }.compactMap { $0["name"] as? String }
        #expect(work.contains { $0.hasPrefix(scheduler == "padded" ? "job 0" : "request 0") }, "\(work.prefix(3))")
        #expect(work.contains { $0.contains("layer 11") } == (detail != "jobs"), "\(work.prefix(3))")
        // The format's schema, checked by a reader that shares no code with the writer.
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", Paths.repo("scripts/check-timeline.py"), Paths.repo("docs/timeline.schema.json"), path]
        let out = dir.appendingPathComponent("check.out")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        check.standardOutput = handle
        check.standardError = handle
        try check.run()
        check.waitUntilExit()
        try handle.close()
        let said = String(decoding: try Data(contentsOf: out), as: UTF8.self)
        #expect(check.terminationStatus == 0, "\(said)")
        #expect(said.contains("\(slicesSeen) slices"), "\(said)")
    }

    /// The default detail keeps whole traces small: jobs are few, bubbles fold into them.
    @Test func jobDetailIsSmallerThanIntervals() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("timeline-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var sizes: [String: Int] = [:]
        for detail in ["jobs", "layers", "intervals"] {
            let path = dir.appendingPathComponent("\(detail).json").path
            let r = try bertsim(["simulate", "traces/mrpc-batch32.trace", "--config", "hw-configs/default.yaml", "--kernel", "native",
                                 "--limit", "64", "--timeline", path, "--timeline-detail", detail])
            #expect(r.status == 0, "\(r.stderr)")
            sizes[detail] = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        }
        // Two jobs of 32 here; the whole 408-request trace is 465 KB by jobs, 244 MB by intervals.
        #expect(sizes["jobs"]! * 3 < sizes["layers"]!, "\(sizes)")
        #expect(sizes["layers"]! * 20 < sizes["intervals"]!, "\(sizes)")
    }
}

@Suite struct LengthAwareConfigTests {
    func config(_ body: String, replacing: (String, String)? = nil) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("la-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var base = try String(contentsOfFile: Paths.repo("hw-configs/default.yaml"), encoding: .utf8)
        if let (old, new) = replacing {
            #expect(base.contains(old))
            base = base.replacingOccurrences(of: old, with: new)
        }
        let path = dir.appendingPathComponent("c.yaml").path
        try (base + body).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func lines(_ text: String) -> Int { text.split(separator: "\n").count }

    /// `encoder.length_aware:` keys are checked like every other section.
    @Test func badSectionValuesNameTheirLine() throws {
        let base = try String(contentsOfFile: Paths.repo("hw-configs/default.yaml"), encoding: .utf8)
        #expect(base.hasSuffix("\n") && base.contains("\nencoder:\n"))
        let path = try config("  length_aware:\n    pipeline_stages: 0\n")
        let r = try bertsim(["simulate", "traces/sst2.trace", "--config", path, "--scheduler", "length-aware", "--limit", "1"])
        #expect(r.status == 2)
        #expect(lines(r.stderr) == 1 && r.stderr.contains(":\(lines(base) + 2): encoder.length_aware.pipeline_stages"), "\(r.stderr)")
    }

    /// The sections compose (issue 17, item 5): under the length-aware scheduler the report has
    /// the sparse-attention and pruning sections, their dense twins run under the same
    /// scheduler, and on one-request batches (nothing to pad) the work they count is the padded
    /// run's exactly: every sequence's layers run once, split between the stages.
    @Test(arguments: ["hw-configs/zcu102-fqbert-n8m16-topk.yaml", "hw-configs/zcu102-fqbert-n8m16-hp75.yaml"])
    func sparseAndPruningSectionsComposeUnderTheLengthAwareScheduler(_ config: String) throws {
        func report(_ scheduler: String) throws -> [String: Any] {
            let r = try bertsim(["simulate", "traces/mrpc.trace", "--config", config, "--limit", "3", "--kernel", "native",
                                 "--format", "json", "--scheduler", scheduler])
            #expect(r.status == 0, "\(r.stderr)")
            return try json(r.stdout)
        }
        let padded = try report("padded"), aware = try report("length-aware")
        #expect((aware["scheduler"] as? [String: Any])?["name"] as? String == "length-aware")
        if config.hasSuffix("topk.yaml") {
            let p = try #require(padded["sparse_attention"] as? [String: Any])
            let a = try #require(aware["sparse_attention"] as? [String: Any])
            #expect(NSDictionary(dictionary: a["totals"] as! [String: Any]) == NSDictionary(dictionary: p["totals"] as! [String: Any]))
            #expect(NSDictionary(dictionary: a["mass_kept"] as! [String: Any]) == NSDictionary(dictionary: p["mass_kept"] as! [String: Any]))
            // The twin ran under the length-aware scheduler: its cycles are not the padded twin's.
            #expect(a["cycles"] as? Int == (aware["totals"] as? [String: Any])?["cycles"] as? Int)
            #expect(a["dense_cycles"] as? Int != p["dense_cycles"] as? Int)
            #expect((a["attention_speedup_vs_dense"] as? Double ?? 0) > 1.5)
        } else {
            let p = try #require(padded["pruning"] as? [String: Any])
            let a = try #require(aware["pruning"] as? [String: Any])
            for key in ["weight_bytes", "dense_weight_bytes", "bank_conflict_stalls", "row_imbalance_cycles"] {
                #expect(a[key] as? Int == p[key] as? Int, "\(key)")
            }
            #expect(a["dense_cycles"] as? Int != p["dense_cycles"] as? Int)
            #expect((a["speedup_vs_dense"] as? Double ?? 0) > 2)
        }
        // And in text: the section's lines, no note that it is missing.
        let text = try bertsim(["simulate", "traces/mrpc.trace", "--config", config, "--limit", "3", "--kernel", "native",
                                "--scheduler", "length-aware"])
        #expect(text.status == 0)
        #expect(text.stdout.contains(config.hasSuffix("topk.yaml") ? "attention speedup vs dense: " : "pruning (hierarchical"),
                "\(text.stdout)")
        #expect(text.stdout.contains("under the same scheduler"))
    }

    /// Eight stages share the 16 KiB parameter buffer (5 layer slots, time-shared) and run; a
    /// parameter buffer that cannot hold one layer's parameters and the LUTs is a design error
    /// naming it and the least that works; two stages run, and the VCD shows the queue and the
    /// partitions.
    @Test func stagesShareTheParametersAndTheVCDShowsThePartitions() throws {
        let many = try config("  length_aware:\n    pipeline_stages: 8\n")
        let r = try bertsim(["simulate", "traces/sst2.trace", "--config", many, "--scheduler", "length-aware", "--limit", "2",
                             "--format", "json", "--kernel", "native"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONDecoder().decode(RunReport.self, from: Data(r.stdout.utf8))
        #expect(report.stages.count == 8 && report.stages.allSatisfy { $0.busyCycles > 0 })
        #expect(report.stages.allSatisfy { $0.busyCycles + $0.bubbles.total == $0.elapsedCycles })

        let small = try config("  length_aware:\n    pipeline_stages: 8\n", replacing: ("parameter_kib: 16", "parameter_kib: 3"))
        let bad = try bertsim(["simulate", "traces/sst2.trace", "--config", small, "--scheduler", "length-aware", "--limit", "1"])
        #expect(bad.status == 2 && lines(bad.stderr) == 1, "\(bad.stderr)")
        #expect(bad.stderr.contains("encoder.buffers.parameter_kib: 3 KiB is too small") && bad.stderr.contains("need 3.5 KiB"),
                "\(bad.stderr)")

        let vcd = FileManager.default.temporaryDirectory.appendingPathComponent("la-\(UUID()).vcd").path
        defer { try? FileManager.default.removeItem(atPath: vcd) }
        let ok = try bertsim(["simulate", "traces/mrpc-batch32.trace", "--config", "hw-configs/default.yaml", "--kernel", "native",
                              "--scheduler", "length-aware", "--limit", "4", "--vcd", vcd])
        #expect(ok.status == 0, "\(ok.stderr)")
        let changes = try valueChanges(vcd)
        #expect(changes.contains { $0.contains("length_aware.queue_depth 3") })
        #expect(changes.contains { $0.contains("stage0.processing_units") && !$0.hasSuffix(" 0") })
        #expect(changes.contains { $0.contains("stage1.processing_units") && !$0.hasSuffix(" 0") })
    }
}
