/// Multiplication by a real factor as the datapath does it (docs/accuracy.md, "Requantization"):
/// an unsigned mantissa of at most `scale_bits` bits and a shift, `y = (x · m + 2^(e−1)) >> e`,
/// so the product is rounded half up (toward +∞ on a tie) by an arithmetic shift.
///
/// The mantissa is normalized (`2^(b−1) ≤ m < 2^b`, `b` the scale width): the factor is held
/// to `b` significant bits, the shift `e` is free (a barrel shifter). The product is formed at
/// full width (128 bits), so no intermediate overflows; callers saturate the result to their
/// output width.
public struct Requantizer: Sendable, Equatable, CustomStringConvertible {
    public let mantissa: Int64
    /// Right shift (negative: left shift).
    public let shift: Int
    /// The factor asked for.
    public let factor: Double

    /// The nearest `bits`-bit mantissa and shift to `factor` (zero for a zero, negative or
    /// non-finite factor).
    public init(_ factor: Double, bits: Int) {
        self.factor = factor
        guard factor > 0, factor.isFinite, bits >= 1 else {
            mantissa = 0
            shift = 0
            return
        }
        let b = min(bits, 62)
        // 2^(b−1) ≤ factor · 2^e < 2^b
        var e = b - 1 - Int(factor.exponent)
        var m = (factor * Self.power(e)).rounded()
        if m >= Self.power(b) {
            m = (m / 2).rounded()
            e -= 1
        }
        if e > 126 {  // below every representable product: the factor rounds to zero
            mantissa = 0
            shift = 0
        } else {
            mantissa = Int64(m)
            shift = max(e, -62)
        }
    }

    static func power(_ e: Int) -> Double { Double(sign: .plus, exponent: e, significand: 1) }

    /// The factor actually applied, m · 2^(−e).
    public var effectiveFactor: Double { Double(mantissa) * Self.power(-shift) }

    public var description: String { "\(mantissa)·2^\(-shift)" }

    /// `x` times the factor, rounded half up, clamped to Int64.
    @inline(__always)
    public func apply(_ x: Int64) -> Int64 {
        if mantissa == 0 || x == 0 { return 0 }
        let (high, low) = x.multipliedFullWidth(by: mantissa)
        if shift <= 0 {
            let p = Int64(bitPattern: low)
            let fits = high == (p < 0 ? -1 : 0) && (shift == 0 || p.magnitude.leadingZeroBitCount > -shift + 1)
            guard fits else { return x < 0 ? Int64.min : Int64.max }
            return p << Int64(-shift)
        }
        // (high:low) + 2^(shift−1), then an arithmetic shift right by `shift`.
        var h = high, l = low
        if shift <= 64 {
            let half: UInt64 = 1 << UInt64(shift - 1)
            let (sum, carry) = l.addingReportingOverflow(half)
            l = sum
            if carry { h &+= 1 }
        } else {
            h &+= Int64(1) << Int64(shift - 65)
        }
        if shift >= 64 { return h >> Int64(shift - 64) }
        let resultHigh = h >> Int64(shift)
        let resultLow = (l >> UInt64(shift)) | (UInt64(bitPattern: h) << UInt64(64 - shift))
        let result = Int64(bitPattern: resultLow)
        // The result fits Int64 when the high word is the sign extension of the low one.
        if resultHigh != (result < 0 ? -1 : 0) { return resultHigh < 0 ? Int64.min : Int64.max }
        return result
    }
}
