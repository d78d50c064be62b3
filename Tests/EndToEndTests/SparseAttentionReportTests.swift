import Foundation
import Testing

@Suite struct SparseAttentionReportTests {
    static let topk = "hw-configs/zcu102-fqbert-n8m16-topk.yaml"

    /// QNLI and SST-2 on the top-k design: the text report gives the mass kept and the
    /// speedup over dense attention; JSON has the section.
    @Test(arguments: ["traces/qnli.trace", "traces/sst2.trace"])
    func reportsSpeedupAndMassKept(_ trace: String) throws {
        let text = try bertsim(["simulate", trace, "--config", Self.topk, "--kernel", "native", "--limit", "2"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("attention mass kept: "))
        #expect(text.stdout.contains("attention speedup vs dense: "))
        let r = try bertsim(["simulate", trace, "--config", Self.topk, "--kernel", "native", "--limit", "2", "--format", "json"])
        let sparse = try #require(try json(r.stdout)["sparse_attention"] as? [String: Any])
        #expect((sparse["attention_speedup_vs_dense"] as? Double ?? 0) > 1)
        let mass = try #require(sparse["mass_kept"] as? [String: Double])
        #expect(mass["mean"]! > 0 && mass["mean"]! <= 1)
        #expect(try json(r.stdout)["stages"].map { ($0 as! [[String: Any]]).map { $0["name"] as! String } }?.contains("selector") == true)
    }

    /// At fixed k = 32, doubling n doubles the exact phase's MACs per head and quadruples the
    /// estimate's LUT products.
    @Test func exactWorkLinearEstimateQuadraticInTheReport() throws {
        func perHead(_ n: Int) throws -> [String: Double] {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("n\(n)-\(UUID()).trace").path
            try "bertsim-trace 1\nmodel: bert-base\n0 0 \(n)\n".write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let r = try bertsim(["simulate", path, "--config", Self.topk, "--kernel", "native", "--format", "json"])
            #expect(r.status == 0, "\(r.stderr)")
            let sparse = try #require(try json(r.stdout)["sparse_attention"] as? [String: Any])
            return try #require(sparse["per_head"] as? [String: Double])
        }
        let a = try perHead(64), b = try perHead(128)
        #expect(b["exact_macs"] == 2 * a["exact_macs"]!)
        #expect(b["lut_ops"] == 4 * a["lut_ops"]!)
        #expect(b["dense_macs"] == 4 * a["dense_macs"]!)
    }

    @Test func denseDesignsNeverMentionSparseAttention() throws {
        let r = try bertsim(["simulate", "traces/mrpc.trace", "--config", "hw-configs/default.yaml", "--kernel", "native",
                             "--limit", "1", "--format", "json"])
        #expect(!r.stdout.contains("sparse_attention"))
        #expect(!r.stdout.contains("estimator"))
        let text = try bertsim(["simulate", "traces/mrpc.trace", "--config", "hw-configs/default.yaml", "--kernel", "native",
                                "--limit", "1"])
        #expect(!text.stdout.lowercased().contains("sparse"))
        #expect(!text.stdout.contains("attention mass"))
    }

    @Test(arguments: [("topk-zero.yaml", "encoder.sparse_attention.top_k: 0 is out of range"),
                      ("lut-lanes-zero.yaml", "encoder.sparse_attention.lut_lanes: 0 is out of range"),
                      ("negative-fraction.yaml", "encoder.sparse_attention.top_k_fraction: -0.25 is out of range")])
    func badSettingsNameFileLineAndField(_ fixture: String, _ message: String) throws {
        let f = Paths.fixture(fixture)
        let r = try bertsim(["simulate", "traces/sst2.trace", "--config", f, "--kernel", "native", "--limit", "1"])
        #expect(r.status == 2)
        #expect(r.stderr.contains(f + ":"), "\(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }
}
