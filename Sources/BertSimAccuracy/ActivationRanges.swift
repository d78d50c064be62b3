import Foundation

/// The activation ranges the scales are set from (docs/accuracy.md, "Calibration"): for every
/// layer and ``ActivationPoint``, the mean over the calibration sentences of each sentence's
/// largest magnitude — the value FQ-BERT's exponential moving average of max|A| tracks, without
/// its dependence on the order of the sentences.
///
/// Measured on the FP32 model with the design's pruned weights (dense attention), on sentences
/// disjoint from the scored ones (`data/text/calibration-sentences.txt`).
public struct ActivationRanges: Sendable, Equatable {
    /// `maxima[layer][point.rawValue]`.
    public var maxima: [[Double]]

    public init(maxima: [[Double]]) { self.maxima = maxima }

    public subscript(layer: Int, point: ActivationPoint) -> Double { maxima[layer][point.rawValue] }

    /// The largest range of `point` over all layers.
    public func overLayers(_ point: ActivationPoint) -> Double { maxima.map { $0[point.rawValue] }.max() ?? 0 }

    /// Runs `encoder` on every sentence (in parallel) and averages the per-sentence maxima in
    /// sentence order.
    public static func calibrate(_ encoder: FloatEncoder, sentences: [[Int32]]) -> ActivationRanges {
        let layers = encoder.weights.spec.layers, points = ActivationPoint.allCases.count
        let perSentence = Parallel.map(sentences.count) { i in
            var maxima: [[Float]]? = []
            _ = encoder.forward(sentences[i], maxima: &maxima)
            return maxima ?? []
        }
        var sums = [[Double]](repeating: [Double](repeating: 0, count: points), count: layers)
        for s in perSentence {
            for l in 0..<layers { for p in 0..<points { sums[l][p] += Double(s[l][p]) } }
        }
        let n = Double(max(1, sentences.count))
        return ActivationRanges(maxima: sums.map { $0.map { $0 / n } })
    }
}
