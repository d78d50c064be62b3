import BertSimCore

/// One job of the padded scheduler (docs/encoder-timing.md §2, §6): its sequences, its plan,
/// when it is ready, and which requests it serves.
public final class EncoderJob {
    public let index: Int
    public let plan: JobPlan
    /// The cycle its last request arrived.
    public let ready: Cycle
    /// Trace indices of its requests, and their arrival cycles.
    public let requests: [Int]
    public let arrivals: [Cycle]
    /// A job fed by the cosimulated length-aware pipeline (``JobTable/append(plan:ready:request:arrival:layerOffset:)``):
    /// its predecessor in the table finished before it was fed, so its dependencies on earlier
    /// jobs (weight and parameter slots, the previous job's `ln2` and output) are met, and its
    /// units wait for it to be ready in `dependency` (the repartitioning), not `starved`.
    public let independent: Bool
    /// What timelines call the job (its index; a fed job: its request) and the model layer of
    /// the job's layer 0 (a fed job: its stage's first layer).
    public let timelineItem: Int
    public let layerOffset: Int
    /// The layers of the netlist that runs it.
    let layers: Int
    /// The board's committed times of this job's tasks, by pseudo-layer slot (layer + 1), unit
    /// and index. Written only by the board's update phase.
    let times: JobTimes

    init(index: Int, plan: JobPlan, ready: Cycle, requests: [Int], arrivals: [Cycle], layers: Int, independent: Bool = false,
         timelineItem: Int? = nil, layerOffset: Int = 0) {
        self.index = index
        self.plan = plan
        self.ready = ready
        self.requests = requests
        self.arrivals = arrivals
        self.independent = independent
        self.timelineItem = timelineItem ?? index
        self.layerOffset = layerOffset
        self.layers = layers
        times = JobTimes(plan: plan, layers: layers)
    }

    public var shape: JobShape { plan.shape }

    /// What a unit waits in while the job is not ready yet.
    var readyCause: BubbleCause { independent ? .dependency : .starved }

    /// The timeline tag of work on the job's `layer` (a fed job's pseudo-layers −1 and
    /// `layers` count as its first and last layer).
    func tag(layer: Int) -> Int {
        independent ? ActivityLedger.tag(item: timelineItem, layer: layerOffset + min(max(layer, 0), layers - 1))
            : ActivityLedger.tag(item: index, layer: layer)
    }

    /// The program of `unit` for pseudo-layer `layer` (−1 … layers).
    func tasks(layer: Int, layers: Int, unit: EncoderUnit) -> [PlannedTask] {
        plan.tasks(Self.kind(layer: layer, layers: layers), unit)
    }

    static func kind(layer: Int, layers: Int) -> LayerKind {
        layer < 0 ? .before : layer >= layers ? .after : layer == 0 ? .first : .other
    }
}

/// Committed task times of one job, in one flat array: each (pseudo-layer, unit)'s tasks are a
/// contiguous run of it.
final class JobTimes {
    private var storage: [TaskTimes]
    /// Where each (pseudo-layer, unit)'s run starts: `(layer + 1) × units + unit`.
    private let offsets: [Int]
    private static let units = EncoderUnit.allCases.count

    init(plan: JobPlan, layers: Int) {
        var offsets: [Int] = []
        var count = 0
        for layer in -1...layers {
            for unit in EncoderUnit.allCases {
                offsets.append(count)
                count += plan.tasks(EncoderJob.kind(layer: layer, layers: layers), unit).count
            }
        }
        self.offsets = offsets
        storage = [TaskTimes](repeating: TaskTimes(), count: count)
    }

    @inline(__always)
    private func slot(_ layer: Int, _ unit: EncoderUnit, _ index: Int) -> Int {
        offsets[(layer + 1) * Self.units + Int(unit.rawValue)] + index
    }

    @inline(__always)
    subscript(layer: Int, unit: EncoderUnit, index: Int) -> TaskTimes {
        get { storage[slot(layer, unit, index)] }
        set { storage[slot(layer, unit, index)] = newValue }
    }

    /// Changes a task's times in place.
    @inline(__always)
    func update(_ key: TaskKey, _ change: (inout TaskTimes) -> Void) {
        change(&storage[slot(key.layer, key.unit, key.index)])
    }
}
