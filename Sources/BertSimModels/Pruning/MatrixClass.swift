import BertSimWorkload

/// The six weight matrices of an encoder layer, by role (docs/pruning.md). Shapes are
/// PyTorch's `[out, in]`: a row is one output feature, its columns the input features it reads.
public enum MatrixClass: Int, CaseIterable, Sendable, Codable, Hashable {
    case q, k, v, out
    case ffnUp
    case ffnDown

    /// The key in configs, mask files and reports.
    public var key: String {
        switch self {
        case .q: "q"
        case .k: "k"
        case .v: "v"
        case .out: "out"
        case .ffnUp: "ffn_up"
        case .ffnDown: "ffn_down"
        }
    }

    public init?(key: String) {
        guard let c = Self.allCases.first(where: { $0.key == key }) else { return nil }
        self = c
    }

    /// The GEMM of the encoder's PE program that multiplies by this matrix
    /// (docs/encoder-timing.md §2.1).
    public var gemmName: String {
        switch self {
        case .q: "q"
        case .k: "k"
        case .v: "v"
        case .out: "o"
        case .ffnUp: "ffn1"
        case .ffnDown: "ffn2"
        }
    }

    public init?(gemmName: String) {
        guard let c = Self.allCases.first(where: { $0.gemmName == gemmName }) else { return nil }
        self = c
    }

    /// `[out, in]` of this matrix in `model`.
    public func shape(_ model: ModelSpec) -> (rows: Int, cols: Int) {
        switch self {
        case .q, .k, .v, .out: (model.hidden, model.hidden)
        case .ffnUp: (model.ffn, model.hidden)
        case .ffnDown: (model.hidden, model.ffn)
        }
    }
}
