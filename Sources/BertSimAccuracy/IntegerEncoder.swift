import BertSimModels

/// The bit-accurate forward pass of a ``FunctionalDesign`` (docs/accuracy.md, "The datapath").
///
/// The host embeds (FP32, as FQ-BERT's host does) and quantizes the embedding LayerNorm's output
/// to `activation_bits`; the accelerator runs every layer in integers; the host dequantizes the
/// last layer's output and mean-pools it. One sentence is one job of one sequence (batch 1), so
/// no token is padding.
///
/// Per layer: Q, K, V (``QuantizedLinear``); per head, with top-k, each query's 4-bit estimates
/// against every key and the k best kept (ties to the lower key); exact Q·Kᵀ of the kept keys
/// (accumulators of `bias_bits`) requantized to the score format; ``SoftmaxUnit``; attention × V over
/// the kept keys (`bias_bits`), requantized; output projection; ``LayerNormUnit`` with the residual;
/// FFN up, ``GELUUnit``, FFN down; ``LayerNormUnit``.
public struct IntegerEncoder: Sendable {
    public let design: FunctionalDesign

    public init(design: FunctionalDesign) { self.design = design }

    /// The mean-pooled embedding of `ids` from the design's output.
    public func sentenceEmbedding(_ ids: [Int32]) -> [Float] {
        let h = design.weights.spec.hidden, n = ids.count
        let out = forward(ids)
        var sums = [Double](repeating: 0, count: h)
        for r in 0..<n { for i in 0..<h { sums[i] += Double(out[r * h + i]) } }
        return sums.map { Float($0 / (Double(n) * design.outputScale)) }
    }

    /// The last layer's output (`n × hidden`, `activation_bits` integers at `outputScale`).
    public func forward(_ ids: [Int32]) -> [Int16] {
        let spec = design.weights.spec
        let n = ids.count, h = spec.hidden, heads = spec.heads, d = spec.headSize
        let a = design.precision.activationBits
        let embedded = FloatEncoder(weights: design.weights).embed(ids)
        var x = embedded.map { Int16(FixedPoint.quantize(Double($0), scale: design.inputScale, bits: a)) }
        var z = [Int64](repeating: 0, count: max(h, 1))
        var normalized = [Int16](repeating: 0, count: n * h)
        for layer in design.layers {
            let qAcc = layer.linear(.q).accumulate(x, rows: n)
            let kAcc = layer.linear(.k).accumulate(x, rows: n)
            let q = QuantizedLinear.requantize(qAcc, columns: h, layer.linear(.q).requantizers, bits: a)
            let k = QuantizedLinear.requantize(kAcc, columns: h, layer.linear(.k).requantizers, bits: a)
            let v = layer.linear(.v).apply(x, rows: n)
            var q4: [Int16] = [], k4: [Int16] = []
            var kept = n
            if let keys = design.keys {
                kept = keys.k(for: n)
                if kept < n {
                    q4 = QuantizedLinear.requantize(qAcc, columns: h, layer.queryEstimate, bits: FunctionalDesign.estimateBits)
                    k4 = QuantizedLinear.requantize(kAcc, columns: h, layer.keyEstimate, bits: FunctionalDesign.estimateBits)
                }
            }
            let context = attention(layer, q: q, k: k, v: v, q4: q4, k4: k4, n: n, h: h, heads: heads, d: d, kept: kept)
            let projected = layer.linear(.out).apply(context, rows: n)
            normalize(layer.attentionNorm, residual: x, sublayer: projected, rows: n, h: h, into: &normalized, scratch: &z)
            var up = layer.linear(.ffnUp).apply(normalized, rows: n)
            for i in up.indices { up[i] = design.gelu.apply(up[i]) }
            let down = layer.linear(.ffnDown).apply(up, rows: n)
            normalize(layer.outputNorm, residual: normalized, sublayer: down, rows: n, h: h, into: &x, scratch: &z)
        }
        return x
    }

    private func normalize(_ unit: LayerNormUnit, residual: [Int16], sublayer: [Int16], rows: Int, h: Int, into out: inout [Int16],
                           scratch: inout [Int64]) {
        residual.withUnsafeBufferPointer { rp in
            sublayer.withUnsafeBufferPointer { sp in
                out.withUnsafeMutableBufferPointer { op in
                    scratch.withUnsafeMutableBufferPointer { zp in
                        for r in 0..<rows {
                            unit.apply(residual: rp.baseAddress! + r * h, sublayer: sp.baseAddress! + r * h, n: h,
                                       into: op.baseAddress! + r * h, scratch: zp.baseAddress!)
                        }
                    }
                }
            }
        }
    }

    /// Every head's attention for `n` queries, keeping `kept` keys per query.
    private func attention(_ layer: FunctionalDesign.Layer, q: [Int16], k: [Int16], v: [Int16], q4: [Int16], k4: [Int16],
                           n: Int, h: Int, heads: Int, d: Int, kept: Int) -> [Int16] {
        let a = design.precision.activationBits, sb = design.precision.softmaxBits
        var context = [Int16](repeating: 0, count: n * h)
        var estimates = [Int32](repeating: 0, count: n)
        var selected = [Int](repeating: 0, count: n)
        var scores = [Int64](repeating: 0, count: n)
        var probabilities = [Int64](repeating: 0, count: n)
        var vt = [Int64](repeating: 0, count: d * n)   // V of the head, transposed: vt[c * n + j]
        let accumulatorBits = min(design.precision.biasBits, 64)
        q.withUnsafeBufferPointer { qp in
            k.withUnsafeBufferPointer { kp in
                q4.withUnsafeBufferPointer { q4p in
                    k4.withUnsafeBufferPointer { k4p in
                        for head in 0..<heads {
                            let o = head * d
                            for j in 0..<n { for c in 0..<d { vt[c * n + j] = Int64(v[j * h + o + c]) } }
                            for i in 0..<n {
                                let count: Int
                                if kept < n {
                                    for j in 0..<n {
                                        estimates[j] = IntegerGEMM.dot(q4p.baseAddress! + i * h + o, k4p.baseAddress! + j * h + o, d)
                                    }
                                    Self.topK(estimates, n: n, k: kept, into: &selected)
                                    count = kept
                                } else {
                                    for j in 0..<n { selected[j] = j }
                                    count = n
                                }
                                for t in 0..<count {
                                    let acc = Self.dot(qp.baseAddress! + i * h + o, kp.baseAddress! + selected[t] * h + o, d)
                                    scores[t] = FixedPoint.saturate(layer.scores.apply(FixedPoint.wrap(acc, bits: accumulatorBits)), bits: sb)
                                }
                                scores.withUnsafeBufferPointer { sp in
                                    probabilities.withUnsafeMutableBufferPointer { pp in
                                        design.softmax.apply(UnsafeBufferPointer(rebasing: sp[0..<count]),
                                                             into: UnsafeMutableBufferPointer(rebasing: pp[0..<count]))
                                    }
                                }
                                for c in 0..<d {
                                    var acc: Int64 = 0
                                    let row = c * n
                                    for t in 0..<count { acc += probabilities[t] * vt[row + selected[t]] }
                                    acc = FixedPoint.wrap(acc, bits: accumulatorBits)
                                    context[i * h + o + c] = Int16(FixedPoint.saturate(layer.context.apply(acc), bits: a))
                                }
                            }
                        }
                    }
                }
            }
        }
        return context
    }

    /// `Σ a[i] · b[i]` exactly (attention's short dot products; wrapped by the caller).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Int16>, _ b: UnsafePointer<Int16>, _ n: Int) -> Int64 {
        var s: Int64 = 0
        for i in 0..<n { s += Int64(a[i]) * Int64(b[i]) }
        return s
    }

    /// The `k` keys of largest estimate, in ascending key order (ties to the lower key, as a
    /// streaming selector that replaces a kept score only by a strictly larger one).
    static func topK(_ estimates: [Int32], n: Int, k: Int, into selected: inout [Int]) {
        // Insertion into a sorted list of the k best (descending score, ascending key on ties).
        var best: [(score: Int32, key: Int)] = []
        best.reserveCapacity(k + 1)
        for j in 0..<n {
            let s = estimates[j]
            if best.count == k, let last = best.last, s <= last.score { continue }
            var pos = best.count
            while pos > 0 && best[pos - 1].score < s { pos -= 1 }
            best.insert((s, j), at: pos)
            if best.count > k { best.removeLast() }
        }
        let keys = best.map(\.key).sorted()
        for (t, key) in keys.enumerated() { selected[t] = key }
    }
}
