/// The FP32 reference's kernels: SIMD dot products (8 lanes, four rows at a time sharing each
/// weight load), a linear layer over `[out, in]` weights, LayerNorm, softmax and GELU.
///
/// Summation order depends only on the shapes, never on threads: results are reproducible.
enum FloatKernels {
    /// `out[r, c] = bias[c] + Σ_k x[r, k] · w[c, k]` for `rows × k` inputs and `cols × k` weights.
    static func linear(_ x: UnsafePointer<Float>, rows: Int, k: Int, _ w: UnsafePointer<Float>, cols: Int,
                       bias: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let xr = UnsafeRawPointer(x), wr = UnsafeRawPointer(w)
        let vecEnd = k & ~7
        for c in 0..<cols {
            let wRow = c * k
            var r = 0
            while r + 4 <= rows {
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                let x0 = r * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k
                var i = 0
                while i < vecEnd {
                    let wv = wr.loadUnaligned(fromByteOffset: (wRow + i) * 4, as: SIMD8<Float>.self)
                    a0 += xr.loadUnaligned(fromByteOffset: (x0 + i) * 4, as: SIMD8<Float>.self) * wv
                    a1 += xr.loadUnaligned(fromByteOffset: (x1 + i) * 4, as: SIMD8<Float>.self) * wv
                    a2 += xr.loadUnaligned(fromByteOffset: (x2 + i) * 4, as: SIMD8<Float>.self) * wv
                    a3 += xr.loadUnaligned(fromByteOffset: (x3 + i) * 4, as: SIMD8<Float>.self) * wv
                    i += 8
                }
                var s0 = a0.sum(), s1 = a1.sum(), s2 = a2.sum(), s3 = a3.sum()
                while i < k {
                    let wv = w[wRow + i]
                    s0 += x[x0 + i] * wv; s1 += x[x1 + i] * wv; s2 += x[x2 + i] * wv; s3 += x[x3 + i] * wv
                    i += 1
                }
                out[r * cols + c] = s0 + bias[c]
                out[(r + 1) * cols + c] = s1 + bias[c]
                out[(r + 2) * cols + c] = s2 + bias[c]
                out[(r + 3) * cols + c] = s3 + bias[c]
                r += 4
            }
            while r < rows {
                out[r * cols + c] = dot(x + r * k, w + wRow, k) + bias[c]
                r += 1
            }
        }
    }

    /// `Σ_i a[i] · b[i]`, eight lanes then the tail.
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        let ar = UnsafeRawPointer(a), br = UnsafeRawPointer(b)
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            acc += ar.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) * br.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        var s = acc.sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// LayerNorm of each row of `x` (`rows × n`) in place: statistics in Double.
    static func layerNorm(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int, gamma: [Float], beta: [Float], epsilon: Float) {
        for r in 0..<rows {
            let row = x + r * n
            var sum = 0.0
            for i in 0..<n { sum += Double(row[i]) }
            let mean = sum / Double(n)
            var sq = 0.0
            for i in 0..<n {
                let d = Double(row[i]) - mean
                sq += d * d
            }
            let inv = 1 / (sq / Double(n) + Double(epsilon)).squareRoot()
            for i in 0..<n { row[i] = Float((Double(row[i]) - mean) * inv) * gamma[i] + beta[i] }
        }
    }

    /// BERT's GELU, erf form: x/2 · (1 + erf(x/√2)).
    static func gelu(_ x: Float) -> Float {
        let d = Double(x)
        return Float(0.5 * d * (1 + erfDouble(d / 2.0.squareRoot())))
    }
}
