import Foundation

/// How much attention mass a top-k selection keeps, from real attention (docs/sparse-attention.md).
///
/// The measurements (``measured``, from all-MiniLM-L6-v2 on real GLUE, SQuAD and news inputs;
/// data/attention/README.md) give, per input group of mean length L, the mass of the top-8, 16
/// and 32 keys per query and k90, the keys holding 90% of it, averaged over layers. For one
/// group the mass of the top k keys is read off the piecewise-linear curve through (0, 0),
/// (8, top8), (16, top16), (32, top32), (k90, 0.9) and (L, 1), made non-decreasing, and 1 past
/// its last point. For a sequence of n tokens, the two groups whose lengths bracket n are read at
/// the same k and mixed linearly in log n; below the shortest or above the longest group, that
/// group is read at the same fraction of keys, k × L / n. Keeping all keys (k ≥ n) keeps it all.
public enum AttentionStatistics {
    public struct Group: Sendable {
        public var name: String
        public var meanLength: Double
        public var top8: Double
        public var top16: Double
        public var top32: Double
        public var k90: Double

        /// The curve's points, sorted by k and made non-decreasing in mass.
        var points: [(k: Double, mass: Double)] {
            var p = [(0.0, 0.0), (8, top8), (16, top16), (32, top32), (k90, 0.9), (meanLength, 1.0)].sorted { $0.0 < $1.0 }
            for i in 1..<p.count { p[i].1 = max(p[i].1, p[i - 1].1) }
            return p
        }

        /// The mass of the top `k` keys of this group's attention.
        public func mass(k: Double) -> Double {
            let p = points
            if k >= p.last!.k { return 1 }
            for i in 1..<p.count where k <= p[i].k {
                let (a, b) = (p[i - 1], p[i])
                return a.mass + (b.mass - a.mass) * (k - a.k) / (b.k - a.k)
            }
            return 1
        }
    }

    /// The attention mass the top `k` of `n` keys keep.
    public static func massKept(k: Int, n: Int) -> Double {
        if k >= n { return 1 }
        let groups = measured
        let length = Double(n), keys = Double(k)
        guard let first = groups.first, let last = groups.last else { return 1 }
        if length <= first.meanLength { return first.mass(k: keys * first.meanLength / length) }
        if length >= last.meanLength { return last.mass(k: keys * last.meanLength / length) }
        let upper = groups.firstIndex { $0.meanLength >= length }!
        let (lo, hi) = (groups[upper - 1], groups[upper])
        let w = (log(length) - log(lo.meanLength)) / (log(hi.meanLength) - log(lo.meanLength))
        return (1 - w) * lo.mass(k: keys) + w * hi.mass(k: keys)
    }
}
