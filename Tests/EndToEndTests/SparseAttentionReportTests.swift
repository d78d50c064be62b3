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
        #expect(r.status == 0, "\(r.stderr)")
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

    /// A dense design's report (which must be a whole report: exit 0, stages, cycles) has no
    /// sparse-attention section, stage or line; the same report on the top-k design has them,
    /// so the absence is a property of the design, not of an empty output.
    @Test func denseDesignsNeverMentionSparseAttention() throws {
        func simulate(_ config: String, _ extra: [String] = []) throws -> CommandResult {
            let r = try bertsim(["simulate", "traces/mrpc.trace", "--config", config, "--kernel", "native", "--limit", "1"] + extra)
            #expect(r.status == 0, "\(config): \(r.stderr)")
            return r
        }
        let r = try simulate("hw-configs/default.yaml", ["--format", "json"])
        let report = try json(r.stdout)
        let stages = try #require(report["stages"] as? [[String: Any]]).compactMap { $0["name"] as? String }
        #expect(stages.contains("pe_array") && stages.contains("softmax"), "\(stages)")
        #expect(!stages.contains("estimator") && !stages.contains("selector"), "\(stages)")
        #expect(report["sparse_attention"] == nil)
        #expect((report["totals"] as? [String: Any])?["cycles"] as? Int ?? 0 > 0)
        let text = try simulate("hw-configs/default.yaml")
        #expect(text.stdout.contains("pe_array") && text.stdout.contains("cycles"), "\(text.stdout)")
        #expect(!text.stdout.lowercased().contains("sparse"))
        #expect(!text.stdout.contains("attention mass"))
        // The control: the top-k design on the same request says all of it.
        let sparseJSON = try json(try simulate(Self.topk, ["--format", "json"]).stdout)
        #expect(sparseJSON["sparse_attention"] != nil)
        #expect(try #require(sparseJSON["stages"] as? [[String: Any]]).contains { $0["name"] as? String == "selector" })
        #expect(try simulate(Self.topk).stdout.contains("attention mass kept: "))
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
