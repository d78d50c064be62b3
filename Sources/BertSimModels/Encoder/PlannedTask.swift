/// The units that run tasks (docs/encoder-timing.md §2). Memory channels serve the two DMA
/// engines and are not task units.
public enum EncoderUnit: Int, CaseIterable, Sendable, Codable {
    case peArray, softmax, layerNorm, gelu, dmaRead, dmaWrite
    /// Sparse attention: the 4-bit LUT score estimator and the top-k selector.
    case estimator, selector

    /// The stage name in reports.
    public var stageName: String {
        switch self {
        case .peArray: "pe_array"
        case .softmax: "softmax"
        case .layerNorm: "layernorm"
        case .gelu: "gelu"
        case .dmaRead: "dma_read"
        case .dmaWrite: "dma_write"
        case .estimator: "estimator"
        case .selector: "selector"
        }
    }

    /// The units that compute (everything but the DMA engines).
    public static let computeUnits: [EncoderUnit] = [.peArray, .softmax, .layerNorm, .gelu, .estimator, .selector]

    public var isTransfer: Bool { self == .dmaRead || self == .dmaWrite }
}

/// Which pseudo-layer of a job a task list belongs to: the job's input transfer comes before
/// layer 0, its output transfer after the last layer.
public enum LayerKind: Int, CaseIterable, Sendable {
    case before, first, other, after
}

/// Tensor classes whose bytes are counted.
public enum ByteClass: String, CaseIterable, Sendable, Codable {
    case weights, biases, params
    case activationsIn = "activations_in"
    case activationsOut = "activations_out"
    /// Activations a job that does not fit on chip writes to DRAM and reads back (§6).
    case spillOut = "spill_out"
    case spillIn = "spill_in"
}

/// What a task waits for (docs/encoder-timing.md §3).
public enum Dependency: Hashable, Sendable {
    /// Another task of the same job: `layerOffset` relative to the task's layer (0 or −1).
    case done(EncoderUnit, layerOffset: Int, index: Int)
    /// The job's requests have all arrived.
    case jobReady
    /// The previous job's last `ln2` (the I/O buffer is reused).
    case previousJobDone
    /// The weight slot of this layer's weight tile `tile` is free: the PE tile that used the
    /// slot S tiles earlier has finished issuing.
    case weightSlot(tile: Int)
    /// The parameter buffer's slot for this layer is free: the `ln2` of the layer n before (in
    /// this job or the previous ones) is done, with n the netlist's parameter slots (1 or 2).
    case parameterSlot
    /// The previous job's `output` transfer is done (it reads the I/O buffer half that this
    /// job's first `ln1` writes).
    case previousJobOutput
    /// The host's command that starts the task's layer has arrived (§8): `H` cycles after the
    /// previous layer's `ln2` is done, or, for the job's first layer (and its input transfer),
    /// after the job is ready and the previous job's last `ln2` is done.
    case hostCommand
}

/// What a task is, for timelines and statistics.
public enum TaskKind: Hashable, Sendable {
    case gemm(name: String, pair: Int?, group: Int)
    case softmax(pair: Int)
    case estimate(pair: Int)
    case select(pair: Int)
    case layerNorm(Int)
    case gelu(group: Int)
    case transfer(String)

    public var label: String {
        switch self {
        case .gemm(let name, let pair, let group): pair.map { "\(name)[\($0)].\(group)" } ?? "\(name)[\(group)]"
        case .softmax(let pair): "softmax[\(pair)]"
        case .estimate(let pair): "estimate[\(pair)]"
        case .select(let pair): "select[\(pair)]"
        case .layerNorm(let n): "ln\(n)"
        case .gelu(let group): "gelu[\(group)]"
        case .transfer(let name): name
        }
    }
}

/// One task of a layer's plan: its unit, cost, dependencies and, for transfers, bytes.
/// Immutable and shared (a reference, so handing it around costs no copies).
public final class PlannedTask: Sendable {
    public let kind: TaskKind
    /// Compute tasks: issue cycles, latency, useful-token busy cycles (the rest is padding),
    /// work and lane-slots. Transfers: zero.
    public let cost: TaskCost
    public let usefulIssue: Int
    /// Issue cycles lost to gather bank conflicts (counted as `imbalance`, after the useful and
    /// padding cycles); the rest of `issue − usefulIssue − controlIssue` is padding.
    public let imbalanceIssue: Int
    /// Issue cycles of control on real tokens (the PE array's row overhead, counted as
    /// `control` after the imbalance cycles); control on pad rows is padding.
    public let controlIssue: Int
    public let dependencies: [Dependency]
    /// Transfers: bytes per class, in transfer order.
    public let bytes: [(ByteClass, Int)]
    /// The layer's weight tile this task loads (DMA) or uses (PE), if any.
    public let weightTile: Int?

    public init(kind: TaskKind, cost: TaskCost = TaskCost(issue: 0, latency: 0, work: 0, laneSlots: 0), usefulIssue: Int = 0,
                imbalanceIssue: Int = 0, controlIssue: Int = 0, dependencies: [Dependency], bytes: [(ByteClass, Int)] = [],
                weightTile: Int? = nil) {
        self.kind = kind
        self.cost = cost
        self.usefulIssue = usefulIssue
        self.imbalanceIssue = imbalanceIssue
        self.controlIssue = controlIssue
        self.dependencies = dependencies
        self.bytes = bytes
        self.weightTile = weightTile
    }

    public var totalBytes: Int { bytes.reduce(0) { $0 + $1.1 } }

}
