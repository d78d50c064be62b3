import BertSimCore

/// The sparse attention engine's configuration (docs/sparse-attention.md): estimate every
/// score from 4-bit operands through a multiply LUT, keep the top k keys per query, and compute
/// attention exactly on those only.
public struct SparseAttention: Sendable, Equatable, Codable {
    /// How many keys each query keeps: a fixed k, or a fraction of the sequence (at least a minimum).
    public enum Keys: Sendable, Equatable, Codable {
        case fixed(Int)
        case fraction(Double, minimum: Int)

        /// k for a sequence of `n` keys, clamped to n.
        public func k(for n: Int) -> Int {
            switch self {
            case .fixed(let k): min(k, n)
            case .fraction(let f, let minimum): min(n, max(minimum, Int((f * Double(n)).rounded(.up))))
            }
        }

        /// The k asked for before clamping to n.
        public func requested(for n: Int) -> Int {
            switch self {
            case .fixed(let k): k
            case .fraction(let f, let minimum): max(minimum, Int((f * Double(n)).rounded(.up)))
            }
        }
    }

    public var keys: Keys
    /// 4-bit × 4-bit products the estimator's LUTs deliver per cycle.
    public var lutLanes: Int
    public var estimatorLatency: Int
    /// Scores the top-k selector takes per cycle.
    public var selectorWidth: Int
    public var selectorLatency: Int
    /// Banks of the intermediate buffer the exact phase gathers K and V rows from (row j in bank j mod B).
    public var gatherBanks: Int
    /// Seed of the gather patterns (which keys each query keeps).
    public var seed: UInt64

    public init(keys: Keys, lutLanes: Int, estimatorLatency: Int = 4, selectorWidth: Int = 4, selectorLatency: Int = 2,
                gatherBanks: Int = 16, seed: UInt64 = 1) {
        self.keys = keys
        self.lutLanes = lutLanes
        self.estimatorLatency = estimatorLatency
        self.selectorWidth = selectorWidth
        self.selectorLatency = selectorLatency
        self.gatherBanks = gatherBanks
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case topK = "top_k"
        case topKFraction = "top_k_fraction"
        case topKMin = "top_k_min"
        case lutLanes = "lut_lanes"
        case estimatorLatency = "estimator_latency_cycles"
        case selector
        case selectorWidth = "selector_width"
        case selectorLatency = "selector_latency_cycles"
        case gatherBanks = "gather_banks"
        case seed
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch keys {
        case .fixed(let k): try c.encode(k, forKey: .topK)
        case .fraction(let f, let m):
            try c.encode(f, forKey: .topKFraction)
            try c.encode(m, forKey: .topKMin)
        }
        try c.encode(lutLanes, forKey: .lutLanes)
        try c.encode(estimatorLatency, forKey: .estimatorLatency)
        try c.encode("insertion", forKey: .selector)
        try c.encode(selectorWidth, forKey: .selectorWidth)
        try c.encode(selectorLatency, forKey: .selectorLatency)
        try c.encode(gatherBanks, forKey: .gatherBanks)
        try c.encode(seed, forKey: .seed)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let keys: Keys = if let k = try c.decodeIfPresent(Int.self, forKey: .topK) {
            .fixed(k)
        } else {
            .fraction(try c.decode(Double.self, forKey: .topKFraction), minimum: try c.decode(Int.self, forKey: .topKMin))
        }
        self.init(keys: keys, lutLanes: try c.decode(Int.self, forKey: .lutLanes),
                  estimatorLatency: try c.decode(Int.self, forKey: .estimatorLatency),
                  selectorWidth: try c.decode(Int.self, forKey: .selectorWidth),
                  selectorLatency: try c.decode(Int.self, forKey: .selectorLatency),
                  gatherBanks: try c.decode(Int.self, forKey: .gatherBanks), seed: try c.decode(UInt64.self, forKey: .seed))
    }

    public static let schema = ComponentSchema(
        name: "sparse_attention",
        summary: "Top-k attention from 4-bit estimates (DAC 2022): LUT estimator, streaming top-k selector, exact attention on the kept keys.",
        parameters: [
            ParameterSpec("top_k", .integer(1...65536), unit: .count, default: "", "Keys kept per query (or give top_k_fraction)"),
            ParameterSpec("top_k_fraction", .decimal(0.000001...1), unit: .ratio, default: "", "Keys kept per query as a fraction of the length"),
            ParameterSpec("top_k_min", .integer(1...65536), unit: .count, default: "1", "With top_k_fraction: keep at least this many"),
            ParameterSpec("lut_lanes", .integer(1...1_048_576), unit: .lanes, "4-bit × 4-bit LUT products per cycle in the estimator"),
            ParameterSpec("estimator_latency_cycles", .integer(0...10000), unit: .cycles, default: "4", "LUT read and score accumulation"),
            ParameterSpec("selector", .choice(["insertion"]), default: "insertion",
                          "Top-k selector design: a streaming insertion selector (k comparators per incoming score)"),
            ParameterSpec("selector_width", .integer(1...4096), unit: .count, default: "4", "Scores the selector takes per cycle"),
            ParameterSpec("selector_latency_cycles", .integer(0...10000), unit: .cycles, default: "2", "After the last score of a query"),
            ParameterSpec("gather_banks", .integer(1...4096), unit: .count, default: "16",
                          "Banks K and V rows are gathered from (row j in bank j mod B; one row per bank per cycle)"),
            ParameterSpec("seed", .integer(0...Int.max), unit: .count, default: "1", "Seed of the gather patterns"),
        ],
        statistics: [
            StatisticSpec("lut_ops", .count, "4-bit LUT products of the estimate phase (n²·D per head)"),
            StatisticSpec("comparisons", .count, "Selector comparisons (n²·k per head)"),
            StatisticSpec("exact_macs", .count, "MACs of the exact phase (2·n·k·D per head)"),
        ])
}
