import BertSimModels

/// The accuracy table `bertsim accuracy --configs DIR --output FILE.csv` writes, in `select`'s
/// five-column form (docs/selection.md, docs/accuracy.md): comment lines saying what was
/// measured, the header `model,quantization,pruning,attention,accuracy`, a row for FP32 and one
/// per model variant (configs with the same variant compute the same outputs and share a row).
public struct MeasuredAccuracyTable: Sendable, Equatable {
    /// One variant's row and the configs that measured it.
    public struct Row: Sendable, Equatable {
        public var variant: ModelVariant
        public var accuracy: Double
        /// Cosine of the design's sentence embeddings to FP32's: mean and minimum.
        public var cosineMean: Double
        public var cosineMin: Double
        public var configs: [String]
    }

    /// Two configs of one variant that measured different accuracies: the variant's name misses
    /// a setting that changes the output.
    public struct Conflict: Error, Sendable, CustomStringConvertible {
        public var variant: ModelVariant
        public var first: (path: String, accuracy: Double)
        public var second: (path: String, accuracy: Double)
        public var description: String {
            "\(first.path) and \(second.path) are both \(variant) but measure \(first.accuracy) and \(second.accuracy): "
                + "the variant name misses a setting that changes what the design computes"
        }
    }

    public static let header = "model,quantization,pruning,attention,accuracy"

    public var model: String
    public var fp32: Double
    public var pairs: Int
    public var pairsPath: String
    public var rows: [Row]

    /// Groups `results` (config path, result; in path order) by variant; throws when two
    /// configs of one variant disagree.
    public init(model: String, fp32: Double, pairs: Int, pairsPath: String, results: [(path: String, result: AccuracyResult)]) throws(Conflict) {
        self.model = model
        self.fp32 = fp32
        self.pairs = pairs
        self.pairsPath = pairsPath
        var rows: [Row] = []
        for (path, result) in results {
            if let i = rows.firstIndex(where: { $0.variant == result.variant }) {
                guard rows[i].accuracy == result.designScore else {
                    throw Conflict(variant: result.variant, first: (rows[i].configs[0], rows[i].accuracy), second: (path, result.designScore))
                }
                rows[i].configs.append(path)
            } else {
                rows.append(Row(variant: result.variant, accuracy: result.designScore, cosineMean: result.cosineMean,
                                cosineMin: result.cosineMin, configs: [path]))
            }
        }
        self.rows = rows.sorted { ($0.variant.quantization, $0.variant.pruning, $0.variant.attention)
            < ($1.variant.quantization, $1.variant.pruning, $1.variant.attention) }
    }

    /// Two decimals.
    public static func format(_ x: Double) -> String {
        let r = (x * 100).rounded() / 100
        let whole = Int(r.magnitude), cents = Int((r.magnitude * 100).rounded()) % 100
        return (r < 0 ? "-" : "") + "\(whole)." + (cents < 10 ? "0" : "") + "\(cents)"
    }

    /// Four decimals (cosines, in 0…1).
    static func format4(_ x: Double) -> String {
        let r = Int((x * 10000).rounded())
        let digits = String(abs(r) % 10000)
        return (r < 0 ? "-" : "") + "\(abs(r) / 10000)." + String(repeating: "0", count: 4 - digits.count) + digits
    }

    /// The CSV text.
    public func render() -> String {
        var s = """
            # Accuracy measured by `bertsim accuracy` (docs/accuracy.md), not copied from a paper.
            # Task: STS-B-style sentence similarity, \(pairs) pairs of \(pairsPath) (STS benchmark pairs, human scores 0-5).
            # Metric: Spearman correlation x 100 between the cosine similarity of the two sentences' mean-pooled
            # embeddings and the human scores. Model: all-MiniLM-L6-v2 (\(model)), not the BERT-base of FQ-BERT's table.
            # Each design runs its bit-accurate integer datapath; pruned variants are measured WITHOUT retraining
            # (magnitude masks within the pattern, or the config's mask file), so they show the loss retraining must recover.

            """
        s += "# Per variant: cosine of its sentence embeddings to FP32's (mean, min), then the configs that measured it.\n"
        for row in rows {
            let cosine = "cosine \(Self.format4(row.cosineMean)) min \(Self.format4(row.cosineMin))"
            s += "# \(row.variant.quantization),\(row.variant.pruning),\(row.variant.attention): \(cosine); \(row.configs.joined(separator: " "))\n"
        }
        s += Self.header + "\n"
        s += "\(model),fp32,dense,dense,\(Self.format(fp32))\n"
        for row in rows {
            s += "\(model),\(row.variant.quantization),\(row.variant.pruning),\(row.variant.attention),\(Self.format(row.accuracy))\n"
        }
        return s
    }
}
