/// A weight matrix and its bias as the accelerator holds them (docs/accuracy.md, "Weights"):
/// symmetric `weight_bits` weights with one scale per tensor or per output channel, biases in
/// the accumulator's format, and the quantization unit's requantizer of every output column.
///
/// The accumulator has the bias width (`bias_bits`, FQ-BERT's 32 for both): products and bias
/// are summed exactly and wrapped to that many bits (two's complement), as an accumulator of
/// that width does.
public struct QuantizedLinear: Sendable {
    /// Output features (GEMM columns) and input features.
    public let outputs: Int
    public let inputs: Int
    /// `[out, in]`, row-major.
    public let weights: [Int16]
    /// b_I = round(b · s_in · s_w[c]), saturated to the bias width.
    public let biases: [Int64]
    /// The accumulator's width: `bias_bits` (at most 64).
    public let accumulatorBits: Int
    /// The weights as Float, kept only for accumulators wider than 32 bits (see ``accumulate(_:rows:)``).
    let floatWeights: [Float]
    /// s_w of every output column (all equal per tensor).
    public let weightScales: [Double]
    /// The column's requantizer, s_out / (s_in · s_w[c]), at `scale_bits`.
    public let requantizers: [Requantizer]
    public let outputBits: Int

    /// Quantizes FP32 `[out, in]` weights (pruned ones already zero) and biases.
    public init(weights w: [Float], biases b: [Float], outputs: Int, inputs: Int, weightBits: Int, biasBits: Int, scaleBits: Int,
                perChannel: Bool, inputScale: Double, outputScale: Double, outputBits: Int) {
        self.outputs = outputs
        self.inputs = inputs
        self.outputBits = outputBits
        var scales = [Double](repeating: 1, count: outputs)
        if perChannel {
            for c in 0..<outputs {
                var m: Float = 0
                for i in 0..<inputs { m = max(m, abs(w[c * inputs + i])) }
                scales[c] = FixedPoint.scale(maxAbs: Double(m), bits: weightBits)
            }
        } else {
            var m: Float = 0
            for v in w { m = max(m, abs(v)) }
            scales = [Double](repeating: FixedPoint.scale(maxAbs: Double(m), bits: weightBits), count: outputs)
        }
        var q = [Int16](repeating: 0, count: outputs * inputs)
        for c in 0..<outputs {
            for i in 0..<inputs {
                q[c * inputs + i] = Int16(FixedPoint.quantize(Double(w[c * inputs + i]), scale: scales[c], bits: weightBits))
            }
        }
        weights = q
        weightScales = scales
        let accumulatorBits = min(biasBits, 64)
        self.accumulatorBits = accumulatorBits
        floatWeights = accumulatorBits > 32 ? q.map { Float($0) } : []
        biases = (0..<outputs).map { FixedPoint.quantize(Double(b[$0]), scale: inputScale * scales[$0], bits: accumulatorBits) }
        requantizers = scales.map { Requantizer(outputScale / (inputScale * $0), bits: scaleBits) }
    }

    /// The accumulators (products plus bias, wrapped to ``accumulatorBits``) for `rows` rows of
    /// `x` (`rows × inputs`).
    ///
    /// The products are summed by ``IntegerGEMM`` modulo 2^32. For wider accumulators the exact
    /// sum S is recovered from that residue and a Float sum S_f of the same products:
    /// S = S₃₂ + 2³² · round((S_f − S₃₂) / 2³²), exact while |S_f − S| < 2³¹, which holds for
    /// 16-bit operands while inputs² · 2⁻²⁴ · 2³⁰ < 2³⁰ (inputs < 4096; checked).
    public func accumulate(_ x: [Int16], rows: Int) -> [Int64] {
        var acc32 = [Int32](repeating: 0, count: rows * outputs)
        x.withUnsafeBufferPointer { xp in
            weights.withUnsafeBufferPointer { wp in
                acc32.withUnsafeMutableBufferPointer { ap in
                    IntegerGEMM.multiply(xp.baseAddress!, rows: rows, k: inputs, wp.baseAddress!, cols: outputs, into: ap.baseAddress!)
                }
            }
        }
        var acc = [Int64](repeating: 0, count: rows * outputs)
        if accumulatorBits <= 32 {
            for r in 0..<rows {
                for c in 0..<outputs {
                    acc[r * outputs + c] = FixedPoint.wrap(Int64(acc32[r * outputs + c]) + biases[c], bits: accumulatorBits)
                }
            }
            return acc
        }
        precondition(inputs < 4096, "exact wide accumulation is checked for fewer than 4096 inputs")
        let xf = x.map { Float($0) }
        var sf = [Float](repeating: 0, count: rows * outputs)
        let zeros = [Float](repeating: 0, count: outputs)
        xf.withUnsafeBufferPointer { xp in
            floatWeights.withUnsafeBufferPointer { wp in
                zeros.withUnsafeBufferPointer { bp in
                    sf.withUnsafeMutableBufferPointer { op in
                        FloatKernels.linear(xp.baseAddress!, rows: rows, k: inputs, wp.baseAddress!, cols: outputs, bias: bp.baseAddress!,
                                            into: op.baseAddress!)
                    }
                }
            }
        }
        for r in 0..<rows {
            for c in 0..<outputs {
                let i = r * outputs + c
                let residue = Int64(acc32[i])
                let turns = ((Double(sf[i]) - Double(residue)) / 4_294_967_296).rounded()
                acc[i] = FixedPoint.wrap(residue + Int64(turns) * 4_294_967_296 + biases[c], bits: accumulatorBits)
            }
        }
        return acc
    }

    /// The quantization unit: each accumulator times its column's requantizer, saturated to `bits`.
    public static func requantize(_ acc: [Int64], columns: Int, _ requantizers: [Requantizer], bits: Int) -> [Int16] {
        var out = [Int16](repeating: 0, count: acc.count)
        for i in acc.indices {
            out[i] = Int16(FixedPoint.saturate(requantizers[i % columns].apply(acc[i]), bits: bits))
        }
        return out
    }

    /// `accumulate` then `requantize` with this layer's own requantizers and output width.
    public func apply(_ x: [Int16], rows: Int) -> [Int16] {
        Self.requantize(accumulate(x, rows: rows), columns: outputs, requantizers, bits: outputBits)
    }
}
