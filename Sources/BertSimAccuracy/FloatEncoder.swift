import BertSimModels

/// The FP32 reference forward pass of a BERT encoder with mean pooling (sentence-transformers'
/// all-MiniLM-L6-v2 recipe; docs/accuracy.md, "FP32 reference").
///
/// Embeddings: word + position + token type 0, LayerNorm (ε from the model, 1e-12). Each
/// layer: Q, K, V projections; per head softmax(Q·Kᵀ/√D)·V; output projection; residual and
/// LayerNorm; FFN up, GELU (erf form), FFN down; residual and LayerNorm. The sentence embedding
/// is the mean of the last layer's rows over all tokens (a single unpadded sentence, so the
/// attention mask is all ones). sentence-transformers then L2-normalizes it, which changes no
/// cosine similarity, so it is left out.
public struct FloatEncoder: Sendable {
    public let weights: ModelWeights

    public init(weights: ModelWeights) { self.weights = weights }

    /// The embedding LayerNorm's output for `ids`: `n × hidden`, row-major.
    public func embed(_ ids: [Int32]) -> [Float] {
        let h = weights.spec.hidden
        let n = ids.count
        var x = [Float](repeating: 0, count: n * h)
        for (t, id) in ids.enumerated() {
            let word = Int(id) * h, position = t * h
            for i in 0..<h {
                x[t * h + i] = weights.wordEmbeddings[word + i] + weights.positionEmbeddings[position + i] + weights.tokenTypeEmbeddings[i]
            }
        }
        x.withUnsafeMutableBufferPointer {
            FloatKernels.layerNorm($0.baseAddress!, rows: n, n: h, gamma: weights.embeddingNormGamma,
                                   beta: weights.embeddingNormBeta, epsilon: weights.layerNormEpsilon)
        }
        return x
    }

    /// The mean-pooled sentence embedding of `ids` (`hidden` values).
    public func sentenceEmbedding(_ ids: [Int32]) -> [Float] {
        var ignored: [[Float]]?
        return meanPool(forward(ids, maxima: &ignored), rows: ids.count)
    }

    /// The last layer's output for `ids` (`n × hidden`). When `maxima` is non-nil it receives,
    /// per layer, the largest magnitude of every ``ActivationPoint``.
    public func forward(_ ids: [Int32], maxima: inout [[Float]]?) -> [Float] {
        let spec = weights.spec
        let n = ids.count, h = spec.hidden, f = spec.ffn, heads = spec.heads, d = spec.headSize
        let record = maxima != nil
        var found = record ? [[Float]](repeating: [Float](repeating: 0, count: ActivationPoint.allCases.count), count: spec.layers) : []
        func note(_ layer: Int, _ point: ActivationPoint, _ values: UnsafeBufferPointer<Float>) {
            guard record else { return }
            var m: Float = 0
            for v in values { m = max(m, abs(v)) }
            found[layer][point.rawValue] = max(found[layer][point.rawValue], m)
        }
        var x = embed(ids)
        var q = [Float](repeating: 0, count: n * h), k = q, v = q, context = q, projected = q
        var up = [Float](repeating: 0, count: n * f)
        var scores = [Float](repeating: 0, count: n * n)
        let scale = 1 / Float(d).squareRoot()
        for (l, layer) in weights.layers.enumerated() {
            x.withUnsafeBufferPointer { note(l, .input, $0) }
            linear(x, n, layer, .q, into: &q)
            linear(x, n, layer, .k, into: &k)
            linear(x, n, layer, .v, into: &v)
            q.withUnsafeBufferPointer { note(l, .query, $0) }
            k.withUnsafeBufferPointer { note(l, .key, $0) }
            v.withUnsafeBufferPointer { note(l, .value, $0) }
            var scoreMax: Float = 0
            for head in 0..<heads {
                let o = head * d
                q.withUnsafeBufferPointer { qp in
                    k.withUnsafeBufferPointer { kp in
                        for i in 0..<n {
                            for j in 0..<n {
                                scores[i * n + j] = FloatKernels.dot(qp.baseAddress! + i * h + o, kp.baseAddress! + j * h + o, d) * scale
                                scoreMax = max(scoreMax, abs(scores[i * n + j]))
                            }
                        }
                    }
                }
                for i in 0..<n {
                    var m = -Float.infinity
                    for j in 0..<n { m = max(m, scores[i * n + j]) }
                    var sum: Float = 0
                    for j in 0..<n {
                        let e = CMath.exp(scores[i * n + j] - m)
                        scores[i * n + j] = e
                        sum += e
                    }
                    for j in 0..<n { scores[i * n + j] /= sum }
                    for c in 0..<d {
                        var s: Float = 0
                        for j in 0..<n { s += scores[i * n + j] * v[j * h + o + c] }
                        context[i * h + o + c] = s
                    }
                }
            }
            if record { found[l][ActivationPoint.scores.rawValue] = scoreMax }
            context.withUnsafeBufferPointer { note(l, .context, $0) }
            linear(context, n, layer, .out, into: &projected)
            projected.withUnsafeBufferPointer { note(l, .attentionOut, $0) }
            for i in 0..<(n * h) { x[i] += projected[i] }
            x.withUnsafeMutableBufferPointer {
                FloatKernels.layerNorm($0.baseAddress!, rows: n, n: h, gamma: layer.attentionNormGamma, beta: layer.attentionNormBeta,
                                       epsilon: weights.layerNormEpsilon)
            }
            x.withUnsafeBufferPointer { note(l, .attentionNorm, $0) }
            linear(x, n, layer, .ffnUp, into: &up)
            up.withUnsafeBufferPointer { note(l, .ffnUp, $0) }
            for i in 0..<(n * f) { up[i] = FloatKernels.gelu(up[i]) }
            up.withUnsafeBufferPointer { note(l, .gelu, $0) }
            linear(up, n, layer, .ffnDown, into: &projected)
            projected.withUnsafeBufferPointer { note(l, .ffnDown, $0) }
            for i in 0..<(n * h) { x[i] += projected[i] }
            x.withUnsafeMutableBufferPointer {
                FloatKernels.layerNorm($0.baseAddress!, rows: n, n: h, gamma: layer.outputNormGamma, beta: layer.outputNormBeta,
                                       epsilon: weights.layerNormEpsilon)
            }
            x.withUnsafeBufferPointer { note(l, .outputNorm, $0) }
        }
        if record { maxima = found }
        return x
    }

    private func linear(_ x: [Float], _ rows: Int, _ layer: ModelWeights.Layer, _ m: MatrixClass, into out: inout [Float]) {
        let w = layer.matrices[m.rawValue], b = layer.biases[m.rawValue]
        let cols = b.count, k = w.count / cols
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                b.withUnsafeBufferPointer { bp in
                    out.withUnsafeMutableBufferPointer { op in
                        FloatKernels.linear(xp.baseAddress!, rows: rows, k: k, wp.baseAddress!, cols: cols, bias: bp.baseAddress!,
                                            into: op.baseAddress!)
                    }
                }
            }
        }
    }

    /// The mean of the `rows` rows of `x`.
    public func meanPool(_ x: [Float], rows: Int) -> [Float] {
        let h = weights.spec.hidden
        var sums = [Double](repeating: 0, count: h)
        for r in 0..<rows { for i in 0..<h { sums[i] += Double(x[r * h + i]) } }
        return sums.map { Float($0 / Double(rows)) }
    }
}
