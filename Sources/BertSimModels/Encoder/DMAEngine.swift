import BertSimCore
import DequeModule

/// A DMA engine (read or write): runs its program of transfers in order, splitting each into
/// bursts handed to the memory channels in strict round robin (docs/encoder-timing.md §2.3, §5).
///
/// ## Timing model
/// A transfer starts at the first cycle its dependencies are met; from then on, at each cycle
/// the engine writes as many of its transactions as the target channels' request queues
/// (`max_outstanding` deep) have room for, in round-robin order, stopping at the first full
/// queue. The next transfer may start in the same cycle the previous one's last transaction
/// was written. The engine is busy in cycles in which it writes; otherwise a bubble with the
/// cause of its next transfer's first unmet dependency (`blocked` on a weight slot, or on a
/// full request queue).
final class DMAEngine: SimProcess {
    let unit: EncoderUnit
    private let kernel: any SimKernel
    private let jobs: JobTable
    private let board: TaskBoard
    private let resolver: DependencyResolver
    private let queues: [Fifo<Transaction>]
    private let burstBytes: Int
    private let layers: Int
    /// The channels' port its requests go through (its partition's).
    private let port: Int
    private var timer: EventID!
    var cursor = ProgramCursor()
    private var roundRobin = 0
    private var subscriber = 0
    private var current: (job: EncoderJob, key: TaskKey, bursts: Deque<Int>, writableFrom: Int)?
    /// Cycles of a transfer's descriptor setup (§8).
    private let descriptorCycles: Int
    private var lastWrite = -1
    private(set) var ledger: ActivityLedger
    private(set) var statistics = UnitStatistics()
    /// What the engine waits for now, formatted only for deadlock reports.
    private var waitingFor: (TaskKind, TaskKey, BubbleCause)?
    var waiting: String? { waitingFor.map { "\($0.0.label) of \($0.1) waits (\($0.2.rawValue))" } }

    init(_ unit: EncoderUnit, kernel: any SimKernel, jobs: JobTable, board: TaskBoard, resolver: DependencyResolver,
         queues: [Fifo<Transaction>], burstBytes: Int, descriptorCycles: Int = 0, windowStart: Cycle,
         recordsIntervals: ActivityLedger.Recording, port: Int = 0, prefix: String = "") {
        self.port = port
        self.unit = unit
        self.descriptorCycles = descriptorCycles
        self.kernel = kernel
        self.jobs = jobs
        self.board = board
        self.resolver = resolver
        self.queues = queues
        self.burstBytes = burstBytes
        layers = resolver.layers
        ledger = ActivityLedger(start: windowStart, recordsIntervals: recordsIntervals)
        let name = prefix + unit.stageName
        let process = kernel.addProcess(name, self)
        timer = kernel.addEvent("\(name).timer", triggering: process)
        jobs.wakeOnAppend(timer)
        subscriber = board.subscribe(process, name: name)
        for q in queues { q.bindWriter(process) }
        kernel.notify(timer, after: .zero)
    }

    /// Enters a non-busy state; a cycle in which the engine wrote stays busy.
    private func idle(_ cause: BubbleCause, _ now: Int) {
        let at = lastWrite == now ? now + 1 : now
        let from = max(at, ledger.windowStart.value)
        ledger.enter(.bubble(cause), at: Cycle(from))
    }

    func evaluate() {
        let now = kernel.now.value
        for q in queues { q.wakesWriter = false }   // wanted only while blocked on a full queue
        while true {
            if current == nil {
                guard let (job, task, key) = cursor.current(unit, jobs: jobs, layers: layers) else {
                    waitingFor = nil
                    board.setInterested(subscriber, false)
                    idle(.starved, now)
                    return
                }
                switch resolver.readiness(task, key, job, now: now) {
                case .wait(let cause, let until):
                    waitingFor = (task.kind, key, cause)
                    idle(cause, now)
                    board.setInterested(subscriber, until == nil)
                    if let until { kernel.notify(timer, after: Cycles(until - now)) }
                    return
                case .ready:
                    let total = task.totalBytes
                    var bursts = Deque<Int>()
                    var left = total
                    while left > 0 {
                        bursts.append(min(burstBytes, left))
                        left -= burstBytes
                    }
                    current = (job, key, bursts, now + descriptorCycles)
                    board.expect(job, key, transactions: bursts.count)
                    statistics.tasks += 1
                    statistics.transactions += bursts.count
                    for (c, b) in task.bytes { statistics.bytes[ByteClass.allCases.firstIndex(of: c)!] += b }
                    cursor.advance()
                }
            }
            // The descriptor's setup (§8): control until its last cycle.
            if now < current!.writableFrom {
                waitingFor = (.transfer("its descriptor's setup"), current!.key, .control)
                idle(.control, now)
                board.setInterested(subscriber, false)
                kernel.notify(timer, after: Cycles(current!.writableFrom - now))
                return
            }
            // Write what the request queues take, in strict round robin.
            while let burst = current!.bursts.first, queues[roundRobin].canWrite {
                queues[roundRobin].write(Transaction(job: current!.job, transfer: current!.key, bytes: burst, requestedAt: now,
                                                     fromReadEngine: unit == .dmaRead, port: port))
                current!.bursts.removeFirst()
                roundRobin = (roundRobin + 1) % queues.count
                if lastWrite != now {
                    lastWrite = now
                    // Read before the mutating call (reading the ledger inside it would copy it).
                    let tag = ledger.recordsIntervals ? current!.job.tag(layer: current!.key.layer) : -1
                    let at = max(now, ledger.windowStart.value)
                    ledger.enter(.busy, at: Cycle(at), tag: tag)
                    // Whatever stops the engine below enters its state from the next cycle
                    // (``idle(_:_:)``) and arranges its own wake: no evaluation is needed then.
                }
            }
            if current!.bursts.isEmpty {
                current = nil
                continue
            }
            waitingFor = (.transfer("a full channel request queue"), current!.key, .blocked)
            idle(.blocked, now)   // woken when the channel takes requests
            board.setInterested(subscriber, false)
            for (i, q) in queues.enumerated() { q.wakesWriter = i == roundRobin }
            return
        }
    }

    /// Closes the accounting window at `end`.
    func finishLedger(at end: Cycle) { ledger.finish(at: end) }
    func finishLedger(noEarlierThan end: Cycle) { ledger.finish(noEarlierThan: end) }
}
