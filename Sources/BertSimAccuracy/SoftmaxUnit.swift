/// The softmax unit's arithmetic (docs/accuracy.md, "Softmax"): FQ-BERT's row max, exp LUT and
/// reciprocal, at `softmax_bits`.
///
/// Scores arrive as signed `softmax_bits` integers in one format for every layer (scale s_s, so
/// that one LUT serves the whole model, as the parameter buffer holds one). Per row:
/// 1. `u_j = max − s_j` (≥ 0);
/// 2. LUT index `min(255, u_j >> t)`: a 256-entry table (2^b entries below 8 bits) of unsigned
///    `b`-bit numerators `round((2^b − 1) · exp(−index · 2^t / s_s))`. The index shift `t` is the
///    smallest that lets the 256 entries reach the difference beyond which every numerator
///    rounds to 0, ln(2 · (2^b − 1)) (so no entry is wasted on differences that give 0);
/// 3. `Σ` of the numerators, exact; reciprocal `r = ⌊2^(b+16) / Σ⌋`;
/// 4. probability `min(2^b − 1, (e_j · r + 2^15) >> 16)`, unsigned `b` bits, value p / 2^b.
public struct SoftmaxUnit: Sendable, Equatable {
    public let bits: Int
    public let indexShift: Int
    public let table: [Int64]

    public init(bits: Int, scoreScale: Double) {
        self.bits = bits
        let entries = bits >= 8 ? 256 : 1 << bits
        let top = Double((Int64(1) << Int64(bits)) - 1)
        // Differences (in score units) up to which a numerator can be non-zero.
        let reach = CMath.log(2 * top) * scoreScale
        var shift = 0
        while Double((entries - 1) << shift) < reach && shift < 62 { shift += 1 }
        indexShift = shift
        table = (0..<entries).map { i in
            Int64((top * CMath.exp(-Double(i << shift) / scoreScale)).rounded(.toNearestOrAwayFromZero))
        }
    }

    /// Probabilities of one row of `scores` (the kept keys), into `out` (same count).
    public func apply(_ scores: UnsafeBufferPointer<Int64>, into out: UnsafeMutableBufferPointer<Int64>) {
        guard let m = scores.max() else { return }
        let last = table.count - 1
        var sum: Int64 = 0
        for (j, s) in scores.enumerated() {
            let e = table[min(last, Int((m - s) >> Int64(indexShift)))]
            out[j] = e
            sum += e
        }
        let top = (Int64(1) << Int64(bits)) - 1
        let r = sum > 0 ? (Int64(1) << Int64(bits + 16)) / sum : 0
        for j in 0..<scores.count { out[j] = min(top, (out[j] * r + (1 << 15)) >> 16) }
    }
}
