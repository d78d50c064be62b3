import BertSim
import BertSimStudies
import BertSimCore
import BertSimModels
import BertSimReport
import Foundation
import Testing

/// A JSON object's or array's elements after decoding, for comparing reports field by field.
func decoded(_ text: String) throws -> NSObject {
    try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSObject)
}

@Suite struct CompareTests {
    static let designs = ["hw-configs/default.yaml", "hw-configs/zcu111-fqbert-n16m16.yaml", "hw-configs/zcu102-systolic32x32-os.yaml"]

    func compare(_ extra: [String], configs: [String] = designs) throws -> CommandResult {
        try bertsim(["compare", "traces/sst2.trace"] + configs.flatMap { ["--config", $0] } + extra)
    }

    /// `compare --format json` holds, per config in the order given, exactly what `simulate
    /// --format json` prints for that config alone (both on the SystemC kernel).
    @Test func jsonReportsEqualSimulatingEachConfigAlone() throws {
        let configs = [Self.designs[2], Self.designs[0]]
        let r = try compare(["--format", "json", "--limit", "2", "--jobs", "2"], configs: configs)
        #expect(r.status == 0, "\(r.stderr)")
        let document = try json(r.stdout)
        #expect(document["configs"] as? [String] == configs)
        let reports = try #require(document["reports"] as? [NSDictionary])
        #expect(reports.count == configs.count)
        let typed = try JSONDecoder().decode(Reports.self, from: Data(r.stdout.utf8)).reports
        for (i, config) in configs.enumerated() {
            let alone = try bertsim(["simulate", "traces/sst2.trace", "--config", config, "--format", "json", "--limit", "2"])
            #expect(alone.status == 0, "\(alone.stderr)")
            #expect(reports[i] == (try decoded(alone.stdout) as? NSDictionary), "\(config)")
            // Re-rendered, the embedded report is the same text, byte for byte.
            #expect(try JSONRenderer.render(typed[i]) == alone.stdout, "\(config)")
            #expect(typed[i].simulator.kernel == .systemc)
        }
        // The table's rows name the best config.
        let table = try #require(document["table"] as? [[String: Any]])
        let cycles = try #require(table.first { $0["metric"] as? String == "cycles" })
        #expect(cycles["best"] as? [String] == [configs[1]])
        #expect(cycles["values"] as? [Int] == typed.map(\.totals.cycles))
    }

    /// Ctrl-C during `compare` kills the children (none outlives the command) and exits 130.
    ///
    /// Deterministic: each child simulates the whole SST-2 trace (8,741 BERT-base requests, a
    /// minute or more of CPU each), so both are still running when the test, having waited
    /// with no time limit until the command has its two children, interrupts it. The wait also
    /// ends if the command exits, which fails the test instead of hanging it.
    @Test func interruptedCompareKillsItsChildren() throws {
        // A trace under a unique name, so this test's children can be told from any other.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("compare-int-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let trace = dir.appendingPathComponent("long.trace").path
        try FileManager.default.copyItem(atPath: Paths.repo("traces/sst2.trace"), toPath: trace)
        let p = Process()
        p.executableURL = Paths.binary
        p.arguments = ["compare", trace, "--config", "hw-configs/default.yaml", "--config", "hw-configs/u200-fqbert-scaled.yaml",
                       "--config", "hw-configs/zcu102-fqbert-n16m8.yaml", "--jobs", "2", "--kernel", "native"]
        p.currentDirectoryURL = Paths.root
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        /// Fields of /proc/PID/stat after the command name: state, parent, …
        func stat(_ pid: Int32) -> [Substring]? {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = text.lastIndex(of: ")") else { return nil }
            return text[text.index(after: close)...].split(separator: " ")
        }
        func children() -> [Int32] {
            // Live processes whose parent is the compare command.
            let all = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            return all.compactMap(Int32.init).filter { pid in
                guard let fields = stat(pid), fields.count > 1 else { return false }
                return fields[0] != "Z" && Int32(fields[1]) == p.processIdentifier
            }
        }
        // Polling only paces the reads; the loop ends on an event that is bound to happen.
        while p.isRunning && children().count < 2 { usleep(20_000) }
        let running = children()
        let startTimes = running.map { stat($0)?[19] ?? "" }
        #expect(running.count == 2)
        p.interrupt()
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 130)
        // The children it had are gone (or dead and not yet reaped), not re-parented and running:
        // no live process has a child's pid and start time (field 22).
        for (pid, started) in zip(running, startTimes) {
            let now = stat(pid)
            #expect(now == nil || now![0] == "Z" || now![19] != started, "child \(pid) outlived the command")
        }
        #expect(children().isEmpty)
    }

    /// The number of parallel children changes nothing, byte for byte.
    @Test func jobsDoNotChangeTheOutput() throws {
        let one = try compare(["--format", "json", "--limit", "2", "--kernel", "native", "--jobs", "1"])
        let three = try compare(["--format", "json", "--limit", "2", "--kernel", "native", "--jobs", "3"])
        #expect(one.status == 0 && three.status == 0)
        #expect(one.stdout == three.stdout)
    }

    /// Every shipped config compared on `traces/sst2.trace --limit N` equals simulating it
    /// alone: N = 2 in `make test`; `make check-compare` runs it on the release binary
    /// (`BERTSIM_BIN`) with N = 256 (`BERTSIM_COMPARE_LIMIT`).
    @Test func everyShippedConfigEqualsSimulatingItAlone() throws {
        let limit = ProcessInfo.processInfo.environment["BERTSIM_COMPARE_LIMIT"] ?? "2"
        let r = try compare(["--format", "json", "--limit", limit], configs: Shipped.configs)
        #expect(r.status == 0, "\(r.stderr)")
        let reports = try #require(try json(r.stdout)["reports"] as? [NSDictionary])
        #expect(reports.count == Shipped.configs.count)
        for (config, report) in zip(Shipped.configs, reports) {
            let alone = try bertsim(["simulate", "traces/sst2.trace", "--config", config, "--format", "json", "--limit", limit])
            #expect(alone.status == 0, "\(alone.stderr)")
            #expect(report == (try decoded(alone.stdout) as? NSDictionary), "\(config)")
        }
    }

    private struct Reports: Decodable {
        var reports: [RunReport]
    }

    /// One column per config, a row per metric, `*` on the best value of each row.
    @Test func textTableMarksTheBestValueOfEachRow() throws {
        let r = try compare(["--limit", "1", "--kernel", "native", "--jobs", "3"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("metric") })
        #expect(header.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            == ["metric", "unit", "default", "zcu111-fqbert-n16m16", "zcu102-systolic32x32-os"])
        func cells(_ label: String) throws -> [String] {
            let line = try #require(lines.first { $0.hasPrefix(label + "  ") }, "row \(label)")
            return Array(line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }.suffix(3))
        }
        for label in ["cycles", "latency mean", "latency p99", "throughput", "pe_array utilization", "pe_array padding", "DSP",
                      "BRAM18K", "energy per inference", "inferences/s/W"] {
            let row = try cells(label)
            #expect(row.count == 3, "\(label): \(row)")
            #expect(row.contains { $0.hasSuffix("*") }, "\(label): \(row)")
        }
        // The ZCU111 design is the fastest; the systolic array uses the fewest DSPs.
        #expect(try cells("cycles").map { $0.hasSuffix("*") } == [false, true, false])
        #expect(try cells("DSP").map { $0.hasSuffix("*") } == [false, false, true])
        #expect(try cells("DSP")[0] == "1,712 / 2,520")
        // No padding anywhere (batch 1): every value ties and is marked.
        #expect(try cells("pe_array padding") == ["0.0%*", "0.0%*", "0.0%*"])
    }

    /// CSV: the `best` column names the configs holding the row's lowest (or highest) value.
    @Test func csvRowsNameTheirBest() throws {
        let configs = Array(Self.designs.prefix(2))
        let r = try compare(["--limit", "1", "--kernel", "native", "--format", "csv"], configs: configs)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows[0] == ["metric", "unit", "better"] + configs + ["best"])
        let cycles = try #require(rows.first { $0[0] == "cycles" })
        #expect(cycles[5] == configs[1])
        #expect(Int(cycles[3])! > Int(cycles[4])!)
        let efficiency = try #require(rows.first { $0[0] == "inferences_per_s_per_w" })
        #expect(efficiency[2] == "higher")
        let best = Double(efficiency[3])! >= Double(efficiency[4])! ? configs[0] : configs[1]
        #expect(efficiency[5] == best)
        #expect(rows.contains { $0[0] == "dsp_available" && $0[3] == "2520" && $0[4] == "4272" })
    }

    /// A config that cannot run: one line naming it, exit 2, nothing on stdout.
    @Test func aFailingConfigIsNamedAndNothingIsPrinted() throws {
        let bad = Paths.fixture("small-io-buffer.yaml")
        let r = try compare(["--limit", "1", "--jobs", "1", "--kernel", "native"], configs: [Self.designs[0], bad, Self.designs[1]])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let errors = r.stderr.split(separator: "\n").filter { $0.contains("error") }
        #expect(errors.count == 1, "\(r.stderr)")
        #expect(errors.first?.contains("compare: \(bad) failed: \(bad):45: encoder.buffers.io_kib") == true, "\(r.stderr)")
        // --jobs 1: the config after the failed one never started.
        #expect(errors.first?.hasSuffix("(1 more config not run)") == true, "\(r.stderr)")

        let missing = try compare(["--limit", "1"], configs: ["no/such.yaml"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("compare: no/such.yaml failed: no/such.yaml: no such file"), "\(missing.stderr)")
    }

    @Test func badFlags() throws {
        for (args, message) in [(["--jobs", "0"], "--jobs: must be at least 1"), (["--limit", "0"], "--limit: must be at least 1"),
                                (["--format", "xml"], "xml")] {
            let r = try compare(args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr.contains(message), "\(r.stderr)")
        }
        let none = try bertsim(["compare", "traces/sst2.trace"])
        #expect(none.status == 2)
        #expect(none.stderr.contains("--config"), "\(none.stderr)")
        let badTrace = try bertsim(["compare", "no/such.trace", "--config", Self.designs[0]])
        #expect(badTrace.status == 2)
        #expect(badTrace.stderr.contains("no/such.trace"), "\(badTrace.stderr)")
    }
}

@Suite struct SelectTests {
    func select(_ extra: [String]) throws -> CommandResult {
        try bertsim(["select", "traces/sst2.trace", "--configs", "hw-configs", "--limit", "1", "--kernel", "native",
                     "--accuracy-table", "data/accuracy/fqbert-sst2.csv"] + extra)
    }

    /// The shipped example: a choice, then one line for every other shipped config.
    @Test func picksADeviceAndExplainsEveryOtherCandidate() throws {
        let r = try select(["--max-latency-ms", "10", "--min-accuracy", "91"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let chosen = try #require(lines.first)
        #expect(chosen.hasPrefix("chosen: hw-configs/"))
        #expect(chosen.contains("accuracy 91.51 ≥ 91 (bert-base, w4a8, dense, attention dense)"))
        #expect(lines[1].contains("order: board cost tier, then energy per inference, then throughput, then config path"))
        for config in Shipped.configs {
            let mentions = lines.filter { $0.hasPrefix(config + ":") || $0.hasPrefix("chosen: \(config):") }
            #expect(mentions.count == 1, "\(config): \(mentions)")
        }
        // One request of the systolic array takes about 14 ms: over the limit.
        #expect(lines.contains { $0.hasPrefix("hw-configs/zcu102-systolic32x32-os.yaml: rejected: latency p99 ") && $0.hasSuffix(" ms > 10 ms") })
        // A ZCU102 (cost tier 2) fits, so every higher tier is not chosen for its tier.
        #expect(chosen.contains("zcu102 (XCZU9EG), cost tier 2"))
        #expect(lines.contains { $0.hasPrefix("hw-configs/u280-fqbert-hbm.yaml: not chosen") && $0.contains("board cost tier 4 (u280) > 2") })
    }

    /// Nothing fits: exit 1, and every candidate is listed with every reason.
    @Test func anImpossibleConstraintExitsOneSayingWhy() throws {
        let r = try select(["--max-latency-ms", "0.01", "--min-accuracy", "92"])
        #expect(r.status == 1, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("no device fits: all \(Shipped.configs.count) candidates rejected") == true, "\(r.stdout)")
        for config in Shipped.configs {
            let line = try #require(lines.first { $0.hasPrefix(config + ": rejected: ") }, "\(config)")
            #expect(line.contains("ms > 0.01 ms"), "\(line)")
            // Pruned and sparse-attention designs compute another variant: the FQ-BERT table has
            // no accuracy for them (never the dense model's).
            if config.contains("-hp") || config.contains("-unstructured") || config.contains("-topk") {
                #expect(line.contains("; no accuracy for bert-base, w4a8, "), "\(line)")
                #expect(line.hasSuffix(" in data/accuracy/fqbert-sst2.csv"), "\(line)")
            } else {
                #expect(line.hasSuffix("; accuracy 91.51 < 92 (bert-base, w4a8, dense, attention dense)"), "\(line)")
            }
        }
        #expect(r.stderr.contains("no device fits"))
    }

    /// The closed loop with pruned designs (issue 18): with the shipped FQ-BERT table every pruned
    /// or sparse-attention design is rejected for want of its own accuracy; with a table that has
    /// their rows (a fixture with made-up numbers), they compete on energy per inference.
    @Test func prunedDesignsNeedTheirOwnAccuracy() throws {
        let shipped = try bertsim(["select", "traces/mrpc.trace", "--configs", "hw-configs", "--max-latency-ms", "750",
                                   "--accuracy-table", "data/accuracy/fqbert-sst2.csv", "--min-accuracy", "91",
                                   "--limit", "64", "--kernel", "native"])
        #expect(shipped.status == 0, "\(shipped.stderr)")
        let lines = shipped.stdout.split(separator: "\n").map(String.init)
        for (config, variant) in [("zcu102-fqbert-n8m16-hp75", "hierarchical75-t8x128-d50, attention dense"),
                                  ("zcu102-fqbert-n8m16-hp50", "hierarchical50-t8x128-d25, attention dense"),
                                  ("zcu102-fqbert-n8m16-unstructured75", "unstructured75, attention dense")] {
            #expect(lines.contains("hw-configs/\(config).yaml: rejected: no accuracy for bert-base, w4a8, \(variant) in data/accuracy/fqbert-sst2.csv"),
                    "\(shipped.stdout)")
        }
        #expect(lines.first?.hasPrefix("chosen: hw-configs/zcu102-fqbert-n8m16-") == false, "\(shipped.stdout)")

        // With their rows: hp75 uses the least energy per inference of the ZCU102 designs that fit.
        let table = Paths.fixture("accuracy-pruned.csv")
        func chosen(minimum: String) throws -> String {
            let r = try bertsim(["select", "traces/mrpc.trace", "--configs", "hw-configs", "--max-latency-ms", "750",
                                 "--accuracy-table", table, "--min-accuracy", minimum, "--limit", "64", "--kernel", "native"])
            #expect(r.status == 0, "\(r.stderr)")
            return r.stdout.split(separator: "\n").first.map(String.init) ?? ""
        }
        let loose = try chosen(minimum: "90")
        #expect(loose.hasPrefix("chosen: hw-configs/zcu102-fqbert-n8m16-hp75.yaml: zcu102"), "\(loose)")
        #expect(loose.hasSuffix("accuracy 90.8 ≥ 90 (bert-base, w4a8, hierarchical75-t8x128-d50, attention dense)"), "\(loose)")
        // At 91, hp75 (90.8) and hp50 (90.9) are out; unstructured75 (91.1) is the ZCU102 left
        // within the latency limit.
        let strict = try chosen(minimum: "91")
        #expect(strict.hasPrefix("chosen: hw-configs/zcu102-fqbert-n8m16-unstructured75.yaml: zcu102"), "\(strict)")
    }

    /// The measured accuracy table (data/accuracy/minilm-stsb.csv, from `bertsim accuracy`) on
    /// a MiniLM workload: the pruned designs lose to their own measured accuracy, not to a
    /// missing row, and the variant configs' per-channel scales earn their place.
    @Test func selectsOnTheMeasuredAccuracyTable() throws {
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("sts-\(UUID().uuidString).trace").path
        defer { try? FileManager.default.removeItem(atPath: trace) }
        let made = try bertsim(["trace", "generate", "--output", trace, "--count", "16", "--seed", "1",
                                "--lengths", "data/seq-lengths/stsb-dev.txt", "--model", "minilm-l6", "--batch", "1"])
        #expect(made.status == 0, "\(made.stderr)")
        func select(_ configs: String, minimum: String) throws -> [String] {
            let r = try bertsim(["select", trace, "--configs", configs, "--max-latency-ms", "50", "--accuracy-table",
                                 "data/accuracy/minilm-stsb.csv", "--min-accuracy", minimum, "--kernel", "native"])
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            return r.stdout.split(separator: "\n").map(String.init)
        }
        let shipped = try select("hw-configs", minimum: "70")
        #expect(shipped.first?.contains("accuracy 73.1 ≥ 70 (minilm-l6, w4a8, dense, attention") == true, "\(shipped)")
        for (config, accuracy) in [("hp50", "61.13"), ("hp75", "52.89"), ("unstructured75", "67.67")] {
            #expect(shipped.contains { $0.hasPrefix("hw-configs/zcu102-fqbert-n8m16-\(config).yaml: rejected: accuracy \(accuracy) < 70") },
                    "\(config): \(shipped)")
        }
        // At 78 only per-channel W4/A8 designs qualify (78.1 to 78.65); W8/A8 (77.9, 78.0) does not.
        let variants = try select("data/accuracy/configs", minimum: "78")
        #expect(variants.first?.hasPrefix("chosen: data/accuracy/configs/zcu102-fqbert-n8m16-") == true, "\(variants)")
        #expect(variants.first?.contains("w4a8-pc, dense") == true, "\(variants)")
        #expect(variants.contains { $0.hasPrefix("data/accuracy/configs/zcu102-fqbert-n8m16-w8a8.yaml: rejected: accuracy 77.89 < 78") },
                "\(variants)")
    }

    @Test func badInput() throws {
        for (args, message) in [
            (["--configs", "no/such/dir", "--max-latency-ms", "5"], "--configs: no/such/dir: no such directory"),
            (["--configs", "traces", "--max-latency-ms", "5"], "--configs: traces holds no .yaml configs"),
            (["--configs", "hw-configs", "--max-latency-ms", "0"], "--max-latency-ms: must be a positive number"),
            (["--configs", "hw-configs", "--max-latency-ms", "5", "--accuracy-table", "data/accuracy/fqbert-sst2.csv"],
             "--min-accuracy: --accuracy-table needs --min-accuracy"),
            (["--configs", "hw-configs", "--max-latency-ms", "5", "--min-accuracy", "90"], "--accuracy-table: --min-accuracy needs"),
            (["--configs", "hw-configs", "--max-latency-ms", "5", "--accuracy-table", "hw-configs/default.yaml", "--min-accuracy", "90"],
             "hw-configs/default.yaml:9: the header must be"),
        ] {
            let r = try bertsim(["select", "traces/sst2.trace", "--limit", "1", "--kernel", "native"] + args)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
            #expect(r.stdout.isEmpty, "\(args)")
        }
    }
}

/// The ranking and the reasons on hand-made candidates: one real report, its numbers edited.
@Suite struct DeviceSelectionTests {
    static let base: RunReport = try! Simulation.run(SimulationRequest(
        trace: Paths.repo("traces/sst2.trace"), config: Paths.repo("hw-configs/default.yaml"), kernel: .native, limit: 1))

    static func candidate(_ path: String, tier: Int?, mj: Double, rate: Double = 100, p99: Double, bits: Int = 4,
                          pruned: Bool = false) -> (String, ChildSimulations.Outcome) {
        var r = base
        r.config.path = path
        r.latency.p99Ms = p99
        r.power?.energyPerInferenceMJ = mj
        r.power?.averageW = mj * rate / 1000
        r.totals.throughputPerS = rate
        if case .encoder(var e) = r.config.resolved.design {
            e.precision.weightBits = bits
            if pruned { e.pruning = Pruning(pattern: .unstructured, ratio: 0.75, tileRows: 8, tileCols: 128) }
            r.config.resolved.design = .encoder(e)
        }
        if let tier {
            r.config.resolved.board?.costTier = tier
        } else {
            r.config.resolved.board = nil
            r.resources = nil
            r.power = nil
        }
        return (path, .finished(.report(r)))
    }

    static let table = AccuracyTable(path: "acc.csv", accuracies: [
        ModelVariant(model: "bert-base", quantization: "w4a8"): 91.51,
        ModelVariant(model: "bert-base", quantization: "w8a8"): 92.2,
    ])

    static let outcomes = [
        candidate("a.yaml", tier: 2, mj: 30, p99: 10),
        candidate("b.yaml", tier: 2, mj: 20, p99: 10),
        candidate("c.yaml", tier: 1, mj: 10, p99: 30),
        candidate("d.yaml", tier: 3, mj: 10, p99: 5, bits: 8),
        candidate("e.yaml", tier: 2, mj: 20, p99: 20),
        ("f.yaml", .finished(.inputError(InputError(file: "f.yaml", line: 3, field: "board",
                                                    "the design needs 5176 DSP but the zcu102 (XCZU9EG) has 2520")))),
        candidate("g.yaml", tier: nil, mj: 10, p99: 1),
        candidate("h.yaml", tier: 1, mj: 10, p99: 1, bits: 2),
        ("i.yaml", .finished(.simulationError(SimulationError(.deadlock, "nothing can move")))),
        candidate("j.yaml", tier: 2, mj: 20, rate: 300, p99: 10, pruned: true),
        ("k.yaml", .crashed(.init(reason: .signal(11)))),
    ]

    @Test func cheapestTierThenLeastEnergyThenFastestThenPath() {
        let s = DeviceSelection(outcomes: Self.outcomes, constraints: .init(maxLatencyMs: 20))
        #expect(s.ranking.map(\.config) == ["h.yaml", "j.yaml", "b.yaml", "e.yaml", "a.yaml", "d.yaml"])
        #expect(s.choice?.config == "h.yaml")
        let lines = s.explanation().split(separator: "\n").map(String.init)
        #expect(lines[0] == "chosen: h.yaml: zcu102 (XCZU9EG), cost tier 1, 10.000 mJ per inference, 100.0 requests/s, "
                + "1.000 W average, latency p99 1.000 ms ≤ 20 ms")
        #expect(lines[1] == "constraints: p99 latency ≤ 20 ms; order: board cost tier, then energy per inference, then throughput, then config path")
        #expect(lines.contains("j.yaml: not chosen (rank 2 of 6 that fit): fits, but board cost tier 2 (zcu102) > 1 (zcu102)"))
        #expect(lines.contains("c.yaml: rejected: latency p99 30.000 ms > 20 ms"))
        #expect(lines.contains("f.yaml: rejected: does not run: f.yaml:3: board: the design needs 5176 DSP but the zcu102 (XCZU9EG) has 2520"))
        #expect(lines.contains("g.yaml: rejected: no board in the config (its cost and energy are unknown)"))
        #expect(lines.contains("i.yaml: rejected: simulation failed: simulation deadlock: nothing can move"))
        #expect(lines.contains("k.yaml: rejected: simulation failed: killed by signal 11"))
        #expect(lines.count == 2 + 5 + 5)
    }

    /// A slower design that spends more energy per inference never wins on lower average
    /// power (issue 18: unstructured75 at 1.77 W was chosen over hp75 at 2.45 W).
    @Test func energyPerInferenceNotAveragePower() {
        let slow = Self.candidate("slow.yaml", tier: 2, mj: 30, rate: 50, p99: 10)    // 1.5 W average
        let fast = Self.candidate("fast.yaml", tier: 2, mj: 20, rate: 150, p99: 10)   // 3.0 W average
        let s = DeviceSelection(outcomes: [slow, fast], constraints: .init(maxLatencyMs: 20))
        #expect(s.choice?.config == "fast.yaml")
        #expect(s.explanation().contains("slow.yaml: not chosen (rank 2 of 2 that fit): fits, but 30.000 mJ per inference > 20.000 mJ at the same cost tier 2"))
        // Equal energy: the faster one.
        let tie = DeviceSelection(outcomes: [Self.candidate("a.yaml", tier: 2, mj: 20, rate: 100, p99: 10), fast],
                                  constraints: .init(maxLatencyMs: 20))
        #expect(tie.choice?.config == "fast.yaml")
        #expect(tie.explanation().contains("a.yaml: not chosen (rank 2 of 2 that fit): fits, but 100.0 requests/s < 150.0 requests/s"))
    }

    @Test func accuracyFromTheTable() {
        let s = DeviceSelection(outcomes: Self.outcomes,
                                constraints: .init(maxLatencyMs: 20, accuracy: .init(table: Self.table, minimum: 91.5)))
        #expect(s.ranking.map(\.config) == ["b.yaml", "e.yaml", "a.yaml", "d.yaml"])
        let lines = s.explanation().split(separator: "\n").map(String.init)
        #expect(lines[0].hasSuffix("accuracy 91.51 ≥ 91.5 (bert-base, w4a8, dense, attention dense)"))
        #expect(lines.contains("e.yaml: not chosen (rank 2 of 4 that fit): fits, ties with b.yaml on cost tier 2, 20.000 mJ per inference and 100.0 requests/s; its path sorts after"))
        #expect(lines.contains("a.yaml: not chosen (rank 3 of 4 that fit): fits, but 30.000 mJ per inference > 20.000 mJ at the same cost tier 2"))
        #expect(lines.contains("h.yaml: rejected: no accuracy for bert-base, w2a8, dense, attention dense in acc.csv"))
        // The pruned design computes another variant: the dense model's accuracy is not its.
        #expect(lines.contains("j.yaml: rejected: no accuracy for bert-base, w4a8, unstructured75, attention dense in acc.csv"))

        let strict = DeviceSelection(outcomes: Self.outcomes,
                                     constraints: .init(maxLatencyMs: 20, accuracy: .init(table: Self.table, minimum: 92)))
        #expect(strict.choice?.config == "d.yaml")
        #expect(strict.candidates.first { $0.config == "a.yaml" }?.rejections == ["accuracy 91.51 < 92 (bert-base, w4a8, dense, attention dense)"])
        let none = DeviceSelection(outcomes: Self.outcomes,
                                   constraints: .init(maxLatencyMs: 1, accuracy: .init(table: Self.table, minimum: 99)))
        #expect(none.choice == nil)
        #expect(none.explanation().hasPrefix("no device fits: all 11 candidates rejected (p99 latency ≤ 1 ms, accuracy ≥ 99 (acc.csv))\n"))
        #expect(none.candidates.first { $0.config == "c.yaml" }?.rejections
            == ["latency p99 30.000 ms > 1 ms", "accuracy 91.51 < 99 (bert-base, w4a8, dense, attention dense)"])
    }
}
