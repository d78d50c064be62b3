/// The integer datapath's GEMM: 16-bit signed operands (every width up to 16 bits fits), products
/// summed in a 32-bit two's-complement accumulator that wraps, as the PE array's int32
/// accumulator does (docs/accuracy.md, "GEMM").
///
/// SIMD: eight 16-bit products widened to 32 bits per step (the compiler emits `pmaddwd`), four
/// activation rows sharing each weight load. Wrapping addition is associative, so the result is
/// the exact sum modulo 2^32 whatever the order, and equals ``reference(_:rows:k:_:cols:)``.
public enum IntegerGEMM {
    /// `acc[r, c] = Σ_k x[r, k] · w[c, k]` (mod 2^32) for `rows × k` activations and `cols × k`
    /// weights (`[out, in]`), written row-major into `acc` (`rows × cols`). Blocks of 4 rows × 2
    /// columns share their loads; the rest goes through ``dot(_:_:_:)``.
    public static func multiply(_ x: UnsafePointer<Int16>, rows: Int, k: Int, _ w: UnsafePointer<Int16>, cols: Int,
                                into acc: UnsafeMutablePointer<Int32>) {
        let xr = UnsafeRawPointer(x), wr = UnsafeRawPointer(w)
        let vecEnd = k & ~7
        var c = 0
        while c + 2 <= cols {
            let w0 = c * k, w1 = w0 + k
            var r = 0
            while r + 4 <= rows {
                var a00 = SIMD4<Int32>(), a10 = SIMD4<Int32>(), a20 = SIMD4<Int32>(), a30 = SIMD4<Int32>()
                var a01 = SIMD4<Int32>(), a11 = SIMD4<Int32>(), a21 = SIMD4<Int32>(), a31 = SIMD4<Int32>()
                let x0 = r * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k
                var i = 0
                while i < vecEnd {
                    let wa = wr.loadUnaligned(fromByteOffset: (w0 + i) * 2, as: SIMD8<Int16>.self)
                    let wb = wr.loadUnaligned(fromByteOffset: (w1 + i) * 2, as: SIMD8<Int16>.self)
                    let v0 = xr.loadUnaligned(fromByteOffset: (x0 + i) * 2, as: SIMD8<Int16>.self)
                    let v1 = xr.loadUnaligned(fromByteOffset: (x1 + i) * 2, as: SIMD8<Int16>.self)
                    let v2 = xr.loadUnaligned(fromByteOffset: (x2 + i) * 2, as: SIMD8<Int16>.self)
                    let v3 = xr.loadUnaligned(fromByteOffset: (x3 + i) * 2, as: SIMD8<Int16>.self)
                    a00 &+= pairSums(v0, wa); a10 &+= pairSums(v1, wa); a20 &+= pairSums(v2, wa); a30 &+= pairSums(v3, wa)
                    a01 &+= pairSums(v0, wb); a11 &+= pairSums(v1, wb); a21 &+= pairSums(v2, wb); a31 &+= pairSums(v3, wb)
                    i += 8
                }
                var s = SIMD8<Int32>(a00.wrappedSum(), a10.wrappedSum(), a20.wrappedSum(), a30.wrappedSum(),
                                     a01.wrappedSum(), a11.wrappedSum(), a21.wrappedSum(), a31.wrappedSum())
                while i < k {
                    let wa = Int32(w[w0 + i]), wb = Int32(w[w1 + i])
                    for t in 0..<4 {
                        let xv = Int32(x[(r + t) * k + i])
                        s[t] &+= xv &* wa
                        s[4 + t] &+= xv &* wb
                    }
                    i += 1
                }
                for t in 0..<4 {
                    acc[(r + t) * cols + c] = s[t]
                    acc[(r + t) * cols + c + 1] = s[4 + t]
                }
                r += 4
            }
            while r < rows {
                acc[r * cols + c] = dot(x + r * k, w + w0, k)
                acc[r * cols + c + 1] = dot(x + r * k, w + w1, k)
                r += 1
            }
            c += 2
        }
        if c < cols {
            for r in 0..<rows { acc[r * cols + c] = dot(x + r * k, w + c * k, k) }
        }
    }

    /// Products of eight 16-bit pairs, adjacent ones summed (mod 2^32): `pmaddwd`.
    @inline(__always)
    static func pairSums(_ a: SIMD8<Int16>, _ b: SIMD8<Int16>) -> SIMD4<Int32> {
        let p = SIMD8<Int32>(truncatingIfNeeded: a) &* SIMD8<Int32>(truncatingIfNeeded: b)
        return p.evenHalf &+ p.oddHalf
    }

    /// `Σ_i a[i] · b[i]` mod 2^32.
    @inline(__always)
    public static func dot(_ a: UnsafePointer<Int16>, _ b: UnsafePointer<Int16>, _ n: Int) -> Int32 {
        let ar = UnsafeRawPointer(a), br = UnsafeRawPointer(b)
        var acc = SIMD8<Int32>()
        var i = 0
        while i + 8 <= n {
            acc &+= SIMD8<Int32>(truncatingIfNeeded: ar.loadUnaligned(fromByteOffset: i * 2, as: SIMD8<Int16>.self))
                &* SIMD8<Int32>(truncatingIfNeeded: br.loadUnaligned(fromByteOffset: i * 2, as: SIMD8<Int16>.self))
            i += 8
        }
        var s = acc.wrappedSum()
        while i < n {
            s &+= Int32(a[i]) &* Int32(b[i])
            i += 1
        }
        return s
    }

    /// The naive reference: one 64-bit sum per output, then wrapped to 32 bits.
    public static func reference(_ x: [Int16], rows: Int, k: Int, _ w: [Int16], cols: Int) -> [Int32] {
        var out = [Int32](repeating: 0, count: rows * cols)
        for r in 0..<rows {
            for c in 0..<cols {
                var s: Int64 = 0
                for i in 0..<k { s += Int64(x[r * k + i]) * Int64(w[c * k + i]) }
                out[r * cols + c] = Int32(truncatingIfNeeded: s)
            }
        }
        return out
    }
}
