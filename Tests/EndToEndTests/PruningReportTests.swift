import Foundation
import Testing

/// `bertsim simulate` with pruned weights (docs/pruning.md): the `pruning` section, and bad
/// settings that exit 2 naming file:line:field on one line.
@Suite struct PruningReportTests {
    func json(_ config: String, kernel: String = "native") throws -> [String: Any] {
        let r = try bertsim(["simulate", "traces/mrpc.trace", "--config", config, "--kernel", kernel, "--limit", "2",
                             "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    }

    @Test func hierarchicalHasNoConflictsUnstructuredDoes() throws {
        let hp = try #require(try json("hw-configs/zcu102-fqbert-n8m16-hp75.yaml")["pruning"] as? [String: Any])
        #expect(hp["bank_conflict_stalls"] as? Int == 0)
        #expect((hp["weight_byte_ratio"] as! Double) < 0.75)
        #expect((hp["speedup_vs_dense"] as! Double) > 1)
        let matrices = hp["matrices"] as! [[String: Any]]
        #expect(matrices.map { $0["matrix"] as! String } == ["q", "k", "v", "out", "ffn_up", "ffn_down"])
        #expect(matrices.allSatisfy { abs(($0["density"] as! Double) - 0.25) < 1e-9 })
        let un = try #require(try json("hw-configs/zcu102-fqbert-n8m16-unstructured75.yaml")["pruning"] as? [String: Any])
        #expect((un["bank_conflict_stalls"] as! Int) > 0)
        #expect(try json("hw-configs/zcu102-fqbert-n8m16.yaml")["pruning"] == nil)
    }

    @Test func bothKernelsAgreeOnThePruningSection() throws {
        let native = try json("hw-configs/zcu102-fqbert-n8m16-hp50.yaml", kernel: "native")
        let systemc = try json("hw-configs/zcu102-fqbert-n8m16-hp50.yaml", kernel: "systemc")
        #expect(NSDictionary(dictionary: native["pruning"] as! [String: Any]) == NSDictionary(dictionary: systemc["pruning"] as! [String: Any]))
        #expect(NSDictionary(dictionary: native["totals"] as! [String: Any]) == NSDictionary(dictionary: systemc["totals"] as! [String: Any]))
    }

    @Test(arguments: [
        ("prune-ratio-one.yaml", "ratio: 1.0", "encoder.pruning.ratio: 1.0 is outside [0, 1)"),
        ("prune-tiles-not-dividing.yaml", "tile_cols: 100", "encoder.pruning.tile_cols: tiles of 8 × 100 do not divide the 768 × 768 q matrix"),
        ("prune-lanes-over-banks.yaml", "banks: 64", "encoder.pruning.banks: 96 lanes > 64 banks"),
    ])
    func badSettingsNameFileLineAndField(_ fixture: String, _ key: String, _ message: String) throws {
        let f = Paths.fixture(fixture)
        let line = try String(contentsOfFile: f, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.contains(key) }! + 1
        let r = try bertsim(["simulate", "traces/sst2.trace", "--config", f, "--kernel", "native", "--limit", "1"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(f):\(line): \(message)"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func compareShowsWeightBytesAndStallsWhenAConfigIsPruned() throws {
        let r = try bertsim(["compare", "traces/mrpc.trace", "--config", "hw-configs/zcu102-fqbert-n8m16.yaml",
                             "--config", "hw-configs/zcu102-fqbert-n8m16-unstructured75.yaml", "--kernel", "native", "--limit", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("weight bytes") && r.stdout.contains("bank-conflict stalls"))
        let dense = try bertsim(["compare", "traces/mrpc.trace", "--config", "hw-configs/zcu102-fqbert-n8m16.yaml",
                                 "--config", "hw-configs/zcu102-fqbert-n16m8.yaml", "--kernel", "native", "--limit", "1"])
        // A whole table (exit 0, both configs, the cycles row) without the pruning rows.
        #expect(dense.status == 0, "\(dense.stderr)")
        let header = try #require(dense.stdout.split(separator: "\n").first { $0.hasPrefix("metric") }, "\(dense.stdout)")
        #expect(header.contains("zcu102-fqbert-n8m16") && header.contains("zcu102-fqbert-n16m8"), "\(header)")
        #expect(dense.stdout.split(separator: "\n").contains { $0.hasPrefix("cycles ") }, "\(dense.stdout)")
        #expect(!dense.stdout.contains("bank-conflict stalls"))
        #expect(!dense.stdout.contains("weight bytes"))
    }

    @Test func malformedMaskFileNamesItsLine() throws {
        let r = try bertsim(["simulate", "traces/sst2.trace", "--config", Paths.fixture("prune-bad-mask.yaml"), "--kernel", "native"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("prune-bad.masks:4: q.row[1]: '900' is not a column in 0..<768"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }
}
