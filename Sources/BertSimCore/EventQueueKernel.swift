/// The pure-Swift discrete-event kernel: a deterministic event queue with SystemC's
/// evaluate / update / delta-notification semantics (see ``SimKernel``).
///
/// Timed notifications live in a 4-ary heap (``TimedQueue``) ordered by (time, insertion order); a replaced
/// notification leaves a stale heap entry that is skipped when popped. Processes are called
/// through unmanaged handles (no reference counting per wake). Within a delta cycle,
/// processes run in (priority, trigger order) — or, with ``TieBreak/random(seed:)``, in a
/// seeded random order, which tests use to show that no result depends on that order.
/// Several kernels may live in one process (unlike SystemC's).
public final class EventQueueKernel: SimKernel {
    /// The order of same-delta processes and channel updates.
    public enum TieBreak: Sendable, Equatable, Codable {
        /// (priority, trigger order): the deterministic default.
        case insertion
        /// A seeded shuffle of each delta's runnable processes and pending updates.
        case random(seed: UInt64)
    }

    public let name = "native"
    public private(set) var now: Cycle = .zero
    public private(set) var deltaCount: UInt64 = 0
    public private(set) var evaluationCount: UInt64 = 0

    private typealias TimedEntry = TimedQueue.Entry

    /// Holds a process for dispatch without reference counting (its `let` is guaranteed by
    /// the handle, which `handleStore` keeps alive).
    private final class ProcessHandle {
        let process: any SimProcess
        init(_ process: any SimProcess) { self.process = process }
    }

    private final class ChannelHandle {
        let channel: any UpdatableChannel
        init(_ channel: any UpdatableChannel) { self.channel = channel }
    }

    private static let noTime = -1

    // Processes.
    private var processStore: [ProcessHandle] = []
    private var processes: ContiguousArray<Unmanaged<ProcessHandle>> = []
    private var processNames: [String] = []
    private var processPriority: ContiguousArray<Int> = []
    private var processRunnable = SlotBuffer<Bool>()
    private var runnable: [Int32] = []
    private var hasPriorities = false

    // Events.
    private struct EventSlot {
        /// The process the event triggers.
        var process: Int32
        /// A delta notification is pending.
        var pendingDelta: Bool
        /// The pending timed notification's time (`noTime` when none) and heap sequence.
        var pendingTime: Int
        var pendingSequence: UInt64
    }
    private var events = SlotBuffer<EventSlot>()
    private var deltaEvents: [Int32] = []
    private var deltaScratch: [Int32] = []
    private var timed = TimedQueue()
    private var sequence: UInt64 = 0

    // Channels.
    private var channelStore: [ChannelHandle] = []
    private var channels: ContiguousArray<Unmanaged<ChannelHandle>> = []
    private var channelRequested: ContiguousArray<Bool> = []
    private var updates: [Int32] = []

    // Traces.
    private let vcd: VCDWriter?
    private var traceValues: ContiguousArray<UInt64> = []

    private var elaborating = true
    private var stopRequested = false
    private var finished = false
    private let tieBreak: TieBreak
    private var random: SplitMix64

    /// - Parameters:
    ///   - tieBreak: the order of same-delta processes; results must not depend on it.
    ///   - vcd: where traced signals go, if anywhere.
    public init(tieBreak: TieBreak = .insertion, vcd: VCDWriter? = nil) {
        self.tieBreak = tieBreak
        self.vcd = vcd
        if case .random(let seed) = tieBreak {
            random = SplitMix64(seed: seed)
        } else {
            random = SplitMix64(seed: 0)
        }
    }

    public var isTracing: Bool { vcd != nil }

    // MARK: Elaboration

    public func addProcess(_ name: String, priority: Int, _ process: any SimProcess) -> ProcessID {
        precondition(elaborating, "process \(name) added after the simulation started")
        let handle = ProcessHandle(process)
        processStore.append(handle)
        processes.append(.passUnretained(handle))
        processNames.append(name)
        processPriority.append(priority)
        processRunnable.append(false)
        if priority != 0 { hasPriorities = true }
        return ProcessID(index: Int32(processes.count - 1))
    }

    public func addEvent(_ name: String, triggering process: ProcessID) -> EventID {
        precondition(elaborating, "event \(name) added after the simulation started")
        precondition(process.index >= 0 && Int(process.index) < processes.count, "event \(name) names an unknown process")
        events.append(EventSlot(process: process.index, pendingDelta: false, pendingTime: Self.noTime, pendingSequence: 0))
        return EventID(index: Int32(events.count - 1))
    }

    public func addChannel(_ name: String, _ channel: any UpdatableChannel) -> ChannelID {
        precondition(elaborating, "channel \(name) added after the simulation started")
        let handle = ChannelHandle(channel)
        channelStore.append(handle)
        channels.append(.passUnretained(handle))
        channelRequested.append(false)
        return ChannelID(index: Int32(channels.count - 1))
    }

    public func addTrace(_ name: String, width: Int) -> TraceID {
        precondition(elaborating, "trace \(name) added after the simulation started")
        traceValues.append(0)
        vcd?.declare(name, width: width)
        return TraceID(index: Int32(traceValues.count - 1))
    }

    // MARK: Notification

    @inline(__always)
    public func notify(_ event: EventID, after delay: Cycles) {
        let slot = events.pointer(Int(event.index))
        if slot.pointee.pendingDelta { return }
        if delay.count == 0 {
            slot.pointee.pendingTime = Self.noTime   // cancels a pending timed notification
            slot.pointee.pendingDelta = true
            deltaEvents.append(event.index)
            return
        }
        let time = now.value + delay.count
        let pending = slot.pointee.pendingTime
        if pending != Self.noTime && pending <= time { return }
        sequence &+= 1
        slot.pointee.pendingTime = time
        slot.pointee.pendingSequence = sequence
        timed.insert(TimedEntry(time: time, sequence: sequence, event: event.index))
    }

    @inline(__always)
    public func requestUpdate(_ channel: ChannelID) {
        let c = Int(channel.index)
        if channelRequested[c] { return }
        channelRequested[c] = true
        updates.append(channel.index)
    }

    @inline(__always)
    public func setTrace(_ trace: TraceID, _ value: UInt64) {
        traceValues[Int(trace.index)] = value
    }

    public func stop() { stopRequested = true }

    // MARK: Running

    @inline(__always)
    private func trigger(_ event: Int32) {
        let p = Int(events[Int(event)].process)
        if !processRunnable[p] {
            processRunnable[p] = true
            runnable.append(Int32(p))
        }
    }

    public func run(until limit: Cycle?) throws -> RunOutcome {
        if finished { return .stopped }
        if elaborating {
            elaborating = false
            vcd?.begin()
        }
        var current: [Int32] = []
        var pendingUpdates: [Int32] = []
        while true {
            // Delta cycles at the current time.
            if !deltaEvents.isEmpty { deltaNotificationPhase() }
            while !runnable.isEmpty {
                swap(&current, &runnable)
                order(&current)
                for p in current {
                    processRunnable[Int(p)] = false
                }
                evaluationCount &+= UInt64(current.count)
                for p in current {
                    processes[Int(p)]._withUnsafeGuaranteedRef { $0.process.evaluate() }
                }
                current.removeAll(keepingCapacity: true)
                // Update phase.
                if !updates.isEmpty {
                    swap(&pendingUpdates, &updates)
                    if case .random = tieBreak { shuffle(&pendingUpdates) }
                    for c in pendingUpdates {
                        channelRequested[Int(c)] = false
                        channels[Int(c)]._withUnsafeGuaranteedRef { $0.channel.update() }
                    }
                    pendingUpdates.removeAll(keepingCapacity: true)
                }
                deltaCount &+= 1
                if !deltaEvents.isEmpty { deltaNotificationPhase() }
                if stopRequested { break }
            }
            try vcd?.sample(at: now, traceValues)
            if stopRequested {
                finished = true
                try vcd?.finish()   // a VCD that cannot be written fails the run (OutputError)
                return .stopped
            }
            if finished { return .stopped }
            // Advance time to the earliest live timed notification.
            guard let next = popLive() else {
                return .idle
            }
            if let limit, next.time >= limit.value {
                timed.insert(next)
                now = limit
                return .paused
            }
            now = Cycle(next.time)
            fire(next)
            while let top = timed.min, top.time == next.time {
                let entry = timed.popMin()!
                if isLive(entry) { fire(entry) }
            }
        }
    }

    /// Completes the VCD, if any, when a limit ended the run (``run(limits:)``): a VCD that
    /// cannot be written fails the run, as it does when a model stops the kernel.
    public func finishTracing() throws {
        try vcd?.finish()
    }

    /// Ends tracing and lets go of processes and channels; call once after the last `run`.
    /// A run a model stopped has its VCD finished (and its write errors thrown) by `run`, a
    /// run a limit ended by ``finishTracing()``; here (a run that failed) a VCD that cannot be
    /// finished is left out, and ``VCDWriter/failure`` says why.
    public func finish() {
        if !finished {
            finished = true
            try? vcd?.finish()
        }
        processStore.removeAll()
        processes.removeAll()
        channelStore.removeAll()
        channels.removeAll()
    }

    /// Makes the processes of delta-notified events runnable.
    private func deltaNotificationPhase() {
        swap(&deltaScratch, &deltaEvents)
        for e in deltaScratch {
            events.pointer(Int(e)).pointee.pendingDelta = false
            trigger(e)
        }
        deltaScratch.removeAll(keepingCapacity: true)
    }

    private func popLive() -> TimedEntry? {
        while let entry = timed.popMin() {
            if isLive(entry) { return entry }
        }
        return nil
    }

    /// Whether a heap entry is still its event's pending notification (not replaced).
    @inline(__always)
    private func isLive(_ entry: TimedEntry) -> Bool {
        let slot = events[Int(entry.event)]
        return slot.pendingSequence == entry.sequence && slot.pendingTime == entry.time
    }

    @inline(__always)
    private func fire(_ entry: TimedEntry) {
        events.pointer(Int(entry.event)).pointee.pendingTime = Self.noTime
        trigger(entry.event)
    }

    private func order(_ list: inout [Int32]) {
        switch tieBreak {
        case .insertion:
            if hasPriorities && list.count > 1 {
                // Stable: equal priorities keep their trigger order.
                let priority = processPriority
                let indexed = list.enumerated().sorted {
                    let (pa, pb) = (priority[Int($0.element)], priority[Int($1.element)])
                    return pa != pb ? pa < pb : $0.offset < $1.offset
                }
                list = indexed.map(\.element)
            }
        case .random:
            shuffle(&list)
        }
    }

    private func shuffle(_ list: inout [Int32]) {
        if list.count > 1 { list.shuffle(using: &random) }
    }

    deinit {
        events.deallocate()
        processRunnable.deallocate()
    }

    /// The names of registered processes, for diagnostics.
    public func processName(_ id: ProcessID) -> String { processNames[Int(id.index)] }
}
