/// The LayerNorm unit's arithmetic (docs/accuracy.md, "LayerNorm"): FQ-BERT's three stages on
/// integers.
///
/// 1. Residual add with two scales: `z_i = a_i · m_a + b_i · m_b`, the mantissas (`scale_bits`)
///    aligning both inputs to a common scale (the finer input gets 2^b − 1); then
///    `z_i >> t` (rounded half up) with `t = max(0, activation_bits + scale_bits − 24)`, so the
///    unit's datapath is 25 bits; mean `μ = Σz / H` rounded half up.
/// 2. `d_i = z_i − μ`; variance `Σd² / H` rounded half up (64-bit sums).
/// 3. Inverse square root `r = ⌊√⌊2^62 / max(var, 1)⌋⌋ ≈ 2^31/σ`; normalized
///    `n_i = (d_i · r) >> 16` (rounded), i.e. 15 fractional bits; output
///    `sat(R_γ(γ_i · n_i) + R_β(β_i))`, with γ and β symmetric `layernorm_parameter_bits`
///    integers (one scale each) and R the requantizers to the output scale.
/// ε (1e-12) is below the resolution of every format here and is left out.
public struct LayerNormUnit: Sendable {
    public let residualMantissa: Int64
    public let sublayerMantissa: Int64
    public let preShift: Int
    public let gamma: [Int64]
    public let beta: [Int64]
    public let gammaRequantizer: Requantizer
    public let betaRequantizer: Requantizer
    public let outputBits: Int

    public init(gamma g: [Float], beta b: [Float], residualScale: Double, sublayerScale: Double, outputScale: Double,
                activationBits: Int, scaleBits: Int, parameterBits: Int) {
        let top = Double((Int64(1) << Int64(min(scaleBits, 30))) - 1)
        let finer = min(residualScale, sublayerScale)
        residualMantissa = Int64((top * finer / residualScale).rounded(.toNearestOrAwayFromZero))
        sublayerMantissa = Int64((top * finer / sublayerScale).rounded(.toNearestOrAwayFromZero))
        preShift = max(0, activationBits + min(scaleBits, 30) - 24)
        let sg = FixedPoint.scale(maxAbs: Double(g.map { abs($0) }.max() ?? 0), bits: parameterBits)
        let sb = FixedPoint.scale(maxAbs: Double(b.map { abs($0) }.max() ?? 0), bits: parameterBits)
        gamma = g.map { FixedPoint.quantize(Double($0), scale: sg, bits: parameterBits) }
        beta = b.map { FixedPoint.quantize(Double($0), scale: sb, bits: parameterBits) }
        gammaRequantizer = Requantizer(outputScale / (sg * 32768), bits: scaleBits)
        betaRequantizer = Requantizer(outputScale / sb, bits: scaleBits)
        outputBits = activationBits
    }

    /// One row: `residual` and `sublayer` (`n` values each) into `out`.
    public func apply(residual: UnsafePointer<Int16>, sublayer: UnsafePointer<Int16>, n: Int, into out: UnsafeMutablePointer<Int16>,
                      scratch z: UnsafeMutablePointer<Int64>) {
        var sum: Int64 = 0
        for i in 0..<n {
            let v = FixedPoint.shiftRound(Int64(residual[i]) * residualMantissa + Int64(sublayer[i]) * sublayerMantissa, preShift)
            z[i] = v
            sum += v
        }
        let mean = FixedPoint.divideRound(sum, Int64(n))
        var squares: Int64 = 0
        for i in 0..<n {
            let d = z[i] - mean
            z[i] = d
            squares += d * d
        }
        let variance = max(1, FixedPoint.divideRound(squares, Int64(n)))
        let r = Int64(FixedPoint.squareRoot(UInt64(1 << 62) / UInt64(variance)))
        for i in 0..<n {
            let normalized = FixedPoint.shiftRound(z[i] * r, 16)
            let y = gammaRequantizer.apply(gamma[i] * normalized) + betaRequantizer.apply(beta[i])
            out[i] = Int16(FixedPoint.saturate(y, bits: outputBits))
        }
    }
}
