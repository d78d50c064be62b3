/// What one layer's attention costs under sparse attention, and what dense attention would:
/// LUT products, selector comparisons, exact MACs, and K/V bytes read (docs/sparse-attention.md).
public struct AttentionAccounting: Sendable, Equatable, Codable {
    public var heads = 0
    public var lutOps = 0
    public var comparisons = 0
    public var exactMACs = 0
    public var denseMACs = 0
    public var kvBytesGathered = 0
    public var kvBytesDense = 0
    /// Sequences whose k exceeded their length and was clamped to it.
    public var clampedSequences = 0
    /// Gather cycles beyond the compute they hide behind (bank conflicts).
    public var conflictCycles = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case heads
        case lutOps = "lut_ops"
        case comparisons
        case exactMACs = "exact_macs"
        case denseMACs = "dense_macs"
        case kvBytesGathered = "kv_bytes_gathered"
        case kvBytesDense = "kv_bytes_dense"
        case clampedSequences = "clamped_sequences"
        case conflictCycles = "conflict_cycles"
    }

    public static func += (a: inout AttentionAccounting, b: AttentionAccounting) {
        a.heads += b.heads
        a.lutOps += b.lutOps
        a.comparisons += b.comparisons
        a.exactMACs += b.exactMACs
        a.denseMACs += b.denseMACs
        a.kvBytesGathered += b.kvBytesGathered
        a.kvBytesDense += b.kvBytesDense
        a.clampedSequences += b.clampedSequences
        a.conflictCycles += b.conflictCycles
    }

    public static func * (a: AttentionAccounting, n: Int) -> AttentionAccounting {
        var r = a
        r.heads *= n
        r.lutOps *= n
        r.comparisons *= n
        r.exactMACs *= n
        r.denseMACs *= n
        r.kvBytesGathered *= n
        r.kvBytesDense *= n
        r.conflictCycles *= n
        return r
    }
}
