import BertSimCore
import DequeModule

/// One off-chip memory channel (DDR4 or HBM pseudo-channel): serves the DMA engines'
/// transactions first come, first served (docs/encoder-timing.md §5). Each port is one
/// partition's pair of request queues (the read and the write engine's) and its task board:
/// the padded scheduler's netlist has one port, the cosimulated length-aware pipeline one per
/// stage (docs/length-aware.md §3).
///
/// ## Timing model
/// At cycle t the channel accepts, oldest request first (on a tie the lower port's, then the
/// read engine's), the requests written at earlier cycles, while fewer than `max_outstanding`
/// are in flight. A
/// transaction of x bytes accepted at t has its data phase from
/// `s = max(t + L_mem, end of the previous data phase)` for
/// `max(⌈x / AXI width⌉, ⌈x × f / BW⌉)` cycles, and leaves flight when that ends. The channel is
/// busy during data phases; between them `memory` while an accepted transaction waits out its
/// latency, else `starved`.
final class MemoryChannel: SimProcess {
    let name: String
    private let kernel: any SimKernel
    /// One partition's request queues and the board its transfers' ends are posted to.
    struct Port {
        var reads: Fifo<Transaction>
        var writes: Fifo<Transaction>
        var board: TaskBoard
    }
    /// Every port's queues, reads then writes (port k: 2k and 2k + 1), and each port's board.
    private let queues: [Fifo<Transaction>]
    private let boards: [TaskBoard]
    private let latency: Int
    private let maxOutstanding: Int
    private let dataCycles: (Int) -> Int
    private var timer: EventID!
    private var inflight = Deque<Int>()   // data-phase ends
    private var lastEnd: Int
    private(set) var ledger: ActivityLedger
    private(set) var bytes = 0
    private(set) var transactions = 0
    private(set) var busyCycles = 0

    init(_ name: String, kernel: any SimKernel, ports: [Port], latency: Int, maxOutstanding: Int, dataCycles: @escaping (Int) -> Int, windowStart: Cycle, recordsIntervals: ActivityLedger.Recording) {
        self.name = name
        self.kernel = kernel
        queues = ports.flatMap { [$0.reads, $0.writes] }
        boards = ports.map(\.board)
        self.latency = latency
        self.maxOutstanding = maxOutstanding
        self.dataCycles = dataCycles
        lastEnd = windowStart.value
        ledger = ActivityLedger(start: windowStart, recordsIntervals: recordsIntervals)
        let process = kernel.addProcess(name, self)
        timer = kernel.addEvent("\(name).timer", triggering: process)
        for q in queues { q.bindReader(process) }
    }

    func evaluate() {
        let now = kernel.now.value
        while let end = inflight.first, end <= now { inflight.removeFirst() }
        while inflight.count < maxOutstanding {
            // The oldest head written before now: on a tie the lower port's, then the read queue's.
            var best = -1, bestAt = now
            for k in queues.indices {
                guard let at = queues[k].peek?.requestedAt, at < bestAt else { continue }
                best = k
                bestAt = at
            }
            guard best >= 0 else { break }
            accept(queues[best].read(), now)
        }
        // Wake when a request may be accepted. With room, new requests wake us (and one
        // written this cycle needs the next); when full, the next data-phase end does.
        let room = inflight.count < maxOutstanding
        var waiting = false
        for q in queues {
            q.wakesReader = room
            waiting = waiting || q.canRead
        }
        if room {
            if waiting { kernel.notify(timer, after: 1) }
        } else if let end = inflight.first {
            kernel.notify(timer, after: Cycles(end - now))
        }
    }

    private func accept(_ t: Transaction, _ now: Int) {
        let start = max(now + latency, lastEnd)
        let d = dataCycles(t.bytes)
        let end = start + d
        if now >= lastEnd {
            ledger.enter(.bubble(.starved), at: Cycle(lastEnd))
            ledger.enter(.bubble(.memory), at: Cycle(now))
        } else {
            ledger.enter(.bubble(.memory), at: Cycle(lastEnd))
        }
        // The tag first: reading the ledger inside its own mutating call would copy it.
        let tag = ledger.recordsIntervals ? t.job.tag(layer: t.transfer.layer) : -1
        ledger.enter(.busy, at: Cycle(start), tag: tag)
        lastEnd = end
        inflight.append(end)
        bytes += t.bytes
        transactions += 1
        busyCycles += d
        boards[t.port].transactionAccepted(t.job, t.transfer, end: Cycle(end))
    }

    /// The design's channels, each serving one port per partition (in partition order).
    static func channels(config: EncoderConfig, clock: Clock, kernel: any SimKernel, ports partitions: [EncoderPartition],
                         windowStart: Cycle, recordsIntervals: ActivityLedger.Recording) -> [MemoryChannel] {
        let memory = config.memory
        let channels = (0..<memory.channels).map { c in
            MemoryChannel("channel\(c)", kernel: kernel, ports: partitions.map { $0.port(c) }, latency: memory.latencyCycles,
                          maxOutstanding: memory.maxOutstanding, dataCycles: { config.dataCycles(bytes: $0, clock: clock) },
                          windowStart: windowStart, recordsIntervals: recordsIntervals)
        }
        for p in partitions {
            for q in p.readQueues + p.writeQueues { precondition(q.isBound, "queue \(q.name) is not connected at both ends") }
        }
        return channels
    }

    /// Closes the accounting window at `end` (no data phase runs past it).
    func finish(at end: Cycle) {
        if end.value > lastEnd { ledger.enter(.bubble(.starved), at: Cycle(lastEnd)) }
        ledger.finish(at: end)
    }

    /// Closes the window of a run cut short at `end`, after the data phases already accepted.
    func finish(noEarlierThan end: Cycle) { finish(at: Cycle(max(end.value, lastEnd))) }
}
