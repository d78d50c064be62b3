import BertSimModels

/// A design's measured accuracy (docs/accuracy.md): STS-B-style Spearman × 100 of its outputs
/// and of the FP32 reference on the same pairs, and how close its sentence embeddings stay to
/// FP32's.
public struct AccuracyResult: Sendable, Equatable, Codable {
    public var variant: ModelVariant
    public var pairs: Int
    /// Distinct sentences embedded.
    public var sentences: Int
    public var fp32Score: Double
    public var designScore: Double
    /// Cosine similarity of each sentence's design embedding to its FP32 embedding.
    public var cosineMean: Double
    public var cosineMin: Double

    public var difference: Double { designScore - fp32Score }

    enum CodingKeys: String, CodingKey {
        case variant, pairs, sentences
        case fp32Score = "fp32_spearman_x100"
        case designScore = "design_spearman_x100"
        case cosineMean = "cosine_to_fp32_mean"
        case cosineMin = "cosine_to_fp32_min"
    }

    public init(variant: ModelVariant, pairs: Int, sentences: Int, fp32Score: Double, designScore: Double, cosineMean: Double,
                cosineMin: Double) {
        self.variant = variant
        self.pairs = pairs
        self.sentences = sentences
        self.fp32Score = fp32Score
        self.designScore = designScore
        self.cosineMean = cosineMean
        self.cosineMin = cosineMin
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(variant, forKey: .variant)
        try c.encode(pairs, forKey: .pairs)
        try c.encode(sentences, forKey: .sentences)
        try c.encode(fp32Score, forKey: .fp32Score)
        try c.encode(designScore, forKey: .designScore)
        try c.encode(cosineMean, forKey: .cosineMean)
        try c.encode(cosineMin, forKey: .cosineMin)
    }
}
