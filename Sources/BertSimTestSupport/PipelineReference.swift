import BertSimCore
import BertSimModels

/// A per-cycle reading of the pipeline's timing model, written independently of the
/// event-driven components: every cycle, every unit tries to make progress until nothing
/// changes, then each stage's cycle is classified as busy or a bubble with its cause.
/// The event-driven netlist must agree with it to the cycle.
public struct PipelineReference {
    public struct StageAccount: Equatable, Sendable {
        public var busy = 0
        public var bubbles = [Int](repeating: 0, count: BubbleCause.allCases.count)
        public init(busy: Int = 0, bubbles: [Int] = [Int](repeating: 0, count: BubbleCause.allCases.count)) {
            self.busy = busy
            self.bubbles = bubbles
        }
    }

    public struct Outcome: Equatable, Sendable {
        public var completions: [Int]
        public var stages: [StageAccount]
        public var end: Int
    }

    public static func run(_ config: PipelineNetlist.Config, arrivals: [Int], tokens: [Int]) -> Outcome {
        let n = config.stages.count
        var fifos = [[(req: Int, tokens: Int)]](repeating: [], count: n + 1)
        var inflight = [[(req: Int, tokens: Int, ready: Int)]](repeating: [], count: n)
        var slotFree = [Int](repeating: 0, count: n)
        var completions = [Int?](repeating: nil, count: arrivals.count)
        var accounts = [StageAccount](repeating: StageAccount(), count: n)
        var nextArrival = 0
        var done = 0
        let start = arrivals.first ?? 0
        var t = start
        var perCycle: [[Activity]] = Array(repeating: [], count: n)
        while done < arrivals.count {
            var changed = true
            while changed {
                changed = false
                while nextArrival < arrivals.count, arrivals[nextArrival] <= t, fifos[0].count < config.fifoDepth {
                    fifos[0].append((nextArrival, tokens[nextArrival]))
                    nextArrival += 1
                    changed = true
                }
                for i in 0..<n {
                    let c = config.stages[i]
                    func retire() {
                        while let h = inflight[i].first, h.ready <= t, fifos[i + 1].count < config.fifoDepth {
                            fifos[i + 1].append((h.req, h.tokens))
                            inflight[i].removeFirst()
                            changed = true
                        }
                    }
                    retire()
                    if slotFree[i] <= t, inflight[i].count < c.depth, !fifos[i].isEmpty {
                        let item = fifos[i].removeFirst()
                        let beats = (item.tokens + c.lanes - 1) / c.lanes
                        slotFree[i] = t + beats * c.initiationInterval.count
                        inflight[i].append((item.req, item.tokens, t + (beats - 1) * c.initiationInterval.count + c.latency.count))
                        changed = true
                    }
                    retire()
                }
                while let item = fifos[n].first {
                    fifos[n].removeFirst()
                    completions[item.req] = t
                    done += 1
                    changed = true
                }
            }
            if done == arrivals.count { break }
            for i in 0..<n {
                let c = config.stages[i]
                if slotFree[i] > t {
                    perCycle[i].append(.busy)
                } else if inflight[i].count >= c.depth {
                    perCycle[i].append(.bubble(inflight[i].first!.ready <= t ? .blocked : .dependency))
                } else {
                    perCycle[i].append(.bubble(.starved))
                }
            }
            t += 1
        }
        for i in 0..<n {
            for a in perCycle[i] {
                switch a {
                case .busy: accounts[i].busy += 1
                case .bubble(let cause): accounts[i].bubbles[cause.index] += 1
                }
            }
        }
        return Outcome(completions: completions.map { $0! }, stages: accounts, end: t)
    }
}
