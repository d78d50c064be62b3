import BertSimCore

/// What one occupied stage runs in a beat: one sequence on a partition.
public struct StageWork: Sendable, Equatable {
    /// The request's trace index, its arrival and its tokens.
    public var request: Int
    public var arrival: Cycle
    public var length: Int
    /// The partition's processing units and its share of the activation buffers.
    public var processingUnits: Int
    public var share: ActivationShare?

    public init(request: Int, arrival: Cycle, length: Int, processingUnits: Int, share: ActivationShare?) {
        self.request = request
        self.arrival = arrival
        self.length = length
        self.processingUnits = processingUnits
        self.share = share
    }
}

/// Runs the length-aware pipeline's beats on a netlist (`--stage-costs cosimulated`,
/// docs/length-aware.md §3) instead of drawing each stage's work from the cost table W: the
/// pipeline decides (priority, split, shares) from W and hands the beat to the executor,
/// which simulates it and tells when each stage's sequence is done.
public protocol StageExecutor: AnyObject {
    /// Starts a beat at `start`: stage i runs `work[i]` (nil: empty) from `ready` on (after
    /// the repartitioning). Each occupied stage's end is reported once through `finished`,
    /// possibly at a cycle ahead of the simulated now.
    func start(at start: Cycle, ready: Cycle, work: [StageWork?]) throws
    /// Called with (stage, cycle its sequence's output is done).
    var finished: (Int, Cycle) -> Void { get set }
    /// Stage i does `activity` from `time` on (outside its work: empty, blocked, starved).
    func mark(stage: Int, _ activity: Activity, at time: Cycle)
    /// Stage i's account: its partition's processing units' ledger.
    func ledger(stage: Int) -> ActivityLedger
    /// Stage i's processing-unit cycles (busy cycles × the beat's units), summed over beats.
    func unitCycles(stage: Int) -> Int
    /// Closes every account at `end` (`exactly`: a run that finished; else one a limit cut
    /// short, closed no earlier than `end`).
    func finish(at end: Cycle, exactly: Bool)
    /// What units and engines hold now (deadlock and partial reports).
    var heldWork: [String] { get }
}
