import BertSimCore

/// The hardware of the FQ-BERT-style encoder accelerator (docs/encoder-timing.md §1).
public struct EncoderConfig: Sendable, Equatable, Codable {
    public var precision: Precision
    /// The GEMM engine: a BIM array (`pe_array:`) or a systolic array (`systolic_array:`).
    public var array: ComputeArray
    public var softmax: SpecialUnit
    public var layerNorm: SpecialUnit
    public var gelu: SpecialUnit
    public var memory: Memory
    public var buffers: Buffers
    /// Top-k sparse attention; nil runs dense attention.
    public var sparse: SparseAttention?
    /// Pruned weights on the sparse engine (docs/pruning.md); nil runs dense weights.
    public var pruning: Pruning?
    /// The length-aware scheduler's pipeline (used under `--scheduler length-aware`).
    public var lengthAware: LengthAwareSettings
    /// The host's control of the accelerator (commands per layer).
    public var host: Host

    public init(precision: Precision, array: ComputeArray, softmax: SpecialUnit, layerNorm: SpecialUnit,
                gelu: SpecialUnit, memory: Memory, buffers: Buffers, sparse: SparseAttention? = nil,
                lengthAware: LengthAwareSettings = .init(), pruning: Pruning? = nil, host: Host = .init()) {
        self.host = host
        self.pruning = pruning
        self.sparse = sparse
        self.lengthAware = lengthAware
        self.precision = precision
        self.array = array
        self.softmax = softmax
        self.layerNorm = layerNorm
        self.gelu = gelu
        self.memory = memory
        self.buffers = buffers
    }

    /// A BIM-array design (FQ-BERT's).
    public init(precision: Precision, peArray: PEArray, softmax: SpecialUnit, layerNorm: SpecialUnit,
                gelu: SpecialUnit, memory: Memory, buffers: Buffers) {
        self.init(precision: precision, array: .bim(peArray), softmax: softmax, layerNorm: layerNorm, gelu: gelu,
                  memory: memory, buffers: buffers)
    }

    /// The BIM array's parameters, when the design has one.
    public var peArray: PEArray? {
        get {
            if case .bim(let p) = array { return p }
            return nil
        }
        set { if let newValue { array = .bim(newValue) } }
    }

    enum CodingKeys: String, CodingKey {
        case precision
        case peArray = "pe_array"
        case systolicArray = "systolic_array"
        case softmax
        case layerNorm = "layernorm"
        case gelu, memory, buffers
        case sparse = "sparse_attention"
        case lengthAware = "length_aware"
        case pruning, host
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(precision, forKey: .precision)
        switch array {
        case .bim(let p): try c.encode(p, forKey: .peArray)
        case .systolic(let s): try c.encode(s, forKey: .systolicArray)
        }
        try c.encode(softmax, forKey: .softmax)
        try c.encode(layerNorm, forKey: .layerNorm)
        try c.encode(gelu, forKey: .gelu)
        try c.encode(memory, forKey: .memory)
        try c.encode(buffers, forKey: .buffers)
        try c.encodeIfPresent(sparse, forKey: .sparse)
        try c.encode(lengthAware, forKey: .lengthAware)
        try c.encodeIfPresent(pruning, forKey: .pruning)
        try c.encode(host, forKey: .host)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let array: ComputeArray = if let p = try c.decodeIfPresent(PEArray.self, forKey: .peArray) {
            .bim(p)
        } else {
            .systolic(try c.decode(SystolicArray.self, forKey: .systolicArray))
        }
        self.init(precision: try c.decode(Precision.self, forKey: .precision), array: array,
                  softmax: try c.decode(SpecialUnit.self, forKey: .softmax), layerNorm: try c.decode(SpecialUnit.self, forKey: .layerNorm),
                  gelu: try c.decode(SpecialUnit.self, forKey: .gelu), memory: try c.decode(Memory.self, forKey: .memory),
                  buffers: try c.decode(Buffers.self, forKey: .buffers),
                  sparse: try c.decodeIfPresent(SparseAttention.self, forKey: .sparse),
                  lengthAware: try c.decodeIfPresent(LengthAwareSettings.self, forKey: .lengthAware) ?? .init(),
                  pruning: try c.decodeIfPresent(Pruning.self, forKey: .pruning),
                  host: try c.decodeIfPresent(Host.self, forKey: .host) ?? .init())
    }
}

/// Which operands a GEMM multiplies (their widths come from the precision).
public enum MultiplyMode: String, Sendable, Codable {
    /// Activations × weights (projections, FFN): FQ-BERT's 8×4.
    case activationWeight = "activation_weight"
    /// Activations × activations (Q·Kᵀ): FQ-BERT's 8×8.
    case activationActivation = "activation_activation"
    /// Softmax probabilities × activations (attention × V).
    case probabilityActivation = "probability_activation"
}
