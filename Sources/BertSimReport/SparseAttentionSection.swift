import BertSimModels

/// The report's `sparse_attention` section (only with sparse attention; docs/sparse-attention.md):
/// the setting, the costs of every phase in total and per head, the ratios to dense attention,
/// the speedup over the same run with dense attention, and the attention mass kept.
public struct SparseAttentionSection: Codable, Sendable, Equatable {
    public var setting: SparseAttention
    /// Sequences whose k exceeded their length and was clamped to it.
    public var clampedSequences: Int
    public var totals: AttentionAccounting
    public var perHead: PerHead
    public var exactMACRatio: Double
    public var kvByteRatio: Double
    public var attentionCycles: Int
    public var denseAttentionCycles: Int
    public var attentionSpeedupVsDense: Double
    public var cycles: Int
    public var denseCycles: Int
    public var endToEndSpeedupVsDense: Double
    public var massKept: MassKept

    public struct PerHead: Codable, Sendable, Equatable {
        public var lutOps: Double
        public var comparisons: Double
        public var exactMACs: Double
        public var denseMACs: Double
        public var kvBytesGathered: Double
        public var kvBytesDense: Double

        enum CodingKeys: String, CodingKey {
            case lutOps = "lut_ops"
            case comparisons
            case exactMACs = "exact_macs"
            case denseMACs = "dense_macs"
            case kvBytesGathered = "kv_bytes_gathered"
            case kvBytesDense = "kv_bytes_dense"
        }
    }

    /// From real attention statistics (mean over the trace's sequences, and the worst one).
    public struct MassKept: Codable, Sendable, Equatable {
        public var mean: Double
        public var minimum: Double
    }

    enum CodingKeys: String, CodingKey {
        case setting
        case clampedSequences = "clamped_sequences"
        case totals
        case perHead = "per_head"
        case exactMACRatio = "exact_mac_ratio"
        case kvByteRatio = "kv_byte_ratio"
        case attentionCycles = "attention_cycles"
        case denseAttentionCycles = "dense_attention_cycles"
        case attentionSpeedupVsDense = "attention_speedup_vs_dense"
        case cycles
        case denseCycles = "dense_cycles"
        case endToEndSpeedupVsDense = "end_to_end_speedup_vs_dense"
        case massKept = "mass_kept"
    }

    public init(result: SparseAttentionResult, cycles: Int, denseCycles: Int, denseAttentionCycles: Int) {
        let a = result.accounting
        let heads = Double(max(1, a.heads))
        setting = result.configuration
        clampedSequences = a.clampedSequences
        totals = a
        perHead = PerHead(lutOps: Double(a.lutOps) / heads, comparisons: Double(a.comparisons) / heads,
                          exactMACs: Double(a.exactMACs) / heads, denseMACs: Double(a.denseMACs) / heads,
                          kvBytesGathered: Double(a.kvBytesGathered) / heads, kvBytesDense: Double(a.kvBytesDense) / heads)
        exactMACRatio = a.denseMACs == 0 ? 0 : Double(a.exactMACs) / Double(a.denseMACs)
        kvByteRatio = a.kvBytesDense == 0 ? 0 : Double(a.kvBytesGathered) / Double(a.kvBytesDense)
        attentionCycles = result.attentionCycles
        self.denseAttentionCycles = denseAttentionCycles
        attentionSpeedupVsDense = result.attentionCycles == 0 ? 0 : Double(denseAttentionCycles) / Double(result.attentionCycles)
        self.cycles = cycles
        self.denseCycles = denseCycles
        endToEndSpeedupVsDense = cycles == 0 ? 0 : Double(denseCycles) / Double(cycles)
        massKept = MassKept(mean: result.massKeptMean, minimum: result.massKeptMinimum)
    }
}
