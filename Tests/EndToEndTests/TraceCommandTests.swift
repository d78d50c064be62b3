import Foundation
import Testing

/// `bertsim trace stats` and `bertsim trace generate`, run as the built binary.
@Suite struct TraceCommandTests {
    /// The `key: value` lines of a `trace stats` report.
    func keyValues(_ stdout: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in stdout.split(separator: "\n") where !line.hasPrefix(" ") {
            guard let colon = line.range(of: ": ") else { continue }
            values[String(line[..<colon.lowerBound])] = String(line[colon.upperBound...])
        }
        return values
    }

    func stats(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: String] {
        let r = try bertsim(["trace", "stats"] + arguments)
        #expect(r.status == 0, "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.isEmpty, sourceLocation: sourceLocation)
        return keyValues(r.stdout)
    }

    /// Exit status 2 and exactly one line on stderr, containing `location`; nothing on stdout.
    func expectBadInput(_ arguments: [String], _ location: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try bertsim(arguments)
        #expect(r.status == 2, "status \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(location), "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(!r.stderr.contains("Fatal error"), sourceLocation: sourceLocation)
        #expect(r.stdout.isEmpty, sourceLocation: sourceLocation)
    }

    func temporaryFile(_ bytes: [UInt8], suffix: String = ".trace") -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tc-\(UUID())\(suffix)").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tc-\(UUID()).trace").path
    }

    // MARK: trace stats

    @Test func sst2MatchesTheDataREADME() throws {
        let r = try bertsim(["trace", "stats", "traces/sst2.trace"])
        #expect(r.status == 0)
        for line in ["count: 8741", "mean: 23.3", "p50: 22", "p90: 38", "p99: 52", "max: 67"] {
            #expect(r.stdout.contains("\n\(line)\n"), "\(line)")
        }
        #expect(r.stdout.contains("waste at pad-to 512: "))
        #expect(r.stdout.contains("waste per batch of 1: 0.0% "))
        #expect(r.stdout.contains("histogram: tokens, 8 per bucket\n"))
        #expect(r.stdout.contains("  17-24 2416  27.6% " + String(repeating: "#", count: 50) + "\n"))
    }

    /// Count, mean and nearest-rank percentiles of every shipped task and variant.
    /// data/seq-lengths/README.md lists the same numbers except MRPC's p99, which it gives as 80
    /// (interpolated); the nearest-rank p99 of MRPC's 408 lengths (rank 404) is 81.
    @Test(arguments: [
        ("sst2", "8741", "23.3", "22", "38", "52", "67"),
        ("cola", "9067", "10.5", "10", "16", "25", "46"),
        ("mrpc", "408", "53.2", "53", "70", "81", "86"),
        ("qnli", "5463", "51.1", "48", "75", "116", "250"),
        ("stsb", "1500", "27.9", "23", "51", "72", "95"),
    ])
    func everyShippedTrace(task: String, count: String, mean: String, p50: String, p90: String, p99: String, max: String) throws {
        for variant in ["", "-batch32", "-rate200"] {
            let s = try stats(["traces/\(task)\(variant).trace"])
            #expect([s["count"], s["mean"], s["p50"], s["p90"], s["p99"], s["max"]] == [count, mean, p50, p90, p99, max],
                    "\(task)\(variant)")
            #expect(s["source"]?.hasPrefix("GLUE ") == true)
            #expect(s["source"]?.hasSuffix(".txt") == true)
            switch variant {
            case "": #expect(s["arrivals"] == "closed batches of 1")
            case "-batch32": #expect(s["arrivals"] == "closed batches of 32")
            default:
                #expect(s["arrivals"] == "open")
                // 200 requests/s within 4 standard errors (4/√count of the rate).
                let rate = try #require(s["rate"].flatMap { Double($0.split(separator: " ")[0]) })
                #expect(abs(rate / 200 - 1) <= 4 / Double(count)!.squareRoot(), "\(task): \(rate)")
            }
        }
    }

    @Test func paddingTo128WastesFrom58PercentOnMRPCTo92OnCoLA() throws {
        #expect(try stats(["traces/mrpc.trace", "--pad-to", "128"])["waste at pad-to 128"]
            == "58.4% (30501 pad tokens in 52224 token slots)")
        #expect(try stats(["traces/cola.trace", "--pad-to", "128"])["waste at pad-to 128"]
            == "91.8% (1065208 pad tokens in 1160576 token slots)")
        #expect(try stats(["traces/qnli.trace", "--pad-to", "128"])["waste at pad-to 128"]?
            .hasSuffix("; 25 requests longer than 128 counted at their own length") == true)
    }

    @Test func perBatchWasteFromTheFlagOrTheTrace() throws {
        let own = try stats(["traces/sst2-batch32.trace"])["waste per batch of 32"]
        #expect(own?.hasSuffix("; 274 batches, each padded to its longest") == true)
        #expect(try stats(["traces/sst2.trace", "--batch", "32"])["waste per batch of 32"] == own)
        #expect(try stats(["traces/sst2-rate200.trace"])["waste per batch"]?.hasPrefix("none (open arrivals") == true)
    }

    /// Every kind of malformed trace: exit 2 and one line naming file:line.
    @Test(arguments: [
        ("wrong version", Array("bertsim-trace 2\nmodel: bert-base\n0 0 5\n".utf8), "1: version: unsupported trace version '2'"),
        ("missing version", Array("model: bert-base\n0 0 5\n".utf8), "1: version: missing version line"),
        ("length 0", Array("bertsim-trace 1\nmodel: bert-base\n0 0 0\n".utf8), "3: tokens: length 0 is outside 1...512"),
        ("length above max positions", Array("bertsim-trace 1\nmodel: bert-base\n0 0 5\n1 0 513\n".utf8), "4: tokens: length 513"),
        ("arrival back in time", Array("bertsim-trace 1\nmodel: bert-base\n0 10 5\n1 9 5\n".utf8), "4: arrival_ns: arrival 9 ns goes back in time"),
        ("duplicate id", Array("bertsim-trace 1\nmodel: bert-base\n0 0 5\n0 0 5\n".utf8), "4: id: duplicate id 0"),
        ("unknown field", Array("bertsim-trace 1\nmodel: bert-base\n0 0 5 sst2 extra\n".utf8), "3: field 5: unknown field 'extra'"),
        ("unknown header key", Array("bertsim-trace 1\nmodel: bert-base\nprecision: int8\n0 0 5\n".utf8), "3: precision: unknown header key"),
        ("truncated line", Array("bertsim-trace 1\nmodel: bert-base\n0 0 5\n1 0".utf8), "4: tokens: truncated line"),
        ("truncated file", Array("bertsim-trace 1\nmodel: bert-base\nrequests: 3\n0 0 5\n".utf8), "4: requests: header announces 3 requests"),
        ("not UTF-8", Array("bertsim-trace 1\nmodel: bert-base\n0 0 5 caf".utf8) + [0xE9, 0x0A], "3: not valid UTF-8 text"),
        ("binary garbage", [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x0A, 0x00, 0x00], "1: binary data"),
        ("empty file", [], "1: empty trace"),
    ])
    func malformedTraceExitsTwoWithFileAndLine(kind: String, bytes: [UInt8], location: String) throws {
        let path = temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try expectBadInput(["trace", "stats", path], "bertsim: error: \(path):\(location)")
    }

    @Test func badStatsFlags() throws {
        try expectBadInput(["trace", "stats", "traces/sst2.trace", "--pad-to", "0"], "--pad-to: must be at least 1")
        try expectBadInput(["trace", "stats", "traces/sst2.trace", "--batch", "0"], "--batch: must be at least 1")
        try expectBadInput(["trace", "stats", "no/such.trace"], "no/such.trace: no such file")
    }

    // MARK: trace generate

    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        let a = temporaryPath(), b = temporaryPath(), c = temporaryPath()
        defer { for p in [a, b, c] { try? FileManager.default.removeItem(atPath: p) } }
        func generate(_ output: String, seed: String) throws {
            let r = try bertsim(["trace", "generate", "--output", output, "--count", "3000", "--seed", seed,
                                 "--lengths", "data/seq-lengths/mrpc-dev.txt", "--shuffle", "--rate", "150", "--task", "mrpc"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr == "bertsim: wrote 3000 requests to \(output)\n")
            #expect(r.stdout.isEmpty)
        }
        try generate(a, seed: "17")
        try generate(b, seed: "17")
        try generate(c, seed: "18")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: a))
        #expect(bytes == (try Data(contentsOf: URL(fileURLWithPath: b))))
        #expect(bytes != (try Data(contentsOf: URL(fileURLWithPath: c))))
        let s = try stats([a])
        #expect(s["count"] == "3000")
        #expect(s["arrivals"] == "open")
        #expect(s["source"] == "token counts from data/seq-lengths/mrpc-dev.txt")
    }

    @Test func fullLengthListInFileOrder() throws {
        let out = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try bertsim(["trace", "generate", "--output", out, "--count", "1500", "--seed", "1",
                             "--lengths", "data/seq-lengths/stsb-dev.txt", "--batch", "32"])
        #expect(r.status == 0, "\(r.stderr)")
        let body = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
            .filter { $0.first?.isNumber == true }.map { $0.split(separator: " ") }
        let file = try String(contentsOfFile: Paths.repo("data/seq-lengths/stsb-dev.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(body.map { String($0[2]) } == file)
        #expect(body.map { String($0[0]) } == (0..<1500).map(String.init))
        #expect(body.allSatisfy { $0[1] == "0" && $0.count == 3 })
        let s = try stats([out])
        #expect([s["count"], s["mean"], s["p50"], s["max"], s["arrivals"]] == ["1500", "27.9", "23", "95", "closed batches of 32"])
    }

    @Test func anyLengthFileCyclesAndTruncatesAboveMaxPositions() throws {
        let lengths = temporaryFile(Array("# hand-made\r\n7\r\n\r\n600\r\n 12 \r\n".utf8), suffix: ".txt")
        let out = temporaryPath()
        defer { for p in [lengths, out] { try? FileManager.default.removeItem(atPath: p) } }
        let r = try bertsim(["trace", "generate", "--output", out, "--count", "7", "--seed", "5", "--lengths", lengths,
                             "--model", "distilbert", "--batch", "2", "--source", "a hand-made list"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("bertsim: 2 of 7 lengths were above distilbert's max positions (512) and were truncated to 512\n"))
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("\nmodel: distilbert\nsource: a hand-made list\nbatch: 2\nrequests: 7\n"))
        #expect(text.hasSuffix("\n0 0 7\n1 0 512\n2 0 12\n3 0 7\n4 0 512\n5 0 12\n6 0 7\n"))
    }

    @Test func fixedLengthOnAnExplicitModel() throws {
        let out = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let model = "custom layers=4 hidden=256 heads=4 head_size=64 ffn=1024 max_positions=128"
        let r = try bertsim(["trace", "generate", "--output", out, "--count", "4", "--seed", "0", "--model", model,
                             "--length", "64", "--batch", "4"])
        #expect(r.status == 0, "\(r.stderr)")
        let s = try stats([out])
        #expect([s["model"], s["count"], s["max"], s["waste at pad-to 128"]]
            == [model, "4", "64", "50.0% (256 pad tokens in 512 token slots)"])
    }

    /// Errors in a length file: exit 2 and one line naming file:line.
    @Test(arguments: [
        ("non-integer", Array("12\n7.5\n".utf8), "2: length: '7.5' is not a positive integer"),
        ("zero", Array("12\n0\n".utf8), "2: length: length 0 is outside"),
        ("empty", [], "1: empty length file"),
        ("binary", [0x31, 0x0A, 0x00, 0x01, 0x02, 0x0A], "2: binary data"),
        ("not UTF-8", [0x31, 0x0A, 0x32, 0xFF, 0x0A], "2: not valid UTF-8 text"),
    ])
    func badLengthFile(kind: String, bytes: [UInt8], location: String) throws {
        let lengths = temporaryFile(bytes, suffix: ".txt")
        let out = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: lengths) }
        try expectBadInput(["trace", "generate", "--output", out, "--count", "5", "--seed", "1", "--lengths", lengths, "--batch", "1"],
                           "bertsim: error: \(lengths):\(location)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func badGenerateFlags() throws {
        let base = ["trace", "generate", "--output", temporaryPath(), "--count", "5", "--seed", "1"]
        try expectBadInput(base + ["--batch", "1"], "--lengths: give a length file")
        try expectBadInput(base + ["--length", "8", "--lengths", "data/seq-lengths/sst2.txt", "--batch", "1"], "--length: give either")
        try expectBadInput(base + ["--length", "8"], "--rate: give Poisson arrivals")
        try expectBadInput(base + ["--length", "8", "--batch", "1", "--rate", "5"], "--rate: give either")
        try expectBadInput(base + ["--length", "8", "--rate", "0"], "--rate: must be from 1e-6 to 1e9 requests per second, not 0")
        try expectBadInput(base + ["--length", "8", "--batch", "1", "--model", "gpt-5"], "--model: unknown model 'gpt-5'")
        try expectBadInput(base + ["--length", "8", "--batch", "1", "--task", "two words"], "--task:")
        try expectBadInput(base + ["--length", "8", "--batch", "1", "--shuffle"], "--shuffle: only applies")
        try expectBadInput(["trace", "generate", "--output", temporaryPath(), "--count", "0", "--seed", "1", "--length", "8", "--batch", "1"],
                           "--count: must be at least 1")
        try expectBadInput(base + ["--lengths", "no/such.txt", "--batch", "1"], "no/such.txt: no such file")
    }

    // MARK: shipped traces

    /// scripts/make-traces.sh regenerates every shipped trace byte for byte, and traces/ holds
    /// exactly those files.
    @Test func shippedTracesAreReproducible() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("traces-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = [Paths.repo("scripts/make-traces.sh"), dir.path]
        var environment = ProcessInfo.processInfo.environment
        environment["BERTSIM"] = Paths.binary.path
        p.environment = environment
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let made = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        let shipped = try FileManager.default.contentsOfDirectory(atPath: Paths.repo("traces")).sorted()
        let tasks = ["cola", "mrpc", "qnli", "sst2", "stsb"]
        let long = [384, 512].flatMap { ["nyt-len\($0)-batch32.trace", "nyt-len\($0)-rate5.trace"] }
        #expect(made == (tasks.flatMap { ["\($0)-batch32.trace", "\($0)-rate200.trace", "\($0).trace"] } + long).sorted())
        #expect(shipped == made)
        for name in made {
            let a = try Data(contentsOf: dir.appendingPathComponent(name))
            let b = try Data(contentsOf: URL(fileURLWithPath: Paths.repo("traces/\(name)")))
            #expect(a == b, "traces/\(name) differs from what scripts/make-traces.sh makes")
        }
    }
}
