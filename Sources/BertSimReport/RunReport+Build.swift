import BertSimCore
import BertSimModels
import BertSimWorkload

extension RunReport {
    /// The simulator's version, shown in reports.
    public static let simulatorVersion = "0.1.0"

    /// The dense twin of a sparse-attention run: its cycles and attention-phase cycles.
    public struct DenseTwin: Sendable {
        public var cycles: Int
        public var attentionCycles: Int
        public init(cycles: Int, attentionCycles: Int) {
            self.cycles = cycles
            self.attentionCycles = attentionCycles
        }
    }

    /// Builds the report of a finished simulation of `config` on `kernel`.
    public init(result: SimulationResult, config: ConfigSection, trace: TraceHeader, tracePath: String,
                kernel: KernelChoice, notes extraNotes: [String] = [], dense: DenseTwin? = nil) {
        let hardware = config.resolved
        let clock = hardware.clock
        let requests = result.completions.count
        let cycles = result.cycles
        let latencies = result.latencies.map(\.count).sorted()
        let ms = { (c: Int) in clock.milliseconds(Cycles(c)) }
        let mean = latencies.isEmpty ? 0 : Double(latencies.reduce(0, +)) / Double(latencies.count)
        var timeline: TimelineOverview?
        if !result.stages.isEmpty {
            let (start, end) = (result.windowStart.value, result.windowEnd.value)
            if result.stages.allSatisfy({ $0.ledger.recording == .intervals }) {
                timeline = TimelineOverview(stages: result.stages.map { ($0.name, $0.ledger.intervals) }, start: start, end: end)
            } else if result.stages.allSatisfy({ if case .spans = $0.ledger.recording { true } else { false } }) {
                timeline = TimelineOverview(spans: result.stages.map { ($0.name, $0.ledger.spans) }, start: start, end: end)
            }
        }
        let power = hardware.power(cycles: cycles, requests: requests, activity: result.activity)
        self.init(
            schemaVersion: Self.currentSchemaVersion,
            simulator: Simulator(name: "bertsim", version: Self.simulatorVersion, kernel: kernel),
            config: config,
            workload: Workload(path: tracePath, requests: requests, tokens: result.tokens, model: trace.model,
                               batch: trace.batch, source: trace.source),
            totals: Totals(
                cycles: cycles.count, latencyMs: clock.milliseconds(cycles), requests: requests, tokens: result.tokens,
                throughputPerS: cycles.count == 0 ? 0 : Double(requests) / clock.seconds(cycles),
                energyMj: power.map(\.energy.total), clockMhz: clock.megahertz),
            latency: Latency(
                meanMs: mean / Double(clock.kilohertz),
                p50Ms: ms(nearestRankPercentile(latencies, 50) ?? 0),
                p90Ms: ms(nearestRankPercentile(latencies, 90) ?? 0),
                p99Ms: ms(nearestRankPercentile(latencies, 99) ?? 0),
                maxMs: ms(latencies.last ?? 0),
                histogram: Self.histogram(latencies.map(ms), bins: 20)),
            stages: result.stages.map { s in
                Stage(name: s.name, busyCycles: s.busy.count, elapsedCycles: s.elapsed.count,
                      bubbles: Bubbles(BubbleCause.allCases.map { s.bubbles($0).count }),
                      bubbleIntervals: Bubbles(BubbleCause.allCases.map { s.ledger.bubbleIntervals[$0.index] }),
                      laneUtilization: s.laneUtilization)
            },
            memory: result.memory,
            resources: hardware.resourceUsage,
            power: power,
            sparseAttention: result.sparseAttention.map { s in
                SparseAttentionSection(result: s, cycles: cycles.count, denseCycles: dense?.cycles ?? 0,
                                       denseAttentionCycles: dense?.attentionCycles ?? 0)
            },
            statistics: result.statistics + [
                StatEntry("kernel.process_evaluations", Double(result.evaluations), .events,
                          "Process evaluations the kernel ran (equal on both kernels)")
            ],
            notes: extraNotes,
            timeline: timeline)
    }

    /// Requests per latency bin: `bins` equal bins from 0 to the largest latency.
    static func histogram(_ latencies: [Double], bins: Int) -> [Latency.Bin] {
        guard let top = latencies.max(), top > 0 else { return [] }
        let width = top / Double(bins)
        var counts = [Int](repeating: 0, count: bins)
        for l in latencies { counts[min(bins - 1, Int(l / width))] += 1 }
        return counts.enumerated().map { Latency.Bin(upperMs: width * Double($0.offset + 1), requests: $0.element) }
    }
}
