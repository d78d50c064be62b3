/// The split of P processing units among the occupied stages of a beat that makes the slowest
/// stage fastest (docs/length-aware.md, "The split"), found exactly by dynamic programming.
///
/// Stage k of the K occupied stages takes p_k ≥ 1 units, Σ p_k = P, and needs W_k(p_k) cycles
/// (nil: it cannot run on p_k units). The split minimizes max_k W_k(p_k); among the splits that
/// reach the minimum it keeps `previous` when that is one of them (no repartition), else takes
/// the lexicographically first (fewest units to the first stage, then the second, …) — the
/// choice an exhaustive search over all C(P−1, K−1) compositions makes, in O(K·P²) lookups
/// of W instead of C(P−1, K−1)·K (1.35 million splits per beat for 24 units and 12 stages).
///
/// No assumption on W: it need not fall with more units. The suffix table g(k, u), the least
/// bottleneck of stages k… on exactly u units, is built from the last stage back; the split
/// is then read front to back, each stage taking the fewest units that keep the optimum.
public enum SplitSearch {
    /// The best split and its bottleneck, or nil when no split can run the stages.
    public static func best(units: Int, stages: Int, previous: [Int]? = nil,
                            cycles: (_ stage: Int, _ units: Int) -> Int?) -> (split: [Int], beat: Int)? {
        guard stages >= 1, units >= stages else { return nil }
        // W_k(p) for p in 1...units − (stages − 1): every stage needs at least one unit.
        let most = units - (stages - 1)
        let w: [[Int?]] = (0..<stages).map { k in (0...most).map { p in p == 0 ? nil : cycles(k, p) } }
        // g[k][u]: least bottleneck of stages k..<stages on exactly u units (nil: impossible).
        var g = [[Int?]](repeating: [Int?](repeating: nil, count: units + 1), count: stages + 1)
        g[stages][0] = 0
        for k in stride(from: stages - 1, through: 0, by: -1) {
            let after = stages - 1 - k   // stages after k, each needing a unit
            for u in (after + 1)...units {
                var bestValue: Int?
                for p in 1...min(most, u - after) {
                    guard let own = w[k][p], let rest = g[k + 1][u - p] else { continue }
                    let value = max(own, rest)
                    if bestValue == nil || value < bestValue! { bestValue = value }
                }
                g[k][u] = bestValue
            }
        }
        guard let optimum = g[0][units] else { return nil }
        // Keep the previous split when it is optimal: no repartition.
        if let previous, previous.count == stages, previous.allSatisfy({ $0 >= 1 && $0 <= most }),
           previous.reduce(0, +) == units,
           let beat = previous.enumerated().map({ w[$0.offset][$0.element] }).reduce(Optional(0), { acc, x in
               guard let acc, let x else { return nil }
               return max(acc, x)
           }), beat == optimum {
            return (previous, optimum)
        }
        // Lexicographically first optimal split: each stage the fewest units that keep it.
        var split: [Int] = []
        var left = units
        for k in 0..<stages {
            let after = stages - 1 - k
            var chosen: Int?
            for p in 1...min(most, left - after) {
                guard let own = w[k][p], own <= optimum, let rest = g[k + 1][left - p], rest <= optimum else { continue }
                chosen = p
                break
            }
            guard let p = chosen else { return nil }   // unreachable: g says a split exists
            split.append(p)
            left -= p
        }
        return (split, optimum)
    }
}
