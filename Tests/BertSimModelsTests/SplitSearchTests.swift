@testable import BertSimModels
import BertSimCore
import Testing

/// The beat's split of processing units (docs/length-aware.md, "The split"): the dynamic
/// program equals an exhaustive search over every composition, ties included.
@Suite struct SplitSearchTests {
    /// Every composition of `n` into `k` positive parts, in lexicographic order.
    static func compositions(_ n: Int, _ k: Int) -> [[Int]] {
        if k == 1 { return n >= 1 ? [[n]] : [] }
        guard n >= k else { return [] }
        return (1...(n - k + 1)).flatMap { first in compositions(n - first, k - 1).map { [first] + $0 } }
    }

    /// The exhaustive search the scheduler did before: least bottleneck, then the previous
    /// split, then the first composition.
    static func exhaustive(units: Int, stages: Int, previous: [Int]?, cycles: (Int, Int) -> Int?) -> (split: [Int], beat: Int)? {
        var best: (split: [Int], beat: Int, kept: Bool)?
        for split in compositions(units, stages) {
            var beat = 0
            var runs = true
            for (k, p) in split.enumerated() {
                guard let w = cycles(k, p) else { runs = false; break }
                beat = max(beat, w)
            }
            guard runs else { continue }
            let kept = split == previous
            if best == nil || beat < best!.beat || (beat == best!.beat && kept && !best!.kept) { best = (split, beat, kept) }
        }
        return best.map { ($0.split, $0.beat) }
    }

    @Test func compositionsAreEveryOrderedSplit() {
        #expect(Self.compositions(4, 2) == [[1, 3], [2, 2], [3, 1]])
        #expect(Self.compositions(5, 3).count == 6)
        #expect(Self.compositions(2, 3).isEmpty)
    }

    @Test func handWorkedCase() {
        // Two stages, 4 units: W0 = 12/p, W1 = 6/p (rounded up). Splits (1,3) 12, (2,2) 6, (3,1) 6:
        // the best bottleneck is 6, first reached by (2, 2).
        let w = { (k: Int, p: Int) -> Int? in (k == 0 ? 12 : 6).ceilDiv(p) }
        #expect(SplitSearch.best(units: 4, stages: 2, cycles: w)! == ([2, 2], 6))
        // Keeping (3, 1), also 6, avoids a repartition.
        #expect(SplitSearch.best(units: 4, stages: 2, previous: [3, 1], cycles: w)! == ([3, 1], 6))
        // A previous split that is worse is not kept.
        #expect(SplitSearch.best(units: 4, stages: 2, previous: [1, 3], cycles: w)! == ([2, 2], 6))
        // Stage 1 cannot run on fewer than 2 units: (2, 2) is the only split that runs.
        #expect(SplitSearch.best(units: 4, stages: 2) { k, p in k == 1 && p < 2 ? nil : 1 }! == ([1, 3], 1))
        #expect(SplitSearch.best(units: 3, stages: 4) { _, _ in 1 } == nil)
        #expect(SplitSearch.best(units: 4, stages: 2) { _, _ in nil } == nil)
    }

    /// Random cost tables, monotone or not, with holes, and random previous splits: the same
    /// split and bottleneck as the exhaustive search.
    @Test func equalsTheExhaustiveSearch() {
        var rng = SplitMix64(seed: 17)
        for trial in 0..<400 {
            let units = 1 + Int(rng.next() % 12)
            let stages = 1 + Int(rng.next() % UInt64(min(units, 6)))
            let monotone = trial % 2 == 0
            var table: [[Int?]] = []
            for _ in 0..<stages {
                var row: [Int?] = [nil]
                var last = 200
                for _ in 1...units {
                    if rng.next() % 9 == 0 { row.append(nil); continue }
                    let value = monotone ? max(1, last - Int(rng.next() % 40)) : 1 + Int(rng.next() % 60)
                    last = value
                    row.append(value)
                }
                table.append(row)
            }
            let all = Self.compositions(units, stages)
            let previous = all.isEmpty || rng.next() % 2 == 0 ? nil : all[Int(rng.next() % UInt64(all.count))]
            let cycles = { (k: Int, p: Int) -> Int? in table[k][p] }
            let fast = SplitSearch.best(units: units, stages: stages, previous: previous, cycles: cycles)
            let slow = Self.exhaustive(units: units, stages: stages, previous: previous, cycles: cycles)
            #expect(fast?.split == slow?.split && fast?.beat == slow?.beat,
                    "units \(units), stages \(stages), previous \(String(describing: previous)): \(String(describing: fast)) vs \(String(describing: slow))")
        }
    }

    /// The size the exhaustive search could not take: 24 units over 12 stages (C(23, 11) ≈
    /// 1.35 million compositions) costs K·P evaluations of W.
    @Test func twentyFourUnitsTwelveStages() {
        var evaluations = 0
        let found = SplitSearch.best(units: 24, stages: 12) { k, p in
            evaluations += 1
            return (1000 * (k + 1)).ceilDiv(p)
        }
        #expect(found != nil)
        #expect(found!.split.reduce(0, +) == 24)
        #expect(evaluations == 12 * 13)
        // The slowest stage (12000/p) gets the most units.
        #expect(found!.split.last == found!.split.max())
    }
}
