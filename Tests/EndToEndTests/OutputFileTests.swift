import BertSimCore
import Foundation
import Testing

/// Every file a command writes at the user's request is written atomically, and a file that
/// cannot be written is exit status 3 with one line naming it (docs/robustness.md, "Output
/// files"): the target is left as it was and no temporary file is left behind.
@Suite struct OutputFileTests {
    static let trace = "traces/sst2.trace"
    static let config = "hw-configs/default.yaml"

    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bertsim-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A directory this process cannot create files in: a read-only (0555) directory, or, as
    /// root (who may write there anyway), `/sys` (sysfs refuses new files even to root).
    func unwritableDirectory(in dir: URL) throws -> String {
        let candidate = dir.appendingPathComponent("read-only")
        try FileManager.default.createDirectory(at: candidate, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: candidate.path)
        let path = geteuid() == 0 ? "/sys" : candidate.path
        // The premise: creating a file there fails.
        let probe = open(path + "/probe-\(UUID().uuidString)", O_WRONLY | O_CREAT | O_EXCL, 0o644)
        if probe >= 0 { close(probe) }
        #expect(probe < 0, "\(path) is writable: the test cannot check an unwritable directory here")
        return path
    }

    /// One line on stderr, `bertsim: error: PATH: cannot write: …`, exit status 3.
    func expectOutputError(_ r: CommandResult, _ path: String, _ reason: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == 3, "\(r.stderr)", sourceLocation: sourceLocation)
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("bertsim: error: ") }
        #expect(errors.count == 1, "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(errors.first?.hasPrefix("bertsim: error: \(path): cannot write: \(reason)") == true, "\(r.stderr)",
                sourceLocation: sourceLocation)
    }

    /// Files left in `dir` other than `keep` (a temporary file left behind, say).
    func leftovers(_ dir: URL, keeping keep: Set<String>) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !keep.contains($0) }.sorted()
    }

    /// `bertsim ARGS` under a file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored): a write past
    /// `kib` KiB fails with EFBIG, as on a full disk. Its stdout goes to /dev/null (reports
    /// are not what is tested), its stderr is returned.
    func bertsimWithFileSizeLimit(kib: Int, _ arguments: [String]) throws -> CommandResult {
        try command(URL(fileURLWithPath: "/bin/sh"),
                    ["-c", "trap '' XFSZ; ulimit -f \(kib * 2) && exec \"$0\" \"$@\" > /dev/null", Paths.binary.path] + arguments)
    }

    /// The VCD on both kernels: a missing or unwritable directory fails before the run; a write
    /// error during the run (a full disk, a file-size limit) fails it, keeps the old file and
    /// leaves no temporary file; `/dev/full` is written in place and fails; a good path gets
    /// the whole file.
    @Test(arguments: ["native", "systemc"])
    func vcdWriteErrorsExitThreeAndKeepTheOldFile(_ kernel: String) throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = ["simulate", Self.trace, "--config", Self.config, "--kernel", kernel, "--limit", "2"]

        let missing = dir.appendingPathComponent("no/such/dir/w.vcd").path
        expectOutputError(try bertsim(run + ["--vcd", missing]), missing, "the directory \(dir.path)/no/such/dir does not exist")

        let unwritable = try unwritableDirectory(in: dir) + "/w.vcd"
        expectOutputError(try bertsim(run + ["--vcd", unwritable]), unwritable, "cannot create a file in ")

        let full = try bertsim(run + ["--vcd", "/dev/full"])
        expectOutputError(full, "/dev/full", "No space left on device")
        var info = stat()
        #expect(stat("/dev/full", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR, "/dev/full is still the device")

        // The whole VCD is far larger than 16 KiB: the limit cuts it short.
        let target = dir.appendingPathComponent("w.vcd")
        try Data("old contents\n".utf8).write(to: target)
        let limited = try bertsimWithFileSizeLimit(kib: 16, run + ["--vcd", target.path])
        expectOutputError(limited, target.path, "File too large")
        #expect(try String(contentsOf: target, encoding: .utf8) == "old contents\n")
        #expect(try leftovers(dir, keeping: ["w.vcd", "read-only"]) == [])

        // A run a limit ends (at cycle 2,000,000 of 3,110,003; 30 KB of VCD by then) has its VCD
        // completed then: a write error is reported the same way.
        let cut = try bertsimWithFileSizeLimit(kib: 16, run + ["--max-cycles", "2000000", "--vcd", target.path])
        expectOutputError(cut, target.path, "File too large")
        #expect(try String(contentsOf: target, encoding: .utf8) == "old contents\n")

        let ok = try bertsim(run + ["--vcd", target.path])
        #expect(ok.status == 0, "\(ok.stderr)")
        let text = try String(contentsOf: target, encoding: .utf8)
        #expect(text.hasPrefix("$version") && text.contains("$enddefinitions") && !text.contains("$date"))
        #expect(text.count > 16 * 1024)
        #expect(try leftovers(dir, keeping: ["w.vcd", "read-only"]) == [])
    }

    /// `--html`, `--timeline` and `--csv`: a missing or unwritable directory, or a full disk,
    /// is exit 3 naming the file; nothing is created.
    @Test func reportFileWriteErrorsExitThree() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = ["simulate", Self.trace, "--config", Self.config, "--kernel", "native", "--limit", "1"]
        let unwritable = try unwritableDirectory(in: dir)
        for flag in ["--html", "--timeline"] {
            let missing = dir.appendingPathComponent("missing/r.out").path
            expectOutputError(try bertsim(run + [flag, missing]), missing, "the directory \(dir.path)/missing does not exist")
            expectOutputError(try bertsim(run + [flag, unwritable + "/r.out"]), unwritable + "/r.out", "cannot create a file in ")
            expectOutputError(try bertsim(run + [flag, "/dev/full"]), "/dev/full", "No space left on device")
            // A file-size limit below the file's size: the old file stays, nothing is left over.
            let target = dir.appendingPathComponent("r.out")
            try Data("old\n".utf8).write(to: target)
            expectOutputError(try bertsimWithFileSizeLimit(kib: 1, run + [flag, target.path]), target.path, "File too large")
            #expect(try String(contentsOf: target, encoding: .utf8) == "old\n", "\(flag)")
            #expect(try leftovers(dir, keeping: ["r.out", "read-only"]) == [], "\(flag)")
        }
        expectOutputError(try bertsim(run + ["--csv", unwritable + "/csv"]), unwritable + "/csv", "cannot create the directory: ")
        let file = dir.appendingPathComponent("r.out").path
        expectOutputError(try bertsim(run + ["--csv", file]), file, "is a file, not a directory")
    }

    /// The other writers: `trace generate --output`, `sweep run --output`, `sweep merge
    /// --output`, `check --record`.
    @Test func everyOtherWriterExitsThree() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("missing/out").path
        let generate = ["trace", "generate", "--count", "100", "--seed", "1", "--model", "bert-base", "--length", "16", "--batch", "1"]
        expectOutputError(try bertsim(generate + ["--output", missing]), missing, "the directory ")
        expectOutputError(try bertsim(generate + ["--output", "/dev/full"]), "/dev/full", "No space left on device")
        let sweep = ["sweep", "run", "Tests/golden/sst2-64.trace", "--config", Self.config, "--limit", "1",
                     "--set", "encoder.softmax.lanes=4,8"]
        expectOutputError(try bertsim(sweep + ["--output", missing]), missing, "the directory ")
        let shard = dir.appendingPathComponent("shard.csv").path
        #expect(try bertsim(sweep + ["--output", shard]).status == 0)
        expectOutputError(try bertsim(["sweep", "merge", shard, "--output", missing]), missing, "the directory ")
        expectOutputError(try bertsim(["check", "Tests/golden/sst2-64.trace", "--config", Self.config, "--limit", "1",
                                       "--golden", missing, "--record"]), missing, "the directory ")
        #expect(try leftovers(dir, keeping: ["shard.csv"]) == [])
    }
}
