import DequeModule

/// A bounded first-in first-out channel with back-pressure between one writer process and
/// one reader process, committed in the kernel's update phase (as SystemC's `sc_fifo`).
///
/// During a delta cycle the reader sees only items committed before it, and the writer sees
/// only space freed before it. Writes and reads commit in the update phase, which then
/// delta-notifies the reader (`dataWritten`) and the writer (`dataRead`). So a value written
/// at cycle t can be read at cycle t, one delta later, and the outcome never depends on the
/// order in which the two processes run. Channels add no cycles of their own: latency lives
/// in the stages.
public final class Fifo<Element>: UpdatableChannel {
    public let name: String
    public let capacity: Int
    @usableFromInline let kernel: any SimKernel
    @usableFromInline var channel: ChannelID!
    @usableFromInline var items = Deque<Element>()
    @usableFromInline var readable = 0
    @usableFromInline var free: Int
    @usableFromInline var writesThisDelta = 0
    @usableFromInline var readsThisDelta = 0
    private var writtenEvent: EventID?
    private var readEvent: EventID?
    private var depthTrace: TraceID?

    /// Whether the reader wants to be woken when written items commit, and the writer when
    /// reads free space (both by default). A side that has its own timer for the next moment
    /// it can act may switch this off to save wake-ups; the flags are read in the update
    /// phase, after every evaluation of the delta cycle, so results never depend on order.
    public var wakesReader = true
    public var wakesWriter = true

    /// The most items ever held at once (committed).
    public private(set) var peakOccupancy = 0
    /// Items written over the whole run.
    public private(set) var totalWritten = 0

    public init(_ name: String, capacity: Int, kernel: any SimKernel, traced: Bool = false) {
        precondition(capacity > 0, "fifo \(name) needs a capacity of at least 1")
        self.name = name
        self.capacity = capacity
        self.kernel = kernel
        self.free = capacity
        self.channel = kernel.addChannel(name, self)
        if traced && kernel.isTracing {
            depthTrace = kernel.addTrace("\(name).depth", width: 32)
        }
    }

    /// Binds the process that reads: it is woken when written items commit.
    public func bindReader(_ process: ProcessID) {
        precondition(writtenEvent == nil, "fifo \(name) already has a reader")
        writtenEvent = kernel.addEvent("\(name).written", triggering: process)
    }

    /// Binds the process that writes: it is woken when reads free space.
    public func bindWriter(_ process: ProcessID) {
        precondition(readEvent == nil, "fifo \(name) already has a writer")
        readEvent = kernel.addEvent("\(name).read", triggering: process)
    }

    /// Whether both ends are bound (checked when a netlist is built).
    public var isBound: Bool { writtenEvent != nil && readEvent != nil }

    /// Items the reader may take in this delta cycle.
    @inlinable public var readableCount: Int { readable }
    /// Items the writer may add in this delta cycle.
    @inlinable public var freeCount: Int { free }
    @inlinable public var canRead: Bool { readable > 0 }
    @inlinable public var canWrite: Bool { free > 0 }

    /// The oldest committed item, if the reader may take it.
    @inlinable public var peek: Element? { readable > 0 ? items.first : nil }

    @inlinable public func read() -> Element {
        precondition(readable > 0, "read from empty fifo \(name)")
        readable -= 1
        readsThisDelta += 1
        kernel.requestUpdate(channel)
        return items.removeFirst()
    }

    @inlinable public func write(_ item: Element) {
        precondition(free > 0, "write to full fifo \(name)")
        free -= 1
        writesThisDelta += 1
        items.append(item)
        kernel.requestUpdate(channel)
    }

    public func update() {
        if writesThisDelta > 0 {
            readable += writesThisDelta
            totalWritten += writesThisDelta
            writesThisDelta = 0
            if wakesReader, let writtenEvent { kernel.notify(writtenEvent, after: .zero) }
        }
        if readsThisDelta > 0 {
            free += readsThisDelta
            readsThisDelta = 0
            if wakesWriter, let readEvent { kernel.notify(readEvent, after: .zero) }
        }
        let occupancy = capacity - free
        if occupancy > peakOccupancy { peakOccupancy = occupancy }
        if let depthTrace { kernel.setTrace(depthTrace, UInt64(occupancy)) }
    }
}
