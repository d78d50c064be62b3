import BertSimCore
import DequeModule

/// One off-chip memory channel (DDR4 or HBM pseudo-channel): serves the two DMA engines'
/// transactions first come, first served (docs/encoder-timing.md §5).
///
/// ## Timing model
/// At cycle t the channel accepts, oldest request first (the read engine's on a tie), the
/// requests written at earlier cycles, while fewer than `max_outstanding` are in flight. A
/// transaction of x bytes accepted at t has its data phase from
/// `s = max(t + L_mem, end of the previous data phase)` for
/// `max(⌈x / AXI width⌉, ⌈x × f / BW⌉)` cycles, and leaves flight when that ends. The channel is
/// busy during data phases; between them `memory` while an accepted transaction waits out its
/// latency, else `starved`.
final class MemoryChannel: SimProcess {
    let name: String
    private let kernel: any SimKernel
    private let board: TaskBoard
    private let reads: Fifo<Transaction>
    private let writes: Fifo<Transaction>
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

    init(_ name: String, kernel: any SimKernel, board: TaskBoard, reads: Fifo<Transaction>, writes: Fifo<Transaction>,
         latency: Int, maxOutstanding: Int, dataCycles: @escaping (Int) -> Int, windowStart: Cycle, recordsIntervals: ActivityLedger.Recording) {
        self.name = name
        self.kernel = kernel
        self.board = board
        self.reads = reads
        self.writes = writes
        self.latency = latency
        self.maxOutstanding = maxOutstanding
        self.dataCycles = dataCycles
        lastEnd = windowStart.value
        ledger = ActivityLedger(start: windowStart, recordsIntervals: recordsIntervals)
        let process = kernel.addProcess(name, self)
        timer = kernel.addEvent("\(name).timer", triggering: process)
        reads.bindReader(process)
        writes.bindReader(process)
    }

    func evaluate() {
        let now = kernel.now.value
        while let end = inflight.first, end <= now { inflight.removeFirst() }
        while inflight.count < maxOutstanding {
            let r = reads.peek.flatMap { $0.requestedAt < now ? $0 : nil }
            let w = writes.peek.flatMap { $0.requestedAt < now ? $0 : nil }
            let fromReads: Bool
            switch (r, w) {
            case (nil, nil): fromReads = false
            case (.some, nil): fromReads = true
            case (nil, .some): fromReads = false
            case (.some(let a), .some(let b)): fromReads = a.requestedAt <= b.requestedAt
            }
            if r == nil && w == nil { break }
            let t = fromReads ? reads.read() : writes.read()
            accept(t, now)
        }
        // Wake when a request may be accepted. With room, new requests wake us (and one
        // written this cycle needs the next); when full, the next data-phase end does.
        let room = inflight.count < maxOutstanding
        reads.wakesReader = room
        writes.wakesReader = room
        if room {
            if reads.peek != nil || writes.peek != nil { kernel.notify(timer, after: 1) }
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
        let tag = ledger.recordsIntervals ? ActivityLedger.tag(item: t.job.index, layer: t.transfer.layer) : -1
        ledger.enter(.busy, at: Cycle(start), tag: tag)
        lastEnd = end
        inflight.append(end)
        bytes += t.bytes
        transactions += 1
        busyCycles += d
        board.transactionAccepted(t.job, t.transfer, end: Cycle(end))
    }

    /// Closes the accounting window at `end` (no data phase runs past it).
    func finish(at end: Cycle) {
        if end.value > lastEnd { ledger.enter(.bubble(.starved), at: Cycle(lastEnd)) }
        ledger.finish(at: end)
    }

    /// Closes the window of a run cut short at `end`, after the data phases already accepted.
    func finish(noEarlierThan end: Cycle) { finish(at: Cycle(max(end.value, lastEnd))) }
}
