import BertSimCore
import BertSimModels

/// The accuracy measurement (docs/accuracy.md, "The metric"): the STS-B-style pairs through the
/// FP32 reference once, then through any design; Spearman × 100 between the cosine similarity of
/// each pair's mean-pooled embeddings and the human scores.
///
/// Sentences are tokenized at the model's sentence-transformers maximum (256 tokens) and run
/// once each (a sentence in several pairs is embedded once). Work is spread over all cores
/// sentence by sentence; every reduction runs in pair order, so results are identical on any
/// number of threads.
public struct STSBenchmark: Sendable {
    /// The tokenizer's maximum length for this model (sentence-transformers' `max_seq_length`).
    public static let maxLength = 256

    public let weights: ModelWeights
    public let pairs: [STSPairs.Pair]
    /// The distinct token-id sequences of the scored sentences, and for each pair its two.
    public let sentences: [[Int32]]
    public let pairSentences: [(Int, Int)]
    public let calibration: [[Int32]]
    public let fp32Embeddings: [[Float]]
    /// FP32 Spearman × 100.
    public let fp32Score: Double

    public init(weights: ModelWeights, tokenizer: WordPieceTokenizer, pairs: [STSPairs.Pair], calibration: [String]) {
        self.weights = weights
        self.pairs = pairs
        var index: [[Int32]: Int] = [:]
        var sentences: [[Int32]] = []
        func id(_ text: String) -> Int {
            let ids = tokenizer.encode(text, maxLength: Self.maxLength)
            if let i = index[ids] { return i }
            index[ids] = sentences.count
            sentences.append(ids)
            return sentences.count - 1
        }
        pairSentences = pairs.map { (id($0.first), id($0.second)) }
        self.sentences = sentences
        self.calibration = calibration.map { tokenizer.encode($0, maxLength: Self.maxLength) }
        let encoder = FloatEncoder(weights: weights)
        let all = sentences
        fp32Embeddings = Parallel.map(all.count) { encoder.sentenceEmbedding(all[$0]) }
        fp32Score = Self.score(fp32Embeddings, pairSentences, pairs)
    }

    /// Spearman × 100 of the pairs' cosines against their gold scores.
    static func score(_ embeddings: [[Float]], _ pairSentences: [(Int, Int)], _ pairs: [STSPairs.Pair]) -> Double {
        let cosines = pairSentences.map { Correlation.cosine(embeddings[$0.0], embeddings[$0.1]) }
        return 100 * Correlation.spearman(cosines, pairs.map(\.score))
    }

    /// Builds `config`'s functional design and measures it.
    public func measure(_ config: EncoderConfig) throws(DesignError) -> AccuracyResult {
        let design = try FunctionalDesign(config: config, weights: weights, calibration: calibration)
        return measure(design)
    }

    public func measure(_ design: FunctionalDesign) -> AccuracyResult {
        let encoder = IntegerEncoder(design: design)
        let all = sentences
        let embeddings = Parallel.map(all.count) { encoder.sentenceEmbedding(all[$0]) }
        let cosines = zip(embeddings, fp32Embeddings).map { Correlation.cosine($0, $1) }
        let score = Self.score(embeddings, pairSentences, pairs)
        return AccuracyResult(variant: design.variant, pairs: pairs.count, sentences: sentences.count, fp32Score: fp32Score,
                              designScore: score, cosineMean: cosines.reduce(0, +) / Double(max(1, cosines.count)),
                              cosineMin: cosines.min() ?? 0)
    }
}
