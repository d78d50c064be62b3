import BertSimCore

/// A compute unit of the encoder (PE array, softmax, LayerNorm, GELU): runs its program in
/// order, one task at a time (docs/encoder-timing.md §2, §7).
///
/// ## Timing model
/// A task starts at the first cycle t at which the unit is free and every dependency is met;
/// it occupies the unit for its `issue` cycles, and its results are usable `latency` cycles
/// after that (both known at issue and posted on the board). While not issuing, each cycle is
/// a bubble with the cause of the next task's first unmet dependency.
final class ComputeUnit: SimProcess {
    let unit: EncoderUnit
    private let kernel: any SimKernel
    private let jobs: JobTable
    private let board: TaskBoard
    private let resolver: DependencyResolver
    private let layers: Int
    private var timer: EventID!
    private var busyTrace: TraceID?
    private var subscriber = 0
    var cursor = ProgramCursor()
    private var busyUntil = 0
    private(set) var ledger: ActivityLedger
    private(set) var statistics = UnitStatistics()
    /// What the unit waits for now, formatted only for deadlock reports.
    private var waitingFor: (TaskKind, TaskKey, BubbleCause)?
    var waiting: String? { waitingFor.map { "\($0.0.label) of \($0.1) waits (\($0.2.rawValue))" } }

    /// `prefix` starts its process's name (a partition's, in the cosimulated pipeline).
    init(_ unit: EncoderUnit, kernel: any SimKernel, jobs: JobTable, board: TaskBoard, resolver: DependencyResolver,
         windowStart: Cycle, recordsIntervals: ActivityLedger.Recording, prefix: String = "") {
        self.unit = unit
        self.kernel = kernel
        self.jobs = jobs
        self.board = board
        self.resolver = resolver
        layers = resolver.layers
        ledger = ActivityLedger(start: windowStart, recordsIntervals: recordsIntervals)
        let name = prefix + unit.stageName
        let process = kernel.addProcess(name, self)
        timer = kernel.addEvent("\(name).timer", triggering: process)
        jobs.wakeOnAppend(timer)
        subscriber = board.subscribe(process, name: name)
        if kernel.isTracing { busyTrace = kernel.addTrace("\(name).busy", width: 1) }
        kernel.notify(timer, after: .zero)
    }

    private func enter(_ activity: Activity, at time: Int, tag: Int = -1) {
        let at = max(time, ledger.windowStart.value)   // read before the mutating call, which would copy the ledger
        ledger.enter(activity, at: Cycle(at), tag: tag)
    }

    func evaluate() {
        let now = kernel.now.value
        if busyUntil > now { return }
        guard let (job, task, key) = cursor.current(unit, jobs: jobs, layers: layers) else {
            waitingFor = nil
            board.setInterested(subscriber, false)   // the trace has no more jobs (a fed table: not yet)
            enter(.bubble(.starved), at: now)
            if let busyTrace { kernel.setTrace(busyTrace, 0) }
            return
        }
        switch resolver.readiness(task, key, job, now: now) {
        case .ready:
            let issue = task.cost.issue
            busyUntil = now + issue
            board.post(job, key, issueEnd: Cycle(busyUntil), done: Cycle(busyUntil + task.cost.latency))
            Self.enterIssue(task, tag: ledger.recordsIntervals ? job.tag(layer: key.layer) : -1, at: now, into: &ledger)
            statistics.add(task)
            cursor.advance()
            waitingFor = nil
            if let busyTrace { kernel.setTrace(busyTrace, 1) }
            board.setInterested(subscriber, false)
            kernel.notify(timer, after: Cycles(issue))
        case .wait(let cause, let until):
            waitingFor = (task.kind, key, cause)
            enter(.bubble(cause), at: now)
            if let busyTrace { kernel.setTrace(busyTrace, 0) }
            board.setInterested(subscriber, until == nil)
            if let until { kernel.notify(timer, after: Cycles(until - now)) }
        }
    }

    /// A task issued at `now`: its useful cycles busy, then padding, imbalance and control (§7, §8).
    static func enterIssue(_ task: PlannedTask, tag: Int, at now: Int, into ledger: inout ActivityLedger) {
        let at = max(now, ledger.windowStart.value)
        ledger.enter(.busy, at: Cycle(at), tag: tag)
        let padding = task.cost.issue - task.usefulIssue - task.imbalanceIssue - task.controlIssue
        if padding > 0 { ledger.enter(.bubble(.padding), at: Cycle(max(at, now + task.usefulIssue)), tag: tag) }
        if task.imbalanceIssue > 0 {
            ledger.enter(.bubble(.imbalance), at: Cycle(max(at, now + task.usefulIssue + padding)), tag: tag)
        }
        if task.controlIssue > 0 {
            ledger.enter(.bubble(.control), at: Cycle(max(at, now + task.usefulIssue + padding + task.imbalanceIssue)), tag: tag)
        }
    }

    /// The unit does `activity` from `time` on: what a controller outside the netlist knows
    /// the idle unit waits for (the cosimulated pipeline's blocked and starved stages).
    func mark(_ activity: Activity, at time: Cycle) { enter(activity, at: time.value) }

    /// Closes the accounting window at `end`.
    func finishLedger(at end: Cycle) { ledger.finish(at: end) }
    func finishLedger(noEarlierThan end: Cycle) { ledger.finish(noEarlierThan: end) }
}
