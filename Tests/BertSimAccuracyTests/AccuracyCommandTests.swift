import BertSimAccuracy
import BertSimCore
import Foundation
import Testing

/// `bertsim accuracy` end to end: the built binary, its output, its exit statuses.
@Suite struct AccuracyCommandTests {
    /// The `bertsim` executable next to the test bundle, or `$BERTSIM_BIN`.
    static let binary: URL = {
        if let env = ProcessInfo.processInfo.environment["BERTSIM_BIN"] { return URL(fileURLWithPath: env) }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("bertsim").path) && dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("bertsim")
    }()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let p = Process()
        p.executableURL = binary
        p.arguments = arguments
        p.currentDirectoryURL = TestModel.root
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func calibrationFile() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bertsim-accuracy-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("calibration.txt").path
        let sentences = try SentenceList(path: TestModel.repo("data/text/calibration-sentences.txt")).sentences.prefix(16)
        try (sentences.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Text and JSON for one config; a rerun prints the same bytes.
    @Test func oneConfigTextJSONAndRerun() throws {
        _ = try TestModel.weights()
        let calibration = try Self.calibrationFile()
        let args = ["accuracy", "--config", "hw-configs/zcu102-fqbert-n8m16-hp75.yaml", "--pairs", "24", "--calibration-file", calibration]
        let first = try Self.run(args), second = try Self.run(args)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == second.stdout)
        for line in ["variant: w4a8, pruning hierarchical75-t8x128-d50, attention dense", "24 pairs of data/text/sts-pairs.tsv",
                     "FP32 Spearman × 100:", "design Spearman × 100:", "difference:", "cosine to FP32 embeddings: mean",
                     "not the BERT-base of FQ-BERT's published table", "without retraining"] {
            #expect(first.stdout.contains(line), "missing '\(line)' in:\n\(first.stdout)")
        }
        let json = try Self.run(args + ["--format", "json"])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let result = object?["result"] as? [String: Any]
        #expect(result?["pairs"] as? Int == 24)
        #expect((result?["variant"] as? [String: Any])?["pruning"] as? String == "hierarchical75-t8x128-d50")
        #expect(result?["design_spearman_x100"] is Double && result?["cosine_to_fp32_min"] is Double)
        #expect((object?["notes"] as? [String])?.contains { $0.contains("without retraining") } == true)
    }

    /// A directory of configs: one row per variant (two configs of one variant share it), FP32
    /// first, in select's five-column form.
    @Test func aDirectoryOfConfigsMakesATable() throws {
        _ = try TestModel.weights()
        let calibration = try Self.calibrationFile()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bertsim-accuracy-configs-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in ["default", "zcu102-fqbert-n16m8", "zcu102-fqbert-n8m16-topk"] {
            try FileManager.default.copyItem(atPath: TestModel.repo("hw-configs/\(name).yaml"), toPath: dir.appendingPathComponent("\(name).yaml").path)
        }
        let output = dir.appendingPathComponent("table.csv").path
        let r = try Self.run(["accuracy", "--configs", dir.path, "--output", output, "--pairs", "16", "--calibration-file", calibration])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: output, encoding: .utf8)
        let rows = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(rows.count == 4)
        #expect(rows.first == "model,quantization,pruning,attention,accuracy")
        #expect(rows[1].hasPrefix("minilm-l6,fp32,dense,dense,"))
        #expect(rows[2].hasPrefix("minilm-l6,w4a8,dense,dense,") && rows[3].hasPrefix("minilm-l6,w4a8,dense,top32,"))
        for phrase in ["STS-B-style", "Spearman", "all-MiniLM-L6-v2", "WITHOUT retraining"] { #expect(text.contains(phrase)) }
        #expect(text.contains("default.yaml") && text.contains("zcu102-fqbert-n16m8.yaml"))
    }

    /// Without the model: one line saying how to install it, exit status 2.
    @Test func aMissingModelSaysHowToInstallIt() throws {
        let r = try Self.run(["accuracy", "--config", "hw-configs/default.yaml", "--pairs", "4"],
                             environment: ["BERTSIM_MODEL_DIR": "/nonexistent/bertsim-model"])
        #expect(r.status == 2)
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(r.stderr.contains("/nonexistent/bertsim-model/model.safetensors") && r.stderr.contains("scripts/install-model.sh"))
    }

    @Test(arguments: [
        (["accuracy"], "--config: give --config FILE or --configs DIR"),
        (["accuracy", "--configs", "hw-configs"], "--output: --configs needs --output FILE.csv"),
        (["accuracy", "--config", "hw-configs/default.yaml", "--pairs", "1"], "--pairs: must be at least 2"),
        (["accuracy", "--config", "hw-configs/default.yaml", "--pairs", "99999"], "--pairs: 99999 is more than the 1500 pairs"),
        (["accuracy", "--config", "no-such.yaml"], "no-such.yaml: no such file"),
    ])
    func badInputIsOneLineAndExitTwo(_ arguments: [String], _ message: String) throws {
        let r = try Self.run(arguments)
        #expect(r.status == 2)
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }
}
