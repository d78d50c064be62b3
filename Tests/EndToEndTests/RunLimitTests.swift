import Foundation
import Testing

/// `--max-cycles` and `--max-seconds` from the command line (docs/robustness.md).
@Suite struct RunLimitTests {
    /// A run cut at a cycle: exit 3, one line on stderr, a partial report on stdout that is
    /// the same on both kernels (the kernel name aside).
    @Test func maxCyclesGivesAPartialReportOnBothKernels() throws {
        var reports: [String] = []
        for kernel in ["systemc", "native"] {
            let r = try bertsim(["simulate", "traces/sst2-batch32.trace", "--config", "hw-configs/default.yaml",
                                 "--kernel", kernel, "--max-cycles", "150000000", "--format", "json"])
            #expect(r.status == 3)
            let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("bertsim: error:") }
            #expect(errors == ["bertsim: error: simulation limit: --max-cycles 150000000 reached at cycle 150000000 with 20 request(s) unfinished; the report above is partial"])
            let report = try json(r.stdout)
            let partial = try #require(report["partial"] as? [String: Any])
            #expect(partial["cycle"] as? Int == 150_000_000)
            #expect(partial["requests_completed"] as? Int == 44)
            #expect((partial["held"] as? [String])?.isEmpty == false)
            let totals = try #require(report["totals"] as? [String: Any])
            #expect(totals["requests"] as? Int == 44)
            reports.append(r.stdout.replacingOccurrences(of: "\"kernel\" : \"\(kernel)\"", with: "\"kernel\" : \"?\""))
        }
        #expect(reports[0] == reports[1])
    }

    /// A limit the run never reaches changes nothing: no `partial` key, exit 0, the same report.
    /// (10^12 cycles is 500 times the run's length; 10^9 s of wall time is 31 years.)
    @Test func anUnreachedLimitChangesNothing() throws {
        let args = ["simulate", "traces/sst2-batch32.trace", "--config", "hw-configs/default.yaml", "--kernel", "native",
                    "--limit", "8", "--format", "json"]
        let plain = try bertsim(args)
        let limited = try bertsim(args + ["--max-cycles", "1000000000000", "--max-seconds", "1000000000"])
        #expect(plain.status == 0 && limited.status == 0)
        #expect(plain.stdout == limited.stdout)
        #expect(!plain.stdout.contains("\"partial\""))
    }

    @Test func badLimitsAreInputErrors() throws {
        for (flag, value) in [("--max-cycles", "0"), ("--max-seconds", "-1"), ("--max-seconds", "nan")] {
            let r = try bertsim(["simulate", "traces/sst2-batch32.trace", "--config", "hw-configs/default.yaml", "\(flag)=\(value)"])
            #expect(r.status == 2)
            #expect(r.stderr.hasPrefix("bertsim: error: \(flag)"))
        }
    }
}
