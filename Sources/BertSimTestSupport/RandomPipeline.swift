import BertSimCore
import BertSimModels
import BertSimWorkload

/// A small random pipeline netlist and workload, reproducible from a seed, for comparing the
/// event-driven netlist with its per-cycle reference and one kernel with another.
public struct RandomPipeline: Sendable {
    public var config: PipelineNetlist.Config
    public var arrivals: [Int]
    public var tokens: [Int]

    /// A 1 GHz clock, so trace nanoseconds are cycles.
    public static let clock = Clock(kilohertz: 1_000_000)

    public init(config: PipelineNetlist.Config, arrivals: [Int], tokens: [Int]) {
        self.config = config
        self.arrivals = arrivals
        self.tokens = tokens
    }

    public init(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        func pick(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(rng.next() % UInt64(r.count)) }
        let stages = (0..<pick(1...4)).map { i in
            PipelineStage.Config(name: "s\(i)", latency: Cycles(pick(0...6)),
                                 initiationInterval: Cycles(pick(1...3)), depth: pick(1...3), lanes: pick(1...4))
        }
        config = PipelineNetlist.Config(fifoDepth: pick(1...3), stages: stages)
        let count = pick(1...14)
        var t = pick(0...5)
        var arrivals: [Int] = []
        for _ in 0..<count {
            arrivals.append(t)
            t += pick(0...1) == 0 ? 0 : pick(0...12)
        }
        self.arrivals = arrivals
        tokens = (0..<count).map { _ in pick(1...9) }
    }

    /// Runs the netlist on `kernel`.
    public func simulate(on kernel: any SimKernel) throws -> SimulationResult {
        var i = 0
        defer { try? kernel.finish() }   // releases the components (they hold the kernel)
        let netlist = PipelineNetlist(config, kernel: kernel, clock: Self.clock) {
            defer { i += 1 }
            return i < arrivals.count ? Request(id: i, arrivalNs: arrivals[i], tokens: tokens[i]) : nil
        }
        return try netlist.run()
    }

    /// The per-cycle reference's answer.
    public var reference: PipelineReference.Outcome {
        PipelineReference.run(config, arrivals: arrivals, tokens: tokens)
    }

    /// A netlist result in the reference's terms.
    public static func outcome(_ r: SimulationResult) -> PipelineReference.Outcome {
        PipelineReference.Outcome(
            completions: r.completions.map(\.value),
            stages: r.stages.map { s in
                PipelineReference.StageAccount(busy: s.busy.count, bubbles: BubbleCause.allCases.map { s.bubbles($0).count })
            },
            end: r.windowEnd.value)
    }

    /// One line that two runs agree on exactly when their cycles and bubbles agree.
    public static func summary(_ o: PipelineReference.Outcome) -> String {
        "completions \(o.completions) end \(o.end) stages \(o.stages.map { "\($0.busy)/\($0.bubbles)" })"
    }
}
