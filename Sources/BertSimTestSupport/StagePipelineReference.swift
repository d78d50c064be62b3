import BertSimCore
import BertSimModels

/// Per-cycle readings of the length-aware and padded stage schedules (docs/length-aware.md),
/// written independently of the event-driven pipelines: a loop over every cycle that keeps
/// each stage's remaining work as a counter and classifies the cycle by what the stage is
/// doing. The event-driven models must agree with them to the cycle.
public enum StagePipelineReference {
    public struct Outcome: Equatable, Sendable {
        public var completions: [Int]
        public var stages: [PipelineReference.StageAccount]
        public var start: Int
        public var end: Int
        public var repartitions: Int
    }

    /// The split of `units` over the `occupied` stages (a vector over all `stages`, 0 for empty
    /// ones) with the least bottleneck max W(i, p_i): by trying every composition in
    /// lexicographic order; among the best, `previous` if it is one, else the first.
    static func bestSplit(units: Int, stages: Int, occupied: [Int], previous: [Int]?, work: (Int, Int) -> Int) -> [Int] {
        var splits: [[Int]] = []
        var parts = [Int](repeating: 1, count: occupied.count)
        func extend(_ k: Int, _ left: Int) {
            if k == occupied.count - 1 {
                parts[k] = left
                splits.append(parts)
                return
            }
            if left - (occupied.count - 1 - k) < 1 { return }
            for p in 1...(left - (occupied.count - 1 - k)) {
                parts[k] = p
                extend(k + 1, left - p)
            }
        }
        extend(0, units)
        let full = splits.map { s -> [Int] in
            var v = [Int](repeating: 0, count: stages)
            for (k, i) in occupied.enumerated() { v[i] = s[k] }
            return v
        }
        func beat(_ v: [Int]) -> Int { occupied.map { work($0, v[$0]) }.max()! }
        let best = full.map(beat).min()!
        let candidates = full.filter { beat($0) == best }
        return candidates.first { $0 == previous } ?? candidates[0]
    }

    /// The length-aware schedule. `work(stage, length, units)` is W; arrivals are cycles;
    /// `batch` closes groups of that many requests (nil: each request on its own).
    public static func lengthAware(stages: Int, units: Int, repartition: Int, lengths: [Int], arrivals: [Int],
                                   batch: Int?, work: (Int, Int, Int) -> Int,
                                   bubbles: ((Int, Int, Int) -> [Int])? = nil) -> Outcome {
        let n = lengths.count
        let groupSize = batch ?? 1
        // Each request is ready when its whole group has arrived.
        let readyAt = (0..<n).map { i in arrivals[(i / groupSize * groupSize)..<min(n, (i / groupSize + 1) * groupSize)].max()! }
        let even = max(1, units / stages)
        let priority = lengths.map { s in (0..<stages).map { work($0, s, even) }.reduce(0, +) }
        var admitted = [Bool](repeating: false, count: n)
        var queue: [Int] = []
        var holds = [Int?](repeating: nil, count: stages)
        var remaining = [Int](repeating: 0, count: stages)
        // Each stage's work and its own bubbles by cause in this beat.
        var total = [Int](repeating: 0, count: stages)
        var own = [[Int]](repeating: [], count: stages)
        var repartitionLeft = 0
        var inBeat = false
        var previous: [Int]?
        var completions = [Int?](repeating: nil, count: n)
        var accounts = [PipelineReference.StageAccount](repeating: .init(), count: stages)
        var repartitions = 0
        let start = arrivals.min() ?? 0
        var t = start
        var done = 0
        while done < n {
            for i in 0..<n where !admitted[i] && readyAt[i] <= t {
                admitted[i] = true
                queue.append(i)
            }
            if !inBeat {
                holds = [nil] + holds.dropLast()
                if !queue.isEmpty {
                    // Highest priority, then earliest arrival, then trace order.
                    let pick = queue.min { a, b in
                        (-priority[a], arrivals[a], a) < (-priority[b], arrivals[b], b)
                    }!
                    queue.removeAll { $0 == pick }
                    holds[0] = pick
                }
                let occupied = (0..<stages).filter { holds[$0] != nil }
                if !occupied.isEmpty {
                    let split = bestSplit(units: units, stages: stages, occupied: occupied, previous: previous) {
                        work($0, lengths[holds[$0]!], $1)
                    }
                    let changed = previous != nil && previous != split
                    repartitionLeft = changed ? repartition : 0
                    if changed { repartitions += 1 }
                    previous = split
                    for i in 0..<stages {
                        remaining[i] = holds[i].map { work(i, lengths[$0], split[i]) } ?? 0
                        total[i] = remaining[i]
                        own[i] = holds[i].flatMap { h in bubbles?(i, lengths[h], split[i]) }
                            ?? [Int](repeating: 0, count: BubbleCause.allCases.count)
                    }
                    inBeat = true
                }
            }
            // Classify cycle t for every stage, then advance.
            for i in 0..<stages {
                let cause: Activity
                if !inBeat || holds[i] == nil {
                    cause = .bubble(.starved)
                } else if repartitionLeft > 0 {
                    cause = .bubble(.dependency)
                } else if remaining[i] > 0 {
                    // The e-th cycle of the work: busy for the first W − Σ own, then each
                    // cause's own cycles in cause order.
                    var e = total[i] - remaining[i] - (total[i] - own[i].reduce(0, +))
                    var c: Activity = .busy
                    if e >= 0 {
                        for k in BubbleCause.allCases {
                            if e < own[i][k.index] { c = .bubble(k); break }
                            e -= own[i][k.index]
                        }
                    }
                    cause = c
                } else if ((i + 1)..<stages).contains(where: { remaining[$0] > 0 }) {
                    cause = .bubble(.blocked)
                } else {
                    cause = .bubble(.starved)
                }
                switch cause {
                case .busy: accounts[i].busy += 1
                case .bubble(let c): accounts[i].bubbles[c.index] += 1
                }
            }
            if inBeat {
                if repartitionLeft > 0 {
                    repartitionLeft -= 1
                } else {
                    for i in 0..<stages where remaining[i] > 0 { remaining[i] -= 1 }
                }
            }
            t += 1
            if inBeat && repartitionLeft == 0 {
                if let last = holds[stages - 1], remaining[stages - 1] == 0, completions[last] == nil {
                    completions[last] = t
                    done += 1
                }
                if remaining.allSatisfy({ $0 == 0 }) {
                    inBeat = false
                    if let last = holds[stages - 1], completions[last] == nil {
                        completions[last] = t
                        done += 1
                    }
                }
            }
        }
        // The window ends at the last completion: drop the cycles counted past it.
        let end = completions.map { $0! }.max() ?? start
        precondition(t == end, "reference overran the last completion")
        return Outcome(completions: completions.map { $0! }, stages: accounts, start: start, end: end, repartitions: repartitions)
    }

    /// The padded schedule on the whole array (one account: "array").
    public static func padded(stages: Int, units: Int, padTo: Int?, lengths: [Int], arrivals: [Int], batch: Int?,
                              work: (Int, Int, Int) -> Int) -> Outcome {
        let groupSize = batch ?? 1
        let n = lengths.count
        var account = PipelineReference.StageAccount()
        var completions = [Int](repeating: 0, count: n)
        let start = arrivals.min() ?? 0
        var t = start
        var first = 0
        while first < n {
            let group = first..<min(n, first + groupSize)
            let ready = group.map { arrivals[$0] }.max()!
            while t < ready {
                account.bubbles[BubbleCause.starved.index] += 1
                t += 1
            }
            let padded = max(group.map { lengths[$0] }.max()!, padTo ?? 0)
            for stage in 0..<stages {
                for i in group {
                    let w = work(stage, padded, units)
                    for c in 0..<w {
                        if c < w * lengths[i] / padded {
                            account.busy += 1
                        } else {
                            account.bubbles[BubbleCause.padding.index] += 1
                        }
                        t += 1
                    }
                }
            }
            for i in group { completions[i] = t }
            first = group.upperBound
        }
        return Outcome(completions: completions, stages: [account], start: start, end: t, repartitions: 0)
    }
}
