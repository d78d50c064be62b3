import BertSimCore
import BertSimModels

extension RunReport {
    /// Which scheduler produced the run (`"scheduler"` in JSON): `padded` or `length-aware`
    /// with its pipeline.
    public struct Scheduler: Codable, Sendable, Equatable {
        public var name: SchedulerKind
        /// Padded: every sequence padded to at least this length (`--pad-to`), else null.
        public var padTo: Int?
        /// Length-aware: the pipeline's stages, the layers of each, the repartition stall.
        public var pipelineStages: Int?
        public var stageLayers: [Int]?
        public var repartitionCycles: Int?
        /// Length-aware: beats, and beats that changed the split of processing units.
        public var beats: Int?
        public var repartitions: Int?

        public init(name: SchedulerKind, padTo: Int? = nil, pipelineStages: Int? = nil, stageLayers: [Int]? = nil,
                    repartitionCycles: Int? = nil, repartitions: Int? = nil, beats: Int? = nil) {
            self.name = name
            self.padTo = padTo
            self.pipelineStages = pipelineStages
            self.stageLayers = stageLayers
            self.repartitionCycles = repartitionCycles
            self.repartitions = repartitions
            self.beats = beats
        }

        enum CodingKeys: String, CodingKey {
            case name
            case padTo = "pad_to"
            case pipelineStages = "pipeline_stages"
            case stageLayers = "stage_layers"
            case repartitionCycles = "repartition_cycles"
            case beats, repartitions
        }
    }

    /// One scheduler's headline numbers, for `--scheduler both` (`"schedulers"` in JSON).
    ///
    /// Bubble shares are over the array's stages (the padded run's `pe_array`, the length-aware
    /// run's partitions `stage0…`): each cause's cycles over their elapsed cycles, so the busy
    /// share and the seven bubble shares add up to 1.
    public struct SchedulerSummary: Codable, Sendable, Equatable {
        public var scheduler: SchedulerKind
        public var cycles: Int
        public var latencyMs: Double
        public var throughputPerS: Double
        public var p99Ms: Double
        public var energyMj: Double?
        public var busyShare: Double
        public var bubbleShares: [String: Double]

        enum CodingKeys: String, CodingKey {
            case scheduler, cycles
            case latencyMs = "latency_ms"
            case throughputPerS = "throughput_per_s"
            case p99Ms = "p99_ms"
            case energyMj = "energy_mj"
            case busyShare = "busy_share"
            case bubbleShares = "bubble_shares"
        }

        public init(_ report: RunReport) {
            scheduler = report.scheduler?.name ?? .padded
            cycles = report.totals.cycles
            latencyMs = report.totals.latencyMs
            throughputPerS = report.totals.throughputPerS
            p99Ms = report.latency.p99Ms
            energyMj = report.totals.energyMj
            let array = report.arrayStages
            let elapsed = array.map(\.elapsedCycles).reduce(0, +)
            let share = { (x: Int) in elapsed == 0 ? 0 : Double(x) / Double(elapsed) }
            busyShare = share(array.map(\.busyCycles).reduce(0, +))
            bubbleShares = Dictionary(uniqueKeysWithValues: BubbleCause.allCases.map { cause in
                (cause.rawValue, share(array.map { $0.bubbles[cause] }.reduce(0, +)))
            })
        }
    }
}
