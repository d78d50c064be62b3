import BertSim
import BertSimStudies
import BertSimConfig
import BertSimCore
import Foundation
import Testing

/// `bertsim sweep run` and `sweep merge` on the built binary (docs/sweeps.md).
@Suite struct SweepTests {
    /// One request of the golden trace per point: each child takes a fraction of a second.
    static let trace = "Tests/golden/sst2-64.trace"
    static let base = "hw-configs/default.yaml"
    /// 10 × 5 = 50 points; the 10 with 40 processing units do not fit the ZCU102's DSPs.
    static let fifty = ["--set", "encoder.pe_array.processing_units=2,4,8,12,16,20,24,28,32,40",
                        "--set", "encoder.softmax.lanes=4,8,16,32,64"]
    /// 4 × 5 = 20 points.
    static let twenty = ["--set", "encoder.pe_array.processing_units=4,8,12,16", "--set", "encoder.softmax.lanes=4,8,16,32,64"]

    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bertsim-sweep-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func run(_ grid: [String], output: URL, _ extra: [String] = []) throws -> CommandResult {
        try bertsim(["sweep", "run", Self.trace, "--config", Self.base, "--limit", "1"] + grid
                    + ["--output", output.path] + extra)
    }

    func text(_ url: URL) throws -> String { String(decoding: try Data(contentsOf: url), as: UTF8.self) }

    /// The done criterion: 50 points on both cores; shard 1/2 + shard 2/2 (one core each) merged
    /// equal the unsharded CSV byte for byte, so rows depend on neither --jobs nor sharding.
    @Test func shardsMergedEqualTheUnshardedRunByteForByte() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let whole = dir.appendingPathComponent("whole.csv")
        let r = try run(Self.fifty, output: whole, ["--jobs", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("50 points"), "\(r.stderr)")
        #expect(r.stderr.contains("25 ok, 25 infeasible, 0 failed"), "\(r.stderr)")
        // The progress line: points done, rate, time left.
        #expect(r.stderr.contains("bertsim: sweep: 50/50 points done, ") && r.stderr.contains(" points/s, ETA "), "\(r.stderr)")
        let lines = try text(whole).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 52) // header, 50 rows, the empty string after the last newline
        #expect(lines[0].hasPrefix("point,encoder.pe_array.processing_units,encoder.softmax.lanes,status,cycles,"))
        #expect(lines[1].hasPrefix("0,2,4,ok,"))
        #expect(lines[50].hasPrefix("49,40,64,infeasible,"))
        #expect(lines[50].contains("DSP"), "the reason names the resource: \(lines[50])")
        #expect(lines[50].contains(",50,board: "), "grid_points, then the reason: \(lines[50])")
        // No wall-clock column: nothing that varies between runs.
        #expect(!lines[0].contains("wall") && !lines[0].contains("seconds"))

        var shards: [URL] = []
        for i in 1...2 {
            let shard = dir.appendingPathComponent("shard\(i).csv")
            let s = try run(Self.fifty, output: shard, ["--shard", "\(i)/2", "--jobs", "1"])
            #expect(s.status == 0, "\(s.stderr)")
            #expect(s.stderr.contains("25 points"), "\(s.stderr)")
            shards.append(shard)
        }
        let shard1Points = try text(shards[0]).split(separator: "\n").dropFirst().map { $0.prefix { $0 != "," } }
        #expect(shard1Points == stride(from: 0, to: 50, by: 2).map { Substring(String($0)) })

        let merged = dir.appendingPathComponent("merged.csv")
        let m = try bertsim(["sweep", "merge", shards[1].path, shards[0].path, "--output", merged.path])
        #expect(m.status == 0, "\(m.stderr)")
        #expect(try Data(contentsOf: merged) == (try Data(contentsOf: whole)))

        // A missing shard is an error, not a short file.
        let partial = dir.appendingPathComponent("partial.csv")
        let p = try bertsim(["sweep", "merge", shards[1].path, "--output", partial.path])
        #expect(p.status == 2)
        #expect(p.stderr.contains("point 0 is in none of the files"), "\(p.stderr)")
        #expect(!FileManager.default.fileExists(atPath: partial.path))
        // A shard that lost its last row (an unfinished task): the grid's size says so.
        let cut = try text(shards[1]).split(separator: "\n").dropLast().map { $0 + "\n" }.joined()
        try Data(cut.utf8).write(to: shards[1])
        let short = try bertsim(["sweep", "merge", shards[0].path, shards[1].path, "--output", partial.path])
        #expect(short.status == 2)
        #expect(short.stderr.contains("point 49 is in none of the files"), "\(short.stderr)")
    }

    /// A sweep cut short (the output truncated mid-row) completes, re-run, to the same bytes;
    /// only the missing points run again.
    @Test func truncatedOutputResumesToTheSameBytes() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("sweep.csv")
        let first = try run(Self.twenty, output: output)
        #expect(first.status == 0, "\(first.stderr)")
        let full = try Data(contentsOf: output)
        // Header, 7 whole rows and half of the 8th.
        let lines = try text(output).split(separator: "\n").map(String.init)
        let cut = lines[0...7].joined(separator: "\n") + "\n" + lines[8].prefix(lines[8].count / 2)
        try Data(cut.utf8).write(to: output)
        let second = try run(Self.twenty, output: output, ["--jobs", "1"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("(7 already there, 13 run)"), "\(second.stderr)")
        #expect(try Data(contentsOf: output) == full)
        // Run again: nothing left to do, nothing changes.
        let third = try run(Self.twenty, output: output)
        #expect(third.status == 0, "\(third.stderr)")
        #expect(third.stderr.contains("(20 already there, 0 run)"), "\(third.stderr)")
        #expect(try Data(contentsOf: output) == full)
    }

    /// Starts `bertsim ARGS` in the package root, stdout and stderr to files in `dir`.
    func start(_ arguments: [String], in dir: URL, name: String) throws -> Process {
        let p = Process()
        p.executableURL = Paths.binary
        p.arguments = arguments
        p.currentDirectoryURL = Paths.root
        let err = dir.appendingPathComponent("\(name).err")
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        return p
    }

    /// Ctrl-C (SIGINT) kills the children and leaves the finished rows, whole, in the output;
    /// the same command then completes it to the bytes of an uninterrupted run.
    ///
    /// Deterministic, whatever the machine's speed or load: four points on 64 single-request
    /// jobs of BERT-base, one at a time (`--jobs 1`, so in point order). Points 0–2 stream
    /// the weights in bursts of 4096, 2048 and 1024 bytes; point 3 in bursts of 64 bytes: 43
    /// million memory transactions to simulate, 60 times point 0's 0.7 million (some 20 s of
    /// CPU in a debug build, against well under a second for each of the others). The test waits,
    /// with no time limit, for the output to hold 3 rows (written when point 2 finishes, or a
    /// second later while point 3 runs: the sweep's idle flush), then interrupts: point 3
    /// cannot have finished by then, so exactly 3 rows are kept. The wait also ends if the
    /// sweep exits, which fails the test instead of hanging it. The uninterrupted run to
    /// compare with runs meanwhile, beside it.
    @Test func interruptedSweepKeepsItsRowsAndResumes() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("sweep.csv"), fresh = dir.appendingPathComponent("fresh.csv")
        let sweep = ["sweep", "run", "traces/sst2.trace", "--config", Self.base, "--limit", "64",
                     "--set", "encoder.memory.burst_bytes=4096,2048,1024,64", "--jobs", "1"]
        let uninterrupted = try start(sweep + ["--output", fresh.path], in: dir, name: "fresh")
        let p = try start(sweep + ["--output", output.path], in: dir, name: "interrupted")
        func log(_ name: String) -> String { (try? text(dir.appendingPathComponent("\(name).err"))) ?? "" }
        func rows() -> Int {
            ((try? text(output)) ?? "").split(separator: "\n").count - 1
        }
        // Polling only paces the reads; the loop ends on an event that is bound to happen.
        while p.isRunning && rows() < 3 { usleep(20_000) }
        #expect(p.isRunning, "the sweep ended before the interrupt: \(log("interrupted"))")
        p.interrupt()
        p.waitUntilExit()
        #expect(p.terminationReason == .exit)
        #expect(p.terminationStatus == 130, "\(log("interrupted"))")
        let partial = try text(output)
        #expect(partial.hasSuffix("\n"))
        let kept = partial.split(separator: "\n").map(String.init)
        #expect(kept.count == 4, "header and points 0, 1, 2: \(kept)")
        #expect(kept.dropFirst().map { $0.prefix { $0 != "," } } == ["0", "1", "2"])
        #expect(kept.dropFirst().allSatisfy { $0.split(separator: ",")[2] == "ok" }, "\(kept)")
        #expect(log("interrupted").contains("sweep interrupted: 3 of 4 points done"))

        let resumed = try bertsim(sweep + ["--output", output.path])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("(3 already there, 1 run)"), "\(resumed.stderr)")
        uninterrupted.waitUntilExit()
        #expect(uninterrupted.terminationStatus == 0, "\(log("fresh"))")
        #expect(try Data(contentsOf: output) == (try Data(contentsOf: fresh)))
        // Every row kept at the interrupt is a row of the finished file.
        let finished = Set(try text(fresh).split(separator: "\n").map(String.init))
        #expect(kept.allSatisfy(finished.contains))
        #expect(try text(fresh).split(separator: "\n").last?.hasPrefix("3,64,ok,") == true)
    }

    /// Mistakes on the command line exit 2 with one line naming the flag; nothing is written.
    @Test(arguments: [
        (["--set", "encoder.pe_array.processing_unitz=4,8"], "--set: encoder.pe_array.processing_unitz=4: unknown key"),
        (["--set", "encoder.pe_arry.processing_units=4"], "encoder.pe_arry: unknown key"),
        (["--set", "encoder.pe_array.processing_units=4,x"], "processing_units=x: expected an integer"),
        (["--set", "encoder.memory.kind=ddr4,ddr5"], "kind=ddr5: 'ddr5' is not one of"),
        (["--set", "pipeline.stages=2"], "pipeline: section for design"),
        (["--set", "encoder.pe_array.processing_units"], "--set: 'encoder.pe_array.processing_units' is not key.path=value"),
        (["--set", "encoder.pe_array.processing_units=4,,8"], "value 2 of 3 is empty"),
        (["--set", "encoder.softmax.lanes=4", "--set", "encoder.softmax.lanes=8"], "is set twice"),
        (["--set", "encoder.softmax.lanes=4", "--shard", "3/2"], "--shard: '3/2' is not i/n"),
        (["--set", "encoder.softmax.lanes=4", "--shard", "0/2"], "--shard: '0/2' is not i/n"),
        (["--set", "encoder.softmax.lanes=4", "--shard", "1-2"], "--shard: '1-2' is not i/n"),
    ])
    func badInputExitsTwoWithOneLine(arguments: [String], message: String) throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("sweep.csv")
        let r = try run(arguments, output: output)
        #expect(r.status == 2)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("bertsim: error: ") && r.stderr.contains(message), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    /// An output from another sweep is never mixed into this one.
    @Test func outputOfAnotherSweepIsRejected() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("sweep.csv")
        #expect(try run(["--set", "encoder.softmax.lanes=4,8"], output: output).status == 0)
        let before = try Data(contentsOf: output)
        let otherKey = try run(["--set", "encoder.gelu.lanes=4,8"], output: output)
        #expect(otherKey.status == 2 && otherKey.stderr.contains("holds a sweep over encoder.softmax.lanes"), "\(otherKey.stderr)")
        let otherValues = try run(["--set", "encoder.softmax.lanes=8,4"], output: output)
        #expect(otherValues.status == 2 && otherValues.stderr.contains("point 0 has encoder.softmax.lanes = 4"), "\(otherValues.stderr)")
        let otherLimit = try bertsim(["sweep", "run", Self.trace, "--config", Self.base, "--limit", "2",
                                      "--set", "encoder.softmax.lanes=4,8", "--output", output.path])
        #expect(otherLimit.status == 2 && otherLimit.stderr.contains("sweep_id"), "\(otherLimit.stderr)")
        #expect(try Data(contentsOf: output) == before)
    }

    /// A table read back and written again is the same bytes (fields with commas, quotes and
    /// line breaks included); a last line without its newline (a file cut short) is dropped.
    @Test func tableRoundTripsAndDropsACutLine() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        var table = SweepTable(keys: ["encoder.memory.kind", "encoder.softmax.lanes"])
        table.rows[1] = SweepTable.row(point: 1, values: ["hbm2", "8"], status: .failed,
                                       reason: "exit status 6: \"abort\", core dumped\nsecond line", sweepID: "0123456789abcdef",
                                       gridPoints: 4)
        table.rows[0] = SweepTable.row(point: 0, values: ["ddr4", "8"], status: .infeasible, reason: "board: too many DSP",
                                       sweepID: "0123456789abcdef", gridPoints: 4)
        let path = dir.appendingPathComponent("t.csv").path
        let text = table.csv()
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let back = try SweepTable.read(path: path)
        #expect(back == table)
        #expect(back.csv() == text)
        #expect(back.count(.failed) == 1 && back.count(.infeasible) == 1)
        try Data(text.dropLast(5).utf8).write(to: URL(fileURLWithPath: path))
        #expect(try SweepTable.read(path: path).rows.keys.sorted() == [0])
        try Data("point,x,status\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: InputError.self) { try SweepTable.read(path: path) }
    }

    /// Point order: the product of the axes in flag order, the last varying fastest; shard
    /// i/n holds the indices ≡ i − 1 (mod n).
    @Test func gridOrderAndShards() throws {
        let grid = try SweepGrid(basePath: Paths.repo(Self.base), axes: [
            .init(key: "encoder.pe_array.processing_units", values: ["4", "8", "12"]),
            .init(key: "encoder.softmax.lanes", values: ["8", "16"]),
        ])
        #expect(grid.count == 6)
        #expect((0..<6).map(grid.values(at:)) == [["4", "8"], ["4", "16"], ["8", "8"], ["8", "16"], ["12", "8"], ["12", "16"]])
        #expect(grid.points(shard: 1, of: 4) == [0, 4])
        #expect(grid.points(shard: 4, of: 4) == [3])
        #expect(grid.points(shard: 2, of: 2) == [1, 3, 5])
        // The point's YAML is the base with the values put in, as the loader reads it.
        let point = try ConfigLoader.parse(try grid.yaml(at: 3), file: "point 3")
        guard case .encoder(let e) = point.design else { Issue.record("not an encoder design"); return }
        #expect(e.peArray?.processingUnits == 8)
        // A grid too large to prepare is refused up front, overflow included.
        let huge = (0..<7).map { i in SweepGrid.Axis(key: "encoder.softmax.lanes\(i)", values: (1...20).map(String.init)) }
        #expect(throws: InputError(file: "--set", "the grid has more than 1000000 points; split it into several sweeps")) {
            try SweepGrid(basePath: Paths.repo(Self.base), axes: huge)
        }
    }

    /// Shards that have not run yet (a header, no rows) do not merge into an empty sweep.
    @Test func mergingEmptyShardsIsAnError() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = SweepTable(keys: ["encoder.softmax.lanes"])
        let a = dir.appendingPathComponent("a.csv").path, b = dir.appendingPathComponent("b.csv").path
        for path in [a, b] { try Data(table.csv().utf8).write(to: URL(fileURLWithPath: path)) }
        let r = try bertsim(["sweep", "merge", a, b, "--output", dir.appendingPathComponent("m.csv").path])
        #expect(r.status == 2 && r.stderr.contains("the files hold no points"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("m.csv").path))
    }
}
