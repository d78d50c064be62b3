/// A tensor of an encoder layer whose range sets a quantization scale (docs/accuracy.md,
/// "Calibration"). Raw values are indices into per-layer arrays of maxima.
public enum ActivationPoint: Int, CaseIterable, Sendable, Codable {
    /// The layer's input (the embedding LayerNorm's output for layer 0, else the previous
    /// layer's `outputNorm`).
    case input
    case query, key, value
    /// Attention scores Q·Kᵀ/√D (the softmax's input).
    case scores
    /// Attention × V, the attention output projection's input.
    case context
    /// The attention output projection.
    case attentionOut
    /// The first LayerNorm's output (the FFN's input and the second residual).
    case attentionNorm
    /// The FFN up projection (GELU's input).
    case ffnUp
    /// GELU's output (the FFN down projection's input).
    case gelu
    case ffnDown
    /// The second LayerNorm's output (the layer's output).
    case outputNorm

    public var key: String {
        switch self {
        case .input: "input"
        case .query: "query"
        case .key: "key"
        case .value: "value"
        case .scores: "scores"
        case .context: "context"
        case .attentionOut: "attention_out"
        case .attentionNorm: "attention_norm"
        case .ffnUp: "ffn_up"
        case .gelu: "gelu"
        case .ffnDown: "ffn_down"
        case .outputNorm: "output_norm"
        }
    }
}
