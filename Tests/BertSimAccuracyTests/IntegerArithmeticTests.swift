@testable import BertSimAccuracy
import BertSimCore
import Testing

/// The integer units of the functional datapath against naive references and hand-worked cases.
@Suite struct IntegerArithmeticTests {
    /// The SIMD GEMM (4 × 2 blocks, pmaddwd-shaped pair sums, tails) equals one 64-bit sum per
    /// output wrapped to 32 bits, on shapes with every kind of remainder and on values at the
    /// ends of the 16-bit range (whose sums wrap).
    @Test(arguments: [(1, 1, 1), (3, 7, 5), (4, 8, 2), (5, 13, 3), (9, 384, 7), (16, 1536, 4), (7, 32, 33)])
    func gemmEqualsTheNaiveReference(_ shape: (Int, Int, Int)) {
        let (rows, k, cols) = shape
        var rng = SplitMix64(seed: UInt64(rows * 1000 + k * 10 + cols))
        func value(_ bits: Int) -> Int16 {
            let m = Int64(FixedPoint.maxMagnitude(bits: bits))
            return Int16(Int64(rng.next() % UInt64(2 * m + 1)) - m)
        }
        for bits in [4, 8, 16] {
            let x = (0..<(rows * k)).map { _ in value(bits) }
            let w = (0..<(cols * k)).map { _ in value(bits) }
            var acc = [Int32](repeating: 0, count: rows * cols)
            x.withUnsafeBufferPointer { xp in
                w.withUnsafeBufferPointer { wp in
                    acc.withUnsafeMutableBufferPointer { ap in
                        IntegerGEMM.multiply(xp.baseAddress!, rows: rows, k: k, wp.baseAddress!, cols: cols, into: ap.baseAddress!)
                    }
                }
            }
            #expect(acc == IntegerGEMM.reference(x, rows: rows, k: k, w, cols: cols), "\(rows)×\(k)×\(cols) at \(bits) bits")
        }
        // All operands at +32767: 2 · 32767² per pair-sum wraps past 2^31 in the 32-bit accumulator.
        let x = [Int16](repeating: 32767, count: 2 * 16), w = [Int16](repeating: 32767, count: 3 * 16)
        var acc = [Int32](repeating: 0, count: 6)
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                acc.withUnsafeMutableBufferPointer { ap in IntegerGEMM.multiply(xp.baseAddress!, rows: 2, k: 16, wp.baseAddress!, cols: 3, into: ap.baseAddress!) }
            }
        }
        #expect(acc == [Int32](repeating: Int32(truncatingIfNeeded: Int64(16) * 32767 * 32767), count: 6))
    }

    /// Wide accumulators (bias_bits > 32) are exact: the 32-bit residue plus the Float sum's turns.
    @Test func wideAccumulatorsAreExact() {
        let k = 1536, rows = 3, cols = 5
        var rng = SplitMix64(seed: 7)
        let x = (0..<(rows * k)).map { _ in Float(Int64(rng.next() % 65535) - 32767) / 32767 }
        let w = (0..<(cols * k)).map { _ in Float(Int64(rng.next() % 65535) - 32767) / 32767 }
        let linear = QuantizedLinear(weights: w, biases: [Float](repeating: 0.5, count: cols), outputs: cols, inputs: k, weightBits: 16,
                                     biasBits: 48, scaleBits: 16, perChannel: false, inputScale: 32767, outputScale: 1, outputBits: 16)
        let xi = x.map { Int16(FixedPoint.quantize(Double($0), scale: 32767, bits: 16)) }
        let acc = linear.accumulate(xi, rows: rows)
        for r in 0..<rows {
            for c in 0..<cols {
                var exact: Int64 = linear.biases[c]
                for i in 0..<k { exact += Int64(xi[r * k + i]) * Int64(linear.weights[c * k + i]) }
                #expect(acc[r * cols + c] == exact)
            }
        }
        #expect(acc.contains { abs($0) > Int64(Int32.max) }, "the case must exercise sums beyond 32 bits")
    }

    /// Mantissa and shift by hand; rounding half up on both signs; within half a unit of the
    /// effective factor elsewhere.
    @Test func requantizerRoundsHalfUp() {
        let half = Requantizer(0.5, bits: 8)
        #expect(half.mantissa == 128 && half.shift == 8)
        #expect(half.apply(3) == 2)      // 1.5 → 2
        #expect(half.apply(-3) == -1)    // −1.5 → −1
        #expect(half.apply(-5) == -2)    // −2.5 → −2
        let third = Requantizer(1.0 / 3, bits: 8)
        #expect(third.mantissa == 171 && third.shift == 9)  // 171/512 = 0.333984
        #expect(third.apply(300) == 100)  // 300 · 171 / 512 = 100.195
        let big = Requantizer(1000, bits: 8)
        #expect(big.apply(7) == 7 * Int64(big.mantissa) << Int64(-big.shift))
        #expect(Requantizer(0, bits: 8).apply(12345) == 0)
        var rng = SplitMix64(seed: 3)
        for _ in 0..<2000 {
            let factor = Double(rng.next() % 1_000_000 + 1) / 1e9
            let q = Requantizer(factor, bits: 16)
            let x = Int64(rng.next() % (1 << 40)) - (1 << 39)
            #expect(abs(Double(q.apply(x)) - Double(x) * q.effectiveFactor) <= 0.5)
            #expect(abs(q.effectiveFactor / factor - 1) < 1.0 / 32768)
        }
    }

    @Test func fixedPointHelpers() {
        #expect(FixedPoint.divideRound(7, 2) == 4 && FixedPoint.divideRound(-7, 2) == -3 && FixedPoint.divideRound(-8, 3) == -3)
        #expect(FixedPoint.shiftRound(5, 1) == 3 && FixedPoint.shiftRound(-5, 1) == -2)
        #expect(FixedPoint.saturate(200, bits: 8) == 127 && FixedPoint.saturate(-200, bits: 8) == -127)
        #expect(FixedPoint.wrap(Int64(Int32.max) + 1, bits: 32) == Int64(Int32.min))
        #expect(FixedPoint.quantize(2.5, scale: 1, bits: 8) == 3 && FixedPoint.quantize(-2.5, scale: 1, bits: 8) == -3)
        var rng = SplitMix64(seed: 11)
        for _ in 0..<5000 {
            let x = rng.next() >> UInt64(rng.next() % 64)
            let r = FixedPoint.squareRoot(x)
            #expect(r * r <= x && ((r + 1).multipliedReportingOverflow(by: r + 1).overflow || (r + 1) * (r + 1) > x))
        }
        #expect(FixedPoint.squareRoot(UInt64.max) == 4_294_967_295)
    }

    /// Two scores one unit apart at s_s = 1, worked by hand: LUT e^0·255 = 255 and e^−1·255 = 94,
    /// Σ = 349, r = ⌊2^24/349⌋ = 48072, p = (255·48072 + 2^15) >> 16 = 187 and (94·48072 + 2^15) >> 16
    /// = 69 (0.731 and 0.269 of 256).
    @Test func softmaxByHand() {
        let unit = SoftmaxUnit(bits: 8, scoreScale: 1)
        #expect(unit.table.count == 256 && unit.table[0] == 255 && unit.table[1] == 94 && unit.table[255] == 0)
        var out = [Int64](repeating: 0, count: 2)
        [Int64(0), -1].withUnsafeBufferPointer { s in out.withUnsafeMutableBufferPointer { unit.apply(s, into: $0) } }
        #expect(out == [187, 69])
        // The index shift lets the 256 entries reach ln(2 · 255) = 6.23 differences: 255 ≥ 6.23 · s_s.
        #expect(unit.indexShift == 0)
        #expect(SoftmaxUnit(bits: 8, scoreScale: 127.0 / 33.6).indexShift == 0)
        #expect(SoftmaxUnit(bits: 8, scoreScale: 100).indexShift == 2)     // 6.23 · 100 = 623 > 255 · 2
        let wide = SoftmaxUnit(bits: 16, scoreScale: 32767.0 / 32)          // ln(131070) · 1024 = 12,082 ≤ 255 · 2^6
        #expect(wide.indexShift == 6 && wide.table.count == 256)
        #expect(wide.table[1] == Int64((65535 * CMath.exp(-64.0 / (32767.0 / 32))).rounded()))
        #expect(wide.table[255] == 0 && wide.table[187] > 0)
    }

    /// The integer LayerNorm stays within a few output units of the real one.
    @Test func layerNormAgainstFloat() {
        var rng = SplitMix64(seed: 5)
        let n = 384
        let gamma = (0..<n).map { _ in Float(rng.next() % 2000) / 1000 }, beta = (0..<n).map { _ in Float(Int(rng.next() % 2000) - 1000) / 1000 }
        let a = (0..<n).map { _ in Float(Int(rng.next() % 2000) - 1000) / 250 }, b = (0..<n).map { _ in Float(Int(rng.next() % 2000) - 1000) / 500 }
        let sa = 127.0 / 4, sb = 127.0 / 2, so = 127.0 / 8
        let unit = LayerNormUnit(gamma: gamma, beta: beta, residualScale: sa, sublayerScale: sb, outputScale: so, activationBits: 8,
                                 scaleBits: 8, parameterBits: 8)
        let ai = a.map { Int16(FixedPoint.quantize(Double($0), scale: sa, bits: 8)) }, bi = b.map { Int16(FixedPoint.quantize(Double($0), scale: sb, bits: 8)) }
        var out = [Int16](repeating: 0, count: n), z = [Int64](repeating: 0, count: n)
        ai.withUnsafeBufferPointer { ap in bi.withUnsafeBufferPointer { bp in out.withUnsafeMutableBufferPointer { op in z.withUnsafeMutableBufferPointer { zp in
            unit.apply(residual: ap.baseAddress!, sublayer: bp.baseAddress!, n: n, into: op.baseAddress!, scratch: zp.baseAddress!)
        } } } }
        let sum = (0..<n).map { Double(ai[$0]) / sa + Double(bi[$0]) / sb }
        let mean = sum.reduce(0, +) / Double(n)
        let sd = (sum.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)).squareRoot()
        for i in 0..<n {
            let expected = (sum[i] - mean) / sd * Double(gamma[i]) + Double(beta[i])
            #expect(abs(Double(out[i]) / so - expected) < 2.5 / so + 0.01 * abs(expected), "element \(i)")
        }
    }

    /// GELU's LUT: exact at 8 bits for every code (the centre of a one-code bucket is the code).
    @Test func geluTable() {
        let unit = GELUUnit(activationBits: 8, inputScale: 127.0 / 8, outputScale: 127.0 / 8)
        for code in -127...127 {
            let x = Double(code) / (127.0 / 8)
            let g = 0.5 * x * (1 + CMath.erf(x / 2.0.squareRoot()))
            #expect(unit.apply(Int16(code)) == Int16(FixedPoint.quantize(g, scale: 127.0 / 8, bits: 8)))
        }
        let wide = GELUUnit(activationBits: 16, inputScale: 1000, outputScale: 1000)
        #expect(wide.table.count == 256 && wide.apply(-32767) == wide.table[0] && wide.apply(32767) == wide.table[255])
    }

    /// The selector keeps the k largest estimates; on ties the earlier key (a streaming insertion
    /// selector replaces a kept score only by a strictly larger one).
    @Test func topKTiesGoToTheEarlierKey() {
        var selected = [Int](repeating: -1, count: 6)
        IntegerEncoder.topK([5, 9, 5, 9, 1, 5], n: 6, k: 3, into: &selected)
        #expect(Array(selected.prefix(3)) == [0, 1, 3])
        IntegerEncoder.topK([2, 2, 2, 2], n: 4, k: 2, into: &selected)
        #expect(Array(selected.prefix(2)) == [0, 1])
    }
}
