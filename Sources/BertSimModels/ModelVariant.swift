import BertSimCore

/// Everything in a design that changes what the model computes, and so its accuracy: the
/// model, the datapath's quantization, the pruning of its weights and the sparsity of its
/// attention, each as a canonical name (docs/selection.md, "Model variants").
///
/// Two designs with the same variant compute the same outputs; a design whose variant is not
/// in an accuracy table has no known accuracy (it is never credited with another variant's).
///
/// - quantization: `w<weight bits>a<activation bits>`, then a suffix for each width that is
///   not FQ-BERT's (`-b<bias bits>` unless 32, `-s<scale bits>` unless 8, `-sm<softmax bits>`
///   unless 8, `-ln<LayerNorm parameter bits>` unless 8), then `-pc` when weights have a scale
///   per output channel. `fp32` and `fp16` name unquantized models (tables only).
/// - pruning: `dense`; `hierarchical<percent>-t<tile rows>x<tile cols>-d<tile percent>`;
///   `unstructured<percent>`; `block<b>-<percent>`; `nm<n>-<m>`; with ratios that differ by
///   matrix class, `-q<p>-k<p>-v<p>-out<p>-up<p>-down<p>` in place of the single percent; masks
///   from a file: `maskfile-<FNV-1a 64 of the file>`. Percent is the share of weights removed.
/// - attention: `dense`; `top<k>` for a fixed k; `topfrac<f>-min<m>` for a fraction of n.
public struct ModelVariant: Hashable, Sendable, Codable, CustomStringConvertible {
    public var model: String
    public var quantization: String
    public var pruning: String
    public var attention: String

    public init(model: String, quantization: String, pruning: String = "dense", attention: String = "dense") {
        self.model = model
        self.quantization = quantization
        self.pruning = pruning
        self.attention = attention
    }

    /// The variant a design computes when it runs `model`.
    public init(model: String, config: EncoderConfig) {
        self.init(model: model, quantization: Self.quantization(config.precision,
                                                                perChannelWeights: config.precision.weightScales == .perChannel),
                  pruning: config.pruning.map(Self.pruning) ?? "dense",
                  attention: config.sparse.map { Self.attention($0.keys) } ?? "dense")
    }

    public var description: String { "\(model), \(quantization), \(pruning), attention \(attention)" }

    /// The quantization name of a datapath (FQ-BERT's W4/A8 with int32 biases: `w4a8`).
    public static func quantization(_ p: EncoderConfig.Precision, perChannelWeights: Bool) -> String {
        var name = "w\(p.weightBits)a\(p.activationBits)"
        if p.biasBits != 32 { name += "-b\(p.biasBits)" }
        if p.scaleBits != 8 { name += "-s\(p.scaleBits)" }
        if p.softmaxBits != 8 { name += "-sm\(p.softmaxBits)" }
        if p.layerNormParameterBits != 8 { name += "-ln\(p.layerNormParameterBits)" }
        if perChannelWeights { name += "-pc" }
        return name
    }

    /// The pruning name of a design's weights.
    public static func pruning(_ p: Pruning) -> String {
        if case .file(_, let fingerprint, _) = p.source { return "maskfile-\(fingerprint)" }
        let ratios = p.ratios.map(percent)
        let uniform = Set(ratios).count <= 1
        let amount = uniform ? (ratios.first ?? "0")
            : "-" + zip(["q", "k", "v", "out", "up", "down"], ratios).map { "\($0)\($1)" }.joined(separator: "-")
        switch p.pattern {
        case .hierarchical:
            return "hierarchical\(amount)-t\(p.tileRows)x\(p.tileCols)-d\(percent(p.tileRatio))"
        case .unstructured:
            return "unstructured\(amount)"
        case .block:
            return "block\(p.blockSize)-\(uniform ? amount : String(amount.dropFirst()))"
        case .nm:
            return "nm\(p.n)-\(p.m)"
        }
    }

    /// The attention name of a sparse-attention setting.
    public static func attention(_ keys: SparseAttention.Keys) -> String {
        switch keys {
        case .fixed(let k): "top\(k)"
        case .fraction(let f, let minimum): "topfrac\(decimal(f))-min\(minimum)"
        }
    }

    /// A ratio as a percent with no trailing zeros: 0.75 → `75`, 0.875 → `87.5`.
    static func percent(_ ratio: Double) -> String { decimal((ratio * 100 * 1e6).rounded() / 1e6) }

    /// A number with no trailing zeros: `75`, `0.25`.
    static func decimal(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        var s = String(x)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}
