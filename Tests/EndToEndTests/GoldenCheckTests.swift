@testable import BertSim
@testable import BertSimStudies
import BertSimReport
import Foundation
import Testing

/// `bertsim check` against the golden reports in Tests/golden/ (docs/sweeps.md, "Golden
/// reports"): every shipped config matches its golden, and a changed timing constant fails the
/// check with the moved metrics listed.
@Suite struct GoldenCheckTests {
    static let trace = "Tests/golden/sst2-64.trace"

    static func golden(_ config: String) -> String {
        "Tests/golden/" + URL(fileURLWithPath: config).deletingPathExtension().lastPathComponent + ".json"
    }

    /// Every shipped config has a golden report, and every golden report a shipped config.
    @Test func everyShippedConfigHasAGolden() {
        let goldens = Shipped.files("Tests/golden", ".json")
        #expect(goldens == Shipped.configs.map(Self.golden).sorted())
    }

    /// The regression check `make test` runs: `check` on every shipped config (SystemC kernel).
    @Test(arguments: Shipped.configs)
    func shippedConfigMatchesItsGolden(config: String) throws {
        let r = try bertsim(["check", Self.trace, "--config", config, "--golden", Self.golden(config)])
        #expect(r.status == 0, "\(config) moved from its golden; after an intended change run `make golden`:\n\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("matches"), "\(r.stdout)")
    }

    /// The scenarios beyond one per config (Tests/golden/scenarios.txt): the length-aware
    /// scheduler, both schedulers side by side, open arrivals, `--pad-to`.
    static let scenarios: [[String]] = {
        let text = (try? String(contentsOfFile: Paths.repo("Tests/golden/scenarios.txt"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }.filter { $0.count >= 3 }
    }()

    @Test func scenariosCoverTheSchedulersArrivalsAndPadding() {
        let flags = Self.scenarios.map { $0.dropFirst(3).joined(separator: " ") }
        #expect(flags.contains { $0.contains("--scheduler length-aware") })
        #expect(flags.contains { $0.contains("--scheduler both") })
        #expect(flags.contains { $0.contains("--pad-to") })
        #expect(Self.scenarios.contains { $0[1].contains("-rate") })
        let files = Shipped.files("Tests/golden/scenarios", ".json")
        #expect(files == Self.scenarios.map { "Tests/golden/scenarios/\($0[0]).json" }.sorted())
    }

    @Test(arguments: scenarios)
    func scenarioMatchesItsGolden(_ scenario: [String]) throws {
        let golden = "Tests/golden/scenarios/\(scenario[0]).json"
        let r = try bertsim(["check", scenario[1], "--config", scenario[2]] + scenario.dropFirst(3) + ["--golden", golden])
        #expect(r.status == 0, "\(scenario[0]) moved from its golden; after an intended change run `make golden`:\n\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("matches"), "\(r.stdout)")
    }

    /// One timing constant changed (the multiplier latency, 1 -> 2 cycles) in a copy of the
    /// default config: check exits 1 and lists, among others, the cycle count, the latencies
    /// and the stages that moved, and the changed parameter itself.
    @Test func changedLatencyFailsListingTheMovedMetrics() throws {
        let base = try String(contentsOfFile: Paths.repo("hw-configs/default.yaml"), encoding: .utf8)
        let changed = base.replacingOccurrences(of: "multiplier_latency_cycles: 1", with: "multiplier_latency_cycles: 2")
        #expect(changed != base)
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("golden-\(UUID().uuidString).yaml")
        try Data(changed.utf8).write(to: config)
        defer { try? FileManager.default.removeItem(at: config) }
        let r = try bertsim(["check", Self.trace, "--config", config.path, "--golden", Self.golden("default.yaml")])
        #expect(r.status == 1, "\(r.stderr)")
        let moved = r.stdout.split(separator: "\n").map { String($0.prefix { $0 != ":" }) }
        for metric in ["totals.cycles", "totals.latency_ms", "totals.throughput_per_s", "latency.p99_ms",
                       "stages[pe_array].elapsed_cycles", "stages[pe_array].bubbles.dependency",
                       "config.resolved.encoder.pe_array.multiplier_latency_cycles"] {
            #expect(moved.contains(metric), "\(metric) not listed in:\n\(r.stdout)")
        }
        #expect(r.stdout.contains("totals.cycles: 220317527 -> "), "\(r.stdout)")
        #expect(r.stdout.contains("multiplier_latency_cycles: 1 -> 2"), "\(r.stdout)")
        // Unmoved metrics are not listed.
        #expect(!moved.contains("totals.requests") && !moved.contains("stages[pe_array].busy_cycles"), "\(r.stdout)")
        #expect(r.stderr.contains("make golden"), "\(r.stderr)")
    }

    /// `--record` writes what `simulate --format json` prints, and check then passes on it.
    @Test func recordWritesTheReportCheckAccepts() throws {
        let golden = FileManager.default.temporaryDirectory.appendingPathComponent("golden-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: golden) }
        let config = "hw-configs/zcu111-fqbert-n16m16.yaml"
        let recorded = try bertsim(["check", Self.trace, "--config", config, "--golden", golden.path, "--record", "--limit", "32"])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let simulated = try bertsim(["simulate", Self.trace, "--config", config, "--format", "json", "--limit", "32"])
        #expect(simulated.status == 0, "\(simulated.stderr)")
        #expect(String(decoding: try Data(contentsOf: golden), as: UTF8.self) == simulated.stdout)
        let checked = try bertsim(["check", Self.trace, "--config", config, "--golden", golden.path, "--limit", "32",
                                   "--kernel", "native"])
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
        // A different --limit is a different workload: the request count moves.
        let other = try bertsim(["check", Self.trace, "--config", config, "--golden", golden.path, "--limit", "16"])
        #expect(other.status == 1)
        #expect(other.stdout.contains("workload.requests: 32 -> 16"), "\(other.stdout)")
    }

    @Test func missingOrMalformedGoldenIsBadInput() throws {
        let missing = try bertsim(["check", Self.trace, "--config", "hw-configs/default.yaml", "--golden", "Tests/golden/none.json"])
        #expect(missing.status == 2 && missing.stderr.contains("Tests/golden/none.json: no such file"), "\(missing.stderr)")
        let notAReport = try bertsim(["check", Self.trace, "--config", "hw-configs/default.yaml", "--golden", "Package.swift"])
        #expect(notAReport.status == 2 && notAReport.stderr.contains("Package.swift: not a JSON report"), "\(notAReport.stderr)")
    }

    /// Integers exactly; other numbers within a relative 1e-9.
    @Test func tolerance() {
        #expect(GoldenCheck.equal(36.594528, 36.594528 * (1 + 1e-12)))
        #expect(!GoldenCheck.equal(36.594528, 36.594528 * (1 + 1e-6)))
        #expect(!GoldenCheck.equal(7831229, 7831230))
        let a = JSONValue.object(["totals": .object(["cycles": .number(10), "latency_ms": .number(0.5)]),
                                  "stages": .array([.object(["name": .string("pe_array"), "busy_cycles": .number(4)])])])
        let b = JSONValue.object(["totals": .object(["cycles": .number(11), "latency_ms": .number(0.5 + 1e-13)]),
                                  "stages": .array([.object(["name": .string("pe_array"), "busy_cycles": .number(5)])])])
        #expect(GoldenCheck.changes(golden: a, current: b).map(\.path) == ["totals.cycles", "stages[pe_array].busy_cycles"])
    }
}
