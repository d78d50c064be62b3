/// The GELU unit's arithmetic (docs/accuracy.md, "GELU"): a LUT indexed by the top bits of its
/// `activation_bits` input.
///
/// One table for the whole model (its input and output scales are the same in every layer): 256
/// entries (2^b below 8 bits), index `(x >> max(0, b − 8)) + 2^(min(b, 8) − 1)`; the entry of an
/// index is GELU at the centre of the inputs it covers, `round(s_out · gelu(x_c / s_in))`
/// saturated to `b` bits.
public struct GELUUnit: Sendable, Equatable {
    public let bits: Int
    public let indexShift: Int
    public let offset: Int
    public let table: [Int16]

    public init(activationBits bits: Int, inputScale: Double, outputScale: Double) {
        self.bits = bits
        let indexBits = min(bits, 8)
        indexShift = bits - indexBits
        offset = 1 << (indexBits - 1)
        let shift = indexShift, offset = offset
        table = (0..<(1 << indexBits)).map { i in
            let low = Double((i - offset) << shift)
            let centre = low + Double((1 << shift) - 1) / 2
            let x = centre / inputScale
            let g = 0.5 * x * (1 + CMath.erf(x / 2.0.squareRoot()))
            return Int16(FixedPoint.quantize(g, scale: outputScale, bits: bits))
        }
    }

    @inline(__always) public func apply(_ x: Int16) -> Int16 { table[(Int(x) >> indexShift) + offset] }
}
