import BertSimCore

/// A special unit (softmax, LayerNorm or GELU) the partitions of the cosimulated length-aware
/// pipeline share (`encoder.length_aware.special_units: shared`; docs/length-aware.md): it
/// runs each partition's program of its tasks in order, one task at a time over all of them.
///
/// ## Timing model
/// As ``ComputeUnit``, with one program per partition: at the first cycle t at which the unit
/// is free and some partition's next task has every dependency met, it starts that task, the
/// lowest partition's when several are ready. While not issuing, a cycle is a bubble with the
/// cause of the lowest partition's next task that waits (`starved` when none has a task).
final class SharedComputeUnit: SimProcess {
    /// One partition's side of the unit: its jobs, board and dependencies, its place in its
    /// program, and its subscription to its board.
    struct Client {
        let jobs: JobTable
        let board: TaskBoard
        let resolver: DependencyResolver
        var cursor = ProgramCursor()
        var subscriber = 0
    }

    let unit: EncoderUnit
    private let kernel: any SimKernel
    private var clients: [Client]
    private var timer: EventID!
    private var busyUntil = 0
    private(set) var ledger: ActivityLedger
    private(set) var statistics = UnitStatistics()
    private var waitingFor: (TaskKind, TaskKey, BubbleCause)?
    var waiting: String? { waitingFor.map { "shared \(unit.stageName): \($0.0.label) of \($0.1) waits (\($0.2.rawValue))" } }

    init(_ unit: EncoderUnit, kernel: any SimKernel, clients: [Client], windowStart: Cycle, recordsIntervals: ActivityLedger.Recording) {
        self.unit = unit
        self.kernel = kernel
        self.clients = clients
        ledger = ActivityLedger(start: windowStart, recordsIntervals: recordsIntervals)
        let name = "shared." + unit.stageName
        let process = kernel.addProcess(name, self)
        timer = kernel.addEvent("\(name).timer", triggering: process)
        for i in self.clients.indices {
            self.clients[i].jobs.wakeOnAppend(timer)
            self.clients[i].subscriber = self.clients[i].board.subscribe(process, name: "\(name).\(i)")
        }
        kernel.notify(timer, after: .zero)
    }

    private func enter(_ activity: Activity, at time: Int) {
        let at = max(time, ledger.windowStart.value)
        ledger.enter(activity, at: Cycle(at))
    }

    func evaluate() {
        let now = kernel.now.value
        if busyUntil > now { return }
        var cause: BubbleCause?
        var wake: Int?
        waitingFor = nil
        for i in clients.indices {
            let layers = clients[i].resolver.layers
            guard let (job, task, key) = clients[i].cursor.current(unit, jobs: clients[i].jobs, layers: layers) else {
                clients[i].board.setInterested(clients[i].subscriber, false)   // woken by the next job
                continue
            }
            switch clients[i].resolver.readiness(task, key, job, now: now) {
            case .ready:
                let issue = task.cost.issue
                busyUntil = now + issue
                clients[i].board.post(job, key, issueEnd: Cycle(busyUntil), done: Cycle(busyUntil + task.cost.latency))
                ComputeUnit.enterIssue(task, tag: ledger.recordsIntervals ? job.tag(layer: key.layer) : -1, at: now, into: &ledger)
                statistics.add(task)
                clients[i].cursor.advance()
                for c in clients { c.board.setInterested(c.subscriber, false) }
                waitingFor = nil
                kernel.notify(timer, after: Cycles(issue))
                return
            case .wait(let why, let until):
                if cause == nil {
                    cause = why
                    waitingFor = (task.kind, key, why)
                }
                clients[i].board.setInterested(clients[i].subscriber, until == nil)
                if let until { wake = min(wake ?? until, until) }
            }
        }
        enter(.bubble(cause ?? .starved), at: now)
        if let wake { kernel.notify(timer, after: Cycles(wake - now)) }
    }

    func finishLedger(at end: Cycle) { ledger.finish(at: end) }
    func finishLedger(noEarlierThan end: Cycle) { ledger.finish(noEarlierThan: end) }
}
