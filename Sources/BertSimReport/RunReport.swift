import BertSimCore
import BertSimModels
import BertSimWorkload

/// The result of one simulation, as users and scripts see it (docs/contract.md, "JSON report").
///
/// Deterministic: the same inputs give the same report, byte for byte. Nothing about the
/// host (times, dates, paths other than those given) goes in.
public struct RunReport: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var simulator: Simulator
    public var config: ConfigSection
    public var workload: Workload
    public var totals: Totals
    public var latency: Latency
    public var stages: [Stage]
    /// Off-chip traffic; null for a design without a memory system (the walking-skeleton
    /// pipeline).
    public var memory: MemoryTraffic?
    /// Device resources used and available on the board; null without a board.
    public var resources: ResourceUsage?
    /// Power and energy; null without a board.
    public var power: PowerEstimate?
    /// Sparse attention's costs, speedup and mass kept; absent when attention is dense.
    public var sparseAttention: SparseAttentionSection?
    /// Every statistic, flat and ordered.
    public var statistics: [StatEntry]
    /// What the numbers do and do not include.
    public var notes: [String]
    /// Each stage over the run in 100 equal bins, when the run recorded intervals (`--html`,
    /// `--timeline`); absent otherwise.
    public var timeline: TimelineOverview?
    /// The scheduler that produced the run; absent for the walking-skeleton pipeline.
    public var scheduler: Scheduler? = nil
    /// With `--scheduler both`: the padded and the length-aware run side by side.
    public var schedulers: [SchedulerSummary]? = nil
    /// Pruned weights: sizes, bank-conflict stalls and latency versus dense; absent when weights
    /// are dense.
    public var pruning: PruningSection? = nil
    /// Set when `--max-cycles` or `--max-seconds` ended the run before every request finished;
    /// absent for a complete run.
    public var partial: PartialRun? = nil

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case simulator, config, workload, scheduler, totals, latency, stages, memory, resources, power, statistics, notes
        case timeline, schedulers, pruning, partial
        case sparseAttention = "sparse_attention"
    }

    public init(schemaVersion: Int, simulator: Simulator, config: ConfigSection, workload: Workload, totals: Totals,
                latency: Latency, stages: [Stage], memory: MemoryTraffic?, resources: ResourceUsage?, power: PowerEstimate?,
                sparseAttention: SparseAttentionSection?, statistics: [StatEntry], notes: [String], timeline: TimelineOverview?) {
        self.schemaVersion = schemaVersion
        self.simulator = simulator
        self.config = config
        self.workload = workload
        self.totals = totals
        self.latency = latency
        self.stages = stages
        self.memory = memory
        self.resources = resources
        self.power = power
        self.sparseAttention = sparseAttention
        self.statistics = statistics
        self.notes = notes
        self.timeline = timeline
    }

    /// `memory`, `resources` and `power` are always present (null when absent); the feature
    /// sections only when they apply.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(simulator, forKey: .simulator)
        try c.encode(config, forKey: .config)
        try c.encode(workload, forKey: .workload)
        try c.encode(totals, forKey: .totals)
        try c.encode(latency, forKey: .latency)
        try c.encode(stages, forKey: .stages)
        try c.encode(memory, forKey: .memory)
        try c.encode(resources, forKey: .resources)
        try c.encode(power, forKey: .power)
        try c.encodeIfPresent(sparseAttention, forKey: .sparseAttention)
        try c.encode(statistics, forKey: .statistics)
        try c.encode(notes, forKey: .notes)
        try c.encodeIfPresent(timeline, forKey: .timeline)
        try c.encodeIfPresent(scheduler, forKey: .scheduler)
        try c.encodeIfPresent(schedulers, forKey: .schedulers)
        try c.encodeIfPresent(pruning, forKey: .pruning)
        try c.encodeIfPresent(partial, forKey: .partial)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(schemaVersion: try c.decode(Int.self, forKey: .schemaVersion), simulator: try c.decode(Simulator.self, forKey: .simulator),
                  config: try c.decode(ConfigSection.self, forKey: .config), workload: try c.decode(Workload.self, forKey: .workload),
                  totals: try c.decode(Totals.self, forKey: .totals), latency: try c.decode(Latency.self, forKey: .latency),
                  stages: try c.decode([Stage].self, forKey: .stages),
                  memory: try c.decodeIfPresent(MemoryTraffic.self, forKey: .memory),
                  resources: try c.decodeIfPresent(ResourceUsage.self, forKey: .resources),
                  power: try c.decodeIfPresent(PowerEstimate.self, forKey: .power),
                  sparseAttention: try c.decodeIfPresent(SparseAttentionSection.self, forKey: .sparseAttention),
                  statistics: try c.decode([StatEntry].self, forKey: .statistics), notes: try c.decode([String].self, forKey: .notes),
                  timeline: try c.decodeIfPresent(TimelineOverview.self, forKey: .timeline))
        scheduler = try c.decodeIfPresent(Scheduler.self, forKey: .scheduler)
        schedulers = try c.decodeIfPresent([SchedulerSummary].self, forKey: .schedulers)
        pruning = try c.decodeIfPresent(PruningSection.self, forKey: .pruning)
        partial = try c.decodeIfPresent(PartialRun.self, forKey: .partial)
    }

    public struct Simulator: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
        /// The kernel that ran the simulation.
        public var kernel: KernelChoice
    }

    /// The config the run simulated: where it came from, its hash, and every value resolved.
    public struct ConfigSection: Codable, Sendable, Equatable {
        public var path: String
        /// FNV-1a 64-bit hash of the resolved config's canonical JSON: equal designs, equal hash.
        public var hash: String
        public var resolved: HardwareConfig

        public init(path: String, hash: String, resolved: HardwareConfig) {
            self.path = path
            self.hash = hash
            self.resolved = resolved
        }
    }

    public struct Workload: Codable, Sendable, Equatable {
        public var path: String
        public var requests: Int
        public var tokens: Int
        public var model: ModelSpec
        /// Closed batch size, or null for open arrivals.
        public var batch: Int?
        public var source: String?

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path)
            try c.encode(requests, forKey: .requests)
            try c.encode(tokens, forKey: .tokens)
            try c.encode(model, forKey: .model)
            try c.encode(batch, forKey: .batch)
            try c.encode(source, forKey: .source)
        }
    }

    public struct Totals: Codable, Sendable, Equatable {
        /// First arrival to last completion.
        public var cycles: Int
        public var latencyMs: Double
        public var requests: Int
        public var tokens: Int
        public var throughputPerS: Double
        /// Energy of the whole run; null without a board.
        public var energyMj: Double?
        public var clockMhz: Double

        enum CodingKeys: String, CodingKey {
            case cycles
            case latencyMs = "latency_ms"
            case requests, tokens
            case throughputPerS = "throughput_per_s"
            case energyMj = "energy_mj"
            case clockMhz = "clock_mhz"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(cycles, forKey: .cycles)
            try c.encode(latencyMs, forKey: .latencyMs)
            try c.encode(requests, forKey: .requests)
            try c.encode(tokens, forKey: .tokens)
            try c.encode(throughputPerS, forKey: .throughputPerS)
            try c.encode(energyMj, forKey: .energyMj)
            try c.encode(clockMhz, forKey: .clockMhz)
        }
    }

    /// Per-request latency, arrival to completion (nearest-rank percentiles).
    public struct Latency: Codable, Sendable, Equatable {
        public var meanMs: Double
        public var p50Ms: Double
        public var p90Ms: Double
        public var p99Ms: Double
        public var maxMs: Double
        /// Requests per latency bin: 20 equal bins from 0 to the maximum.
        public var histogram: [Bin]

        public struct Bin: Codable, Sendable, Equatable {
            public var upperMs: Double
            public var requests: Int

            enum CodingKeys: String, CodingKey {
                case upperMs = "upper_ms"
                case requests
            }
        }

        enum CodingKeys: String, CodingKey {
            case histogram
            case meanMs = "mean_ms"
            case p50Ms = "p50_ms"
            case p90Ms = "p90_ms"
            case p99Ms = "p99_ms"
            case maxMs = "max_ms"
        }
    }

    public struct Stage: Codable, Sendable, Equatable {
        public var name: String
        public var busyCycles: Int
        public var elapsedCycles: Int
        public var bubbles: Bubbles
        /// Maximal bubble intervals per cause.
        public var bubbleIntervals: Bubbles
        public var laneUtilization: Double

        enum CodingKeys: String, CodingKey {
            case name
            case busyCycles = "busy_cycles"
            case elapsedCycles = "elapsed_cycles"
            case bubbles
            case bubbleIntervals = "bubble_intervals"
            case laneUtilization = "lane_utilization"
        }

        /// Busy share of the elapsed cycles.
        public var utilization: Double { elapsedCycles == 0 ? 0 : Double(busyCycles) / Double(elapsedCycles) }
    }

    /// One value per bubble cause, all seven always present.
    public struct Bubbles: Codable, Sendable, Equatable {
        public var starved = 0
        public var blocked = 0
        public var memory = 0
        public var dependency = 0
        public var padding = 0
        public var imbalance = 0
        public var control = 0

        public init() {}

        public init(_ values: [Int]) {
            precondition(values.count == BubbleCause.allCases.count)
            (starved, blocked, memory, dependency, padding, imbalance, control) =
                (values[0], values[1], values[2], values[3], values[4], values[5], values[6])
        }

        public subscript(cause: BubbleCause) -> Int {
            switch cause {
            case .starved: starved
            case .blocked: blocked
            case .memory: memory
            case .dependency: dependency
            case .padding: padding
            case .imbalance: imbalance
            case .control: control
            }
        }

        public var total: Int { starved + blocked + memory + dependency + padding + imbalance + control }
    }
}

/// Each stage's activity over the run in equal bins: the busy share of every bin and, per
/// bubble cause, its share.
public struct TimelineOverview: Codable, Sendable, Equatable {
    public struct Stage: Codable, Sendable, Equatable {
        public var name: String
        /// Busy share of each bin (0…1).
        public var busy: [Double]
        /// For each bubble cause that occurs, its share of each bin.
        public var bubbles: [String: [Double]]
    }

    public var binCycles: Int
    public var startCycle: Int
    public var stages: [Stage]

    enum CodingKeys: String, CodingKey {
        case binCycles = "bin_cycles"
        case startCycle = "start_cycle"
        case stages
    }

    /// Bins recorded spans (``ActivityLedger/Span``) over [start, end): a span's busy and
    /// bubble cycles are spread evenly over its length (spans are far shorter than a bin on
    /// the runs that record them, so the bins are close to the intervals').
    public init(spans stages: [(name: String, spans: [ActivityLedger.Span])], start: Int, end: Int, bins: Int = 100) {
        self.init(stages: stages.map { stage in
            (stage.name, stage.spans.flatMap { span -> [ActivityLedger.Interval] in
                // Lay the span's cycles out in order (busy first, then each cause): enough for bins.
                var t = span.start
                var parts: [ActivityLedger.Interval] = []
                let shares: [(Activity, Int)] = [(.busy, span.busy)] + BubbleCause.allCases.map { (.bubble($0), span.bubbles[$0.index]) }
                let total = max(1, shares.map(\.1).reduce(0, +))
                let length = (span.end - span.start).count
                var used = 0
                for (k, (activity, cycles)) in shares.enumerated() where cycles > 0 {
                    used += cycles
                    let end = k == shares.count - 1 || used == total ? span.end : span.start + Cycles(length * used / total)
                    if end > t { parts.append(ActivityLedger.Interval(start: t, end: end, activity: activity)) }
                    t = end
                }
                return parts
            })
        }, start: start, end: end, bins: bins)
    }

    /// Bins the recorded intervals of `stages` over [start, end).
    public init(stages: [(name: String, intervals: [ActivityLedger.Interval])], start: Int, end: Int, bins: Int = 100) {
        let span = max(1, end - start)
        binCycles = max(1, span.ceilDiv(bins))
        startCycle = start
        let count = span.ceilDiv(binCycles)
        let bin = binCycles
        self.stages = stages.map { stage in
            var busy = [Double](repeating: 0, count: count)
            var bubbles: [String: [Double]] = [:]
            for interval in stage.intervals {
                var t = max(interval.start.value, start)
                let stop = min(interval.end.value, end)
                while t < stop {
                    let index = (t - start) / bin
                    let binEnd = start + (index + 1) * bin
                    let length = Double(min(stop, binEnd) - t) / Double(bin)
                    switch interval.activity {
                    case .busy: busy[index] += length
                    case .bubble(let cause):
                        bubbles[cause.rawValue, default: [Double](repeating: 0, count: count)][index] += length
                    }
                    t = min(stop, binEnd)
                }
            }
            return Stage(name: stage.name, busy: busy, bubbles: bubbles)
        }
    }
}
