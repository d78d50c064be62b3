/// The integer helpers every unit of the functional datapath shares (docs/accuracy.md):
/// symmetric saturation, offline rounding of real values, shifts and divisions rounded half up,
/// the integer square root.
public enum FixedPoint {
    /// The largest magnitude of a symmetric signed `bits`-bit value: 2^(bits−1) − 1 (the
    /// two's-complement minimum is never produced, as in FQ-BERT's symmetric quantization).
    @inline(__always) public static func maxMagnitude(bits: Int) -> Int64 { (Int64(1) << Int64(min(bits, 63) - 1)) - 1 }

    /// `x` clamped to ±(2^(bits−1) − 1).
    @inline(__always) public static func saturate(_ x: Int64, bits: Int) -> Int64 {
        let m = maxMagnitude(bits: bits)
        return x > m ? m : (x < -m ? -m : x)
    }

    /// A real value quantized offline (weights, biases, LayerNorm parameters, LUT contents, host
    /// inputs): `x · scale` rounded to nearest, ties away from zero, then saturated to `bits`.
    @inline(__always) public static func quantize(_ x: Double, scale: Double, bits: Int) -> Int64 {
        let v = (x * scale).rounded(.toNearestOrAwayFromZero)
        let m = Double(maxMagnitude(bits: bits))
        return Int64(max(-m, min(m, v)))
    }

    /// FQ-BERT's scale for values of largest magnitude `maxAbs`: (2^(bits−1) − 1) / maxAbs (1 when
    /// the tensor is all zeros).
    public static func scale(maxAbs: Double, bits: Int) -> Double {
        maxAbs > 0 && maxAbs.isFinite ? Double(maxMagnitude(bits: bits)) / maxAbs : 1
    }

    /// `x / 2^s` rounded half up (an arithmetic shift after adding half); `s ≤ 0` shifts left.
    @inline(__always) public static func shiftRound(_ x: Int64, _ s: Int) -> Int64 {
        s <= 0 ? x << Int64(-s) : (x + (Int64(1) << Int64(s - 1))) >> Int64(s)
    }

    /// `x / d` rounded half up, for `d > 0`.
    @inline(__always) public static func divideRound(_ x: Int64, _ d: Int64) -> Int64 {
        let n = 2 * x + d, q = n / (2 * d)
        return (n % (2 * d) != 0 && n < 0) ? q - 1 : q
    }

    /// ⌊√x⌋ exactly.
    public static func squareRoot(_ x: UInt64) -> UInt64 {
        var r = UInt64(Double(x).squareRoot())
        while r > 0 && (r.multipliedReportingOverflow(by: r).overflow || r * r > x) { r -= 1 }
        while true {
            let (s, overflow) = (r + 1).multipliedReportingOverflow(by: r + 1)
            if overflow || s > x { break }
            r += 1
        }
        return r
    }

    /// Two's-complement wrap of `x` to `bits` bits (an accumulator of that width).
    @inline(__always) public static func wrap(_ x: Int64, bits: Int) -> Int64 {
        if bits >= 64 { return x }
        let shift = Int64(64 - bits)
        return (x << shift) >> shift
    }
}
