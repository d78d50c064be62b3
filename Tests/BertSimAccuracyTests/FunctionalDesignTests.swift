import BertSimAccuracy
import BertSimConfig
import BertSimCore
import BertSimModels
import Foundation
import Testing

/// Whole designs on the real model, on a subset of the pairs (the first 80, calibrated on 32
/// sentences): properties that hold only if the datapath computes what it should.
@Suite struct FunctionalDesignTests {
    static let benchResult: Result<STSBenchmark, Error> = Result {
        let pairs = try STSPairs(path: TestModel.repo("data/text/sts-pairs.tsv")).pairs
        let calibration = try SentenceList(path: TestModel.repo("data/text/calibration-sentences.txt")).sentences
        return STSBenchmark(weights: try TestModel.weights(), tokenizer: try TestModel.tokenizer(), pairs: Array(pairs.prefix(80)),
                            calibration: Array(calibration.prefix(32)))
    }

    static func bench() throws -> STSBenchmark { try benchResult.get() }

    /// Results of shipped configs, measured once for the suite.
    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [String: AccuracyResult] = [:]
        func get(_ path: String) throws -> AccuracyResult {
            if let r = lock.withLock({ results[path] }) { return r }
            let r = try FunctionalDesignTests.bench().measure(FunctionalDesignTests.config(path))
            lock.withLock { results[path] = r }
            return r
        }
    }

    static let results = Results()

    static func config(_ path: String) throws -> EncoderConfig {
        guard case .encoder(let e) = try ConfigLoader.load(path: TestModel.repo(path)).config.design else {
            throw InputError(file: path, "not an encoder design")
        }
        return e
    }

    /// Sixteen bits everywhere (48-bit accumulators) is within half a point of FP32 and its
    /// embeddings point the same way.
    @Test func w16a16IsWithinHalfAPointOfFP32() throws {
        let bench = try Self.bench()
        let r = try bench.measure(Self.config("data/accuracy/configs/zcu102-fqbert-n8m16-w16a16.yaml"))
        #expect(r.variant.quantization == "w16a16-b48-s16-sm16-ln16")
        #expect(abs(r.difference) < 0.5, "FP32 \(r.fp32Score), W16/A16 \(r.designScore)")
        #expect(r.cosineMean > 0.99 && r.cosineMin > 0.95, "cosine mean \(r.cosineMean), min \(r.cosineMin)")
        #expect(bench.fp32Score > 70 && bench.fp32Score < 95)
    }

    /// At W4 the per-tensor scale is set by a few outliers (FFN down reaches 175 standard
    /// deviations), so most weights round to zero; a scale per output channel keeps them.
    @Test func perChannelWeightScalesBeatPerTensorAtFourBits() throws {
        let bench = try Self.bench()
        var config = try Self.config("hw-configs/zcu102-fqbert-n8m16.yaml")
        let perTensor = try Self.results.get("hw-configs/zcu102-fqbert-n8m16.yaml")
        config.precision.weightScales = .perChannel
        let perChannel = try bench.measure(config)
        #expect(perChannel.variant.quantization == "w4a8-pc")
        #expect(perChannel.cosineMean > perTensor.cosineMean + 0.2, "\(perChannel.cosineMean) vs \(perTensor.cosineMean)")
        #expect(perChannel.designScore > perTensor.designScore)
    }

    /// Keeping fewer keys per query never helps: on the W16/A16 datapath, dense, then top 8, 4, 1.
    @Test func accuracyFallsMonotonicallyAsKShrinks() throws {
        let bench = try Self.bench()
        var config = try Self.config("data/accuracy/configs/zcu102-fqbert-n8m16-w16a16.yaml")
        var scores: [Double] = [], cosines: [Double] = []
        for k in [nil, 8, 4, 1] as [Int?] {
            config.sparse = k.map { SparseAttention(keys: .fixed($0), lutLanes: 2048) }
            let r = try bench.measure(config)
            #expect(r.variant.attention == (k.map { "top\($0)" } ?? "dense"))
            scores.append(r.designScore)
            cosines.append(r.cosineMean)
        }
        for i in 1..<scores.count {
            #expect(scores[i] <= scores[i - 1], "Spearman × 100 by k (dense, 8, 4, 1): \(scores)")
            #expect(cosines[i] < cosines[i - 1], "cosine to FP32 by k: \(cosines)")
        }
        #expect(scores.first! - scores.last! > 5)
    }

    /// Magnitude pruning without retraining: unstructured masks keep the largest weights, the
    /// hierarchical pattern (bank-balanced, built for retraining) keeps far less of them.
    @Test func pruningWithoutRetraining() throws {
        let dense = try Self.results.get("hw-configs/zcu102-fqbert-n8m16.yaml")
        let hp75 = try Self.results.get("hw-configs/zcu102-fqbert-n8m16-hp75.yaml")
        let unstructured = try Self.results.get("hw-configs/zcu102-fqbert-n8m16-unstructured75.yaml")
        #expect(hp75.variant.pruning == "hierarchical75-t8x128-d50" && unstructured.variant.pruning == "unstructured75")
        #expect(unstructured.cosineMean > hp75.cosineMean, "unstructured \(unstructured.cosineMean), hp75 \(hp75.cosineMean)")
        #expect(dense.cosineMean > hp75.cosineMean, "dense \(dense.cosineMean), hp75 \(hp75.cosineMean)")
    }

    /// The same config gives the same result, to the bit, on a rerun; two configs of one variant
    /// compute the same outputs and share a row of the table.
    @Test func rerunsAndSameVariantsAreIdentical() throws {
        let bench = try Self.bench()
        let a = try bench.measure(Self.config("hw-configs/default.yaml"))
        let b = try bench.measure(Self.config("hw-configs/default.yaml"))
        let other = try Self.results.get("hw-configs/zcu102-fqbert-n8m16.yaml")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(a) == encoder.encode(b))
        #expect(a == other)
        let table = try MeasuredAccuracyTable(model: "minilm-l6", fp32: bench.fp32Score, pairs: 120, pairsPath: "p.tsv",
                                              results: [("a.yaml", a), ("b.yaml", other)])
        #expect(table.rows.count == 1 && table.rows[0].configs == ["a.yaml", "b.yaml"])
        var shifted = other
        shifted.designScore += 0.01
        #expect(throws: MeasuredAccuracyTable.Conflict.self) {
            try MeasuredAccuracyTable(model: "minilm-l6", fp32: 1, pairs: 1, pairsPath: "p", results: [("a.yaml", a), ("c.yaml", shifted)])
        }
    }
}
