/// The FP32 reference's kernels: SIMD dot products (8 lanes, four rows at a time sharing each
/// weight load), a linear layer over `[out, in]` weights, LayerNorm, softmax and GELU.
///
/// Summation order depends only on the shapes, never on threads: results are reproducible.
enum FloatKernels {
    /// `out[r, c] = bias[c] + Σ_k x[r, k] · w[c, k]` for `rows × k` inputs and `cols × k` weights.
    /// Blocks of 4 rows × 2 columns share their loads (four lanes a step); the rest goes
    /// through ``dot(_:_:_:)``.
    static func linear(_ x: UnsafePointer<Float>, rows: Int, k: Int, _ w: UnsafePointer<Float>, cols: Int,
                       bias: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let xr = UnsafeRawPointer(x), wr = UnsafeRawPointer(w)
        let vecEnd = k & ~3
        var c = 0
        while c + 2 <= cols {
            let w0 = c * k, w1 = w0 + k
            var r = 0
            while r + 4 <= rows {
                var a00 = SIMD4<Float>(), a10 = SIMD4<Float>(), a20 = SIMD4<Float>(), a30 = SIMD4<Float>()
                var a01 = SIMD4<Float>(), a11 = SIMD4<Float>(), a21 = SIMD4<Float>(), a31 = SIMD4<Float>()
                let x0 = r * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k
                var i = 0
                while i < vecEnd {
                    let wa = wr.loadUnaligned(fromByteOffset: (w0 + i) * 4, as: SIMD4<Float>.self)
                    let wb = wr.loadUnaligned(fromByteOffset: (w1 + i) * 4, as: SIMD4<Float>.self)
                    let v0 = xr.loadUnaligned(fromByteOffset: (x0 + i) * 4, as: SIMD4<Float>.self)
                    let v1 = xr.loadUnaligned(fromByteOffset: (x1 + i) * 4, as: SIMD4<Float>.self)
                    let v2 = xr.loadUnaligned(fromByteOffset: (x2 + i) * 4, as: SIMD4<Float>.self)
                    let v3 = xr.loadUnaligned(fromByteOffset: (x3 + i) * 4, as: SIMD4<Float>.self)
                    a00 += v0 * wa; a10 += v1 * wa; a20 += v2 * wa; a30 += v3 * wa
                    a01 += v0 * wb; a11 += v1 * wb; a21 += v2 * wb; a31 += v3 * wb
                    i += 4
                }
                var s = SIMD8<Float>(a00.sum(), a10.sum(), a20.sum(), a30.sum(), a01.sum(), a11.sum(), a21.sum(), a31.sum())
                while i < k {
                    let wa = w[w0 + i], wb = w[w1 + i]
                    for t in 0..<4 {
                        s[t] += x[(r + t) * k + i] * wa
                        s[4 + t] += x[(r + t) * k + i] * wb
                    }
                    i += 1
                }
                for t in 0..<4 {
                    out[(r + t) * cols + c] = s[t] + bias[c]
                    out[(r + t) * cols + c + 1] = s[4 + t] + bias[c + 1]
                }
                r += 4
            }
            while r < rows {
                out[r * cols + c] = dot(x + r * k, w + w0, k) + bias[c]
                out[r * cols + c + 1] = dot(x + r * k, w + w1, k) + bias[c + 1]
                r += 1
            }
            c += 2
        }
        if c < cols {
            for r in 0..<rows { out[r * cols + c] = dot(x + r * k, w + c * k, k) + bias[c] }
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
        return Float(0.5 * d * (1 + CMath.erf(d / 2.0.squareRoot())))
    }
}
