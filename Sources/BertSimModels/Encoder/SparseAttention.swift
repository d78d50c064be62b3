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

    /// Every parameter, declared once (``ParameterTable``). `top_k`, `top_k_fraction` and
    /// `top_k_min` together give ``keys``.
    public static let parameters = ParameterTable<SparseAttention>(
        "sparse_attention",
        summary: "Top-k attention from 4-bit estimates (DAC 2022): LUT estimator, streaming top-k selector, exact attention on the kept keys.",
        template: SparseAttention(keys: .fixed(1), lutLanes: 1), [
            Parameter("top_k", .integer(1...65536), unit: .count, .optional, "Keys kept per query (or give top_k_fraction)",
                      read: { _, _, _ in },
                      encode: { root, c in if case .fixed(let k) = root.keys { try c.encode(k, forKey: ParameterKey("top_k")) } },
                      decode: { root, c in
                          if let k = try c.decodeIfPresent(Int.self, forKey: ParameterKey("top_k")) { root.keys = .fixed(k) }
                      }),
            Parameter("top_k_fraction", .decimal(0.000001...1), unit: .ratio, .optional, "Keys kept per query as a fraction of the length",
                      read: { _, _, _ in },
                      encode: { root, c in
                          if case .fraction(let f, let minimum) = root.keys {
                              try c.encode(f, forKey: ParameterKey("top_k_fraction"))
                              try c.encode(minimum, forKey: ParameterKey("top_k_min"))
                          }
                      },
                      decode: { root, c in
                          if let f = try c.decodeIfPresent(Double.self, forKey: ParameterKey("top_k_fraction")) {
                              root.keys = .fraction(f, minimum: try c.decode(Int.self, forKey: ParameterKey("top_k_min")))
                          }
                      }),
            .readOnly("top_k_min", .integer(1...65536), unit: .count, .template, "With top_k_fraction: keep at least this many",
                      renderDefault: { _ in "1" }),
            .integer("lut_lanes", \.lutLanes, 1...1_048_576, unit: .lanes, "4-bit × 4-bit LUT products per cycle in the estimator"),
            .integer("estimator_latency_cycles", \.estimatorLatency, 0...10000, unit: .cycles, default: .template,
                     "LUT read and score accumulation"),
            Parameter("selector", .choice(["insertion"]), .template,
                      "Top-k selector design: a streaming insertion selector (k comparators per incoming score)",
                      renderDefault: { _ in "insertion" }, read: { _, _, _ in },
                      encode: { _, c in try c.encode("insertion", forKey: ParameterKey("selector")) }, decode: { _, _ in }),
            .integer("selector_width", \.selectorWidth, 1...4096, unit: .count, default: .template, "Scores the selector takes per cycle"),
            .integer("selector_latency_cycles", \.selectorLatency, 0...10000, unit: .cycles, default: .template,
                     "After the last score of a query"),
            .integer("gather_banks", \.gatherBanks, 1...4096, unit: .count, default: .template,
                     "Banks K and V rows are gathered from (row j in bank j mod B; one row per bank per cycle)"),
            Parameter("seed", .integer(0...Int.max), unit: .count, .template, "Seed of the gather patterns",
                      renderDefault: { String($0.seed) },
                      read: { (root: inout SparseAttention, v: ParameterValues, _: ParameterContext) throws(InputError) in
                          root.seed = UInt64(v.int("seed"))
                      },
                      encode: { root, c in try c.encode(root.seed, forKey: ParameterKey("seed")) },
                      decode: { root, c in root.seed = try c.decode(UInt64.self, forKey: ParameterKey("seed")) }),
        ],
        statistics: [
            StatisticSpec("lut_ops", .count, "4-bit LUT products of the estimate phase (n²·D per head)"),
            StatisticSpec("comparisons", .count, "Selector comparisons (n²·k per head)"),
            StatisticSpec("exact_macs", .count, "MACs of the exact phase (2·n·k·D per head)"),
        ],
        finish: { (root: inout SparseAttention, v: ParameterValues) throws(InputError) in
            switch (v.has("top_k"), v.has("top_k_fraction")) {
            case (true, false): root.keys = .fixed(v.int("top_k"))
            case (false, true): root.keys = .fraction(v.double("top_k_fraction"), minimum: v.int("top_k_min"))
            case (true, true): throw v.error("top_k_fraction", "give top_k or top_k_fraction, not both")
            case (false, false): throw v.error("top_k", "missing: give top_k (keys kept per query) or top_k_fraction")
            }
        })

    public static var schema: ComponentSchema { parameters.schema }

    public init(_ p: ParameterValues) throws(InputError) { self = try Self.parameters.read(p) }
    public func encode(to encoder: any Encoder) throws { try Self.parameters.encode(self, to: encoder) }
    public init(from decoder: any Decoder) throws { self = try Self.parameters.decode(from: decoder) }
}
