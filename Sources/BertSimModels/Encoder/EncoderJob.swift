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
    /// The board's committed times of this job's tasks, by pseudo-layer slot (layer + 1), unit
    /// and index. Written only by the board's update phase.
    let times: JobTimes

    init(index: Int, plan: JobPlan, ready: Cycle, requests: [Int], arrivals: [Cycle], layers: Int) {
        self.index = index
        self.plan = plan
        self.ready = ready
        self.requests = requests
        self.arrivals = arrivals
        times = JobTimes(plan: plan, layers: layers)
    }

    public var shape: JobShape { plan.shape }

    /// The program of `unit` for pseudo-layer `layer` (−1 … layers).
    func tasks(layer: Int, layers: Int, unit: EncoderUnit) -> [PlannedTask] {
        plan.tasks(Self.kind(layer: layer, layers: layers), unit)
    }

    static func kind(layer: Int, layers: Int) -> LayerKind {
        layer < 0 ? .before : layer >= layers ? .after : layer == 0 ? .first : .other
    }
}

/// Committed task times of one job: flat storage per (pseudo-layer, unit).
final class JobTimes {
    private var slots: [[[TaskTimes]]]

    init(plan: JobPlan, layers: Int) {
        slots = (-1...layers).map { layer in
            EncoderUnit.allCases.map { unit in
                [TaskTimes](repeating: TaskTimes(), count: plan.tasks(EncoderJob.kind(layer: layer, layers: layers), unit).count)
            }
        }
    }

    @inline(__always)
    subscript(layer: Int, unit: EncoderUnit, index: Int) -> TaskTimes {
        get { slots[layer + 1][unit.rawValue][index] }
        set { slots[layer + 1][unit.rawValue][index] = newValue }
    }

    /// Changes a task's times in place.
    @inline(__always)
    func update(_ key: TaskKey, _ change: (inout TaskTimes) -> Void) {
        change(&slots[key.layer + 1][key.unit.rawValue][key.index])
    }
}
