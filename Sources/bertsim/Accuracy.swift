import ArgumentParser
import BertSimAccuracy
import BertSimConfig
import BertSimCore
import BertSimModels
import BertSimReport
import Foundation

/// `bertsim accuracy --config FILE [--pairs N]` and `bertsim accuracy --configs DIR --output
/// FILE.csv`: what a design's bit-accurate datapath scores on a real model and real data
/// (docs/accuracy.md).
struct Accuracy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a design's accuracy: its bit-accurate integer datapath on all-MiniLM-L6-v2 over STS-B-style pairs.",
        discussion: """
            Runs the FP32 reference and the design's functional datapath (quantization at the \
            config's widths, softmax and GELU LUTs, integer LayerNorm, top-k attention, pruned \
            weights) on the sentence pairs and prints Spearman × 100 of both, their difference \
            and the cosine of the design's embeddings to FP32's. With --configs DIR --output \
            FILE.csv, measures every *.yaml in DIR and writes an accuracy table for `select`. \
            The model is MiniLM (all-MiniLM-L6-v2), not BERT-base; pruning is measured without \
            retraining. The model is read from $BERTSIM_MODEL_DIR or the user cache \
            (scripts/install-model.sh).
            """)

    @Option(help: ArgumentHelp("The hardware config (YAML) of one design.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Measure every *.yaml directly in this directory (with --output); repeat for several.", valueName: "dir"))
    var configs: [String] = []

    @Option(help: ArgumentHelp("With --configs: write the accuracy table (CSV, select's format) here.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Score only the first N pairs.", valueName: "N"))
    var pairs: Int?

    @Option(name: .customLong("pairs-file"), help: ArgumentHelp("Sentence pairs with human scores (TSV).", valueName: "file"))
    var pairsFile = "data/text/sts-pairs.tsv"

    @Option(name: .customLong("calibration-file"), help: ArgumentHelp("Sentences the activation scales are calibrated on, disjoint from the pairs.", valueName: "file"))
    var calibrationFile = "data/text/calibration-sentences.txt"

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        switch (config, configs.isEmpty) {
        case (nil, true): throw InputError(file: "--config", "give --config FILE or --configs DIR")
        case (.some, false): throw InputError(file: "--configs", "give --config FILE or --configs DIR, not both")
        default: break
        }
        if !configs.isEmpty && output == nil { throw InputError(file: "--output", "--configs needs --output FILE.csv") }
        if config != nil && output != nil { throw InputError(file: "--output", "--output goes with --configs DIR") }
        if let pairs, pairs < 2 { throw InputError(file: "--pairs", "must be at least 2, not \(pairs)") }
    }

    func run() throws {
        let started = Date()
        // Check every config before the expensive part.
        var loaded: [ConfigLoader.Loaded] = []
        for path in try configPaths() {
            let l = try ConfigLoader.load(path: path)
            guard case .encoder = l.config.design else {
                throw InputError(file: path, field: "design", "'pipeline' has no datapath to measure; accuracy needs an encoder design")
            }
            loaded.append(l)
        }
        let all = try STSPairs(path: pairsFile)
        if let pairs, pairs > all.pairs.count {
            throw InputError(file: "--pairs", "\(pairs) is more than the \(all.pairs.count) pairs of \(pairsFile)")
        }
        let calibration = try SentenceList(path: calibrationFile)
        let directory = ModelDirectory.standard()
        let weights = try ModelWeights(directory: directory)
        let tokenizer = try WordPieceTokenizer(vocabularyPath: directory.vocabulary)
        let fp32Start = Date(), fp32CPU = Self.cpuSeconds()
        let bench = STSBenchmark(weights: weights, tokenizer: tokenizer, pairs: Array(all.pairs.prefix(pairs ?? all.pairs.count)),
                                 calibration: calibration.sentences)
        FileHandle.standardError.write(Data(String(format: "bertsim: model loaded, %d sentences through the FP32 reference in %.1f s (%.1f s of CPU)\n",
                                                   bench.sentences.count, Date().timeIntervalSince(fp32Start), Self.cpuSeconds() - fp32CPU).utf8))
        var results: [(path: String, result: AccuracyResult)] = []
        for l in loaded {
            guard case .encoder(let e) = l.config.design else { continue }
            let result: AccuracyResult
            let t0 = Date()
            let design: FunctionalDesign
            do {
                design = try FunctionalDesign(config: e, weights: weights, calibration: bench.calibration)
            } catch {
                throw l.error(error)
            }
            let t1 = Date(), cpu = Self.cpuSeconds()
            result = bench.measure(design)
            FileHandle.standardError.write(Data(String(format: "bertsim: %@: design built and calibrated in %.1f s, %d sentences through its datapath in %.1f s (%.1f s of CPU)\n",
                                                       l.path, t1.timeIntervalSince(t0), bench.sentences.count, Date().timeIntervalSince(t1),
                                                       Self.cpuSeconds() - cpu).utf8))
            results.append((l.path, result))
            if !configs.isEmpty {
                FileHandle.standardError.write(Data(String(format: "bertsim: %@: %@ (%@), cosine to FP32 mean %.4f min %.4f\n", l.path,
                                                           MeasuredAccuracyTable.format(result.designScore), result.variant.description,
                                                           result.cosineMean, result.cosineMin).utf8))
            }
        }
        if let output {
            let table: MeasuredAccuracyTable
            do {
                table = try MeasuredAccuracyTable(model: weights.spec.name, fp32: bench.fp32Score, pairs: bench.pairs.count,
                                                  pairsPath: pairsFile, results: results)
            } catch {
                fail(error.description)
                throw ExitCode(1)
            }
            try AtomicFile.write(table.render(), to: output)
            writeStandardOutput(table.render())
        } else if let (path, result) = results.first {
            switch format {
            case .text: writeStandardOutput(Self.text(path: path, result: result, pairsPath: pairsFile, model: weights.spec.name))
            case .json: writeStandardOutput(try Self.json(path: path, result: result, pairsPath: pairsFile))
            }
        }
        FileHandle.standardError.write(Data(String(format: "bertsim: %.1f s wall\n", Date().timeIntervalSince(started)).utf8))
    }

    /// The configs to measure: --config, or every *.yaml directly in each --configs directory,
    /// in name order.
    func configPaths() throws(InputError) -> [String] {
        if let config { return [config] }
        var paths: [String] = []
        for dir in configs {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue,
                  let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
                throw InputError(file: dir, "not a directory")
            }
            let yaml = names.filter { $0.hasSuffix(".yaml") }.sorted()
            guard !yaml.isEmpty else { throw InputError(file: dir, "no *.yaml configs in it") }
            paths += yaml.map { (dir as NSString).appendingPathComponent($0) }
        }
        return paths
    }

    /// CPU time of this process so far (all threads), for the stderr timing lines.
    static func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func two(_ x: Double) -> String { MeasuredAccuracyTable.format(x) }

    static func text(path: String, result r: AccuracyResult, pairsPath: String, model: String) -> String {
        var s = """
            design: \(path)
            variant: \(r.variant.quantization), pruning \(r.variant.pruning), attention \(r.variant.attention)
            task: STS-B-style sentence similarity, \(r.pairs) pairs of \(pairsPath) (\(r.sentences) distinct sentences)
            metric: Spearman × 100 between the cosine similarity of mean-pooled sentence embeddings and the human scores
            model: all-MiniLM-L6-v2 (\(model)), not the BERT-base of FQ-BERT's published table
            FP32 Spearman × 100:   \(two(r.fp32Score))
            design Spearman × 100: \(two(r.designScore))
            difference:            \(r.difference >= 0 ? "+" : "")\(two(r.difference))
            cosine to FP32 embeddings: mean \(String(format: "%.4f", r.cosineMean)), min \(String(format: "%.4f", r.cosineMin))
            """ + "\n"
        if r.variant.pruning != "dense" {
            s += "note: pruned weights are measured without retraining (magnitude masks or the config's mask file)\n"
        }
        return s
    }

    static func json(path: String, result: AccuracyResult, pairsPath: String) throws -> String {
        struct Report: Encodable {
            var config: String
            var pairsFile: String
            var model: String
            var task: String
            var metric: String
            var notes: [String]
            var result: AccuracyResult
            var difference: Double
            enum CodingKeys: String, CodingKey {
                case config, model, task, metric, notes, result, difference
                case pairsFile = "pairs_file"
            }
        }
        var notes = ["the model is MiniLM (all-MiniLM-L6-v2), not the BERT-base of FQ-BERT's published table"]
        if result.variant.pruning != "dense" { notes.append("pruned weights are measured without retraining") }
        let report = Report(config: path, pairsFile: pairsPath, model: "all-MiniLM-L6-v2", task: "STS-B-style sentence similarity",
                            metric: "Spearman x 100 of cosine similarity of mean-pooled embeddings vs human scores", notes: notes,
                            result: result, difference: result.difference)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }
}
