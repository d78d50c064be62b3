import BertSimCore

/// Everything a model's run produced, before it is turned into a report.
public struct SimulationResult: Sendable {
    /// The measured window: first arrival to last completion.
    public var windowStart: Cycle
    public var windowEnd: Cycle
    /// Arrival and completion cycle of each request, in arrival order.
    public var arrivals: [Cycle]
    public var completions: [Cycle]
    public var tokens: Int
    public var stages: [StageSummary]
    /// Further statistics, flat and ordered.
    public var statistics: [StatEntry]
    /// Kernel work: delta cycles and process evaluations.
    public var deltaCycles: UInt64
    public var evaluations: UInt64
    /// Off-chip traffic, for designs with a memory system.
    public var memory: MemoryTraffic?
    /// What costs energy, for designs with a power model.
    public var activity: PowerModel.Activity?
    /// With sparse attention: its costs, attention time and attention mass kept.
    public var sparseAttention: SparseAttentionResult?
    /// With pruned weights: the weights and what the sparse engine did.
    public var pruning: PruningResult?
    /// With recorded intervals: what each tagged interval's item is (a job or a request), by
    /// item index, for timelines (``ActivityLedger/tag(item:layer:)``).
    public var timelineItems: [String]
    /// Set when a user limit ended the run early: the numbers cover the completed requests
    /// and every stage up to the cycle reached.
    public var partial: PartialRun? = nil

    public init(windowStart: Cycle, windowEnd: Cycle, arrivals: [Cycle], completions: [Cycle], tokens: Int,
                stages: [StageSummary], statistics: [StatEntry], deltaCycles: UInt64, evaluations: UInt64,
                memory: MemoryTraffic? = nil, activity: PowerModel.Activity? = nil,
                sparseAttention: SparseAttentionResult? = nil, pruning: PruningResult? = nil, timelineItems: [String] = []) {
        self.sparseAttention = sparseAttention
        self.pruning = pruning
        self.timelineItems = timelineItems
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.arrivals = arrivals
        self.completions = completions
        self.tokens = tokens
        self.stages = stages
        self.statistics = statistics
        self.deltaCycles = deltaCycles
        self.evaluations = evaluations
        self.memory = memory
        self.activity = activity
    }

    public var cycles: Cycles { windowEnd - windowStart }

    /// Per-request latency (arrival to completion), in arrival order.
    public var latencies: [Cycles] { zip(arrivals, completions).map { $1 - $0 } }
}

/// Bytes moved off chip: per tensor class and per channel.
public struct MemoryTraffic: Sendable, Equatable, Codable {
    public struct Channel: Sendable, Equatable, Codable {
        public var name: String
        public var bytes: Int
        public var transactions: Int
        public var busyCycles: Int

        enum CodingKeys: String, CodingKey {
            case name, bytes, transactions
            case busyCycles = "busy_cycles"
        }
    }

    public var kind: String
    public var bytesByClass: [String: Int]
    public var channels: [Channel]

    enum CodingKeys: String, CodingKey {
        case kind
        case bytesByClass = "bytes_by_class"
        case channels
    }
}

/// What sparse attention did over a run (docs/sparse-attention.md).
public struct SparseAttentionResult: Sendable, Equatable {
    public var configuration: SparseAttention
    public var accounting: AttentionAccounting
    /// Cycles of every layer's attention phase.
    public var attentionCycles: Int
    /// Attention mass kept, over the trace's sequences: mean and the worst.
    public var massKeptMean: Double
    public var massKeptMinimum: Double
}
