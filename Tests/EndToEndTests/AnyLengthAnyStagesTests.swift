import BertSimCore
import BertSimReport
import Foundation
import Testing

/// Issue 17, item 3: every shipped BIM config runs any length up to BERT-base's 512 positions
/// on 1 to 12 pipeline stages, under `padded`, `length-aware` and `both`, and both kernels
/// give the same report. Random draws (seeded, so a failure reproduces) of a config, a stage
/// count and a short trace of lengths up to 512; every stage accounts for every cycle.
@Suite struct AnyLengthAnyStagesTests {
    static let bimConfigs = Shipped.configs.filter {
        !((try? String(contentsOfFile: Paths.repo($0), encoding: .utf8)) ?? "").contains("\n  systolic_array:")
    }

    @Test(arguments: 0..<8)
    func randomLengthsAndStagesRunOnBothKernels(_ seed: Int) throws {
        var rng = SplitMix64(seed: 0x1E46_7417 &+ UInt64(seed))
        func pick(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(rng.next() % UInt64(r.count)) }
        let config = Self.bimConfigs[pick(0...(Self.bimConfigs.count - 1))]
        let stages = pick(1...12)
        // One long sequence at least, and lengths anywhere from 1 to 512.
        let lengths = [pick(257...512)] + (0..<pick(1...2)).map { _ in pick(1...512) }
        let scheduler = ["length-aware", "both", "padded"][seed % 3]

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("any-length-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let lengthFile = dir.appendingPathComponent("lengths.txt").path
        try (lengths.map(String.init).joined(separator: "\n") + "\n").write(toFile: lengthFile, atomically: true, encoding: .utf8)
        let trace = dir.appendingPathComponent("t.trace").path
        let made = try bertsim(["trace", "generate", "--model", "bert-base", "--lengths", lengthFile, "--count", "\(lengths.count)",
                                "--seed", "1", "--batch", "\(lengths.count)", "--output", trace])
        #expect(made.status == 0, "\(made.stderr)")
        var yaml = try String(contentsOfFile: Paths.repo(config), encoding: .utf8)
        #expect(yaml.contains("\nencoder:\n") && !yaml.contains("length_aware:"))
        yaml = yaml.replacingOccurrences(of: "\nencoder:\n", with: "\nencoder:\n  length_aware:\n    pipeline_stages: \(stages)\n")
        let path = dir.appendingPathComponent("c.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)

        let what = "\(config), \(stages) stages, lengths \(lengths), --scheduler \(scheduler)"
        let args = ["simulate", trace, "--config", path, "--format", "json", "--scheduler", scheduler]
        let native = try bertsim(args + ["--kernel", "native"])
        let systemc = try bertsim(args + ["--kernel", "systemc"])
        #expect(native.status == 0, "\(what): \(native.stderr)")
        #expect(systemc.status == 0, "\(what): \(systemc.stderr)")
        #expect(try kernelFree(systemc.stdout) == kernelFree(native.stdout), "\(what)")
        let report = try JSONDecoder().decode(RunReport.self, from: Data(native.stdout.utf8))
        #expect(report.totals.requests == lengths.count && report.totals.tokens == lengths.reduce(0, +), "\(what)")
        if scheduler == "length-aware" { #expect(report.stages.count == stages, "\(what)") }
        for s in report.stages {
            #expect(s.busyCycles + s.bubbles.total == s.elapsedCycles, "\(what): \(s.name)")
        }
    }
}
