/// Something a kernel runs when one of its events fires: a component's process.
///
/// A process runs at most once per delta cycle, however many of its events fired. It must
/// talk to other processes only through channels (``Fifo``, ``Signal``), whose writes commit
/// in the update phase; then no result depends on the order in which same-delta processes run.
public protocol SimProcess: AnyObject {
    func evaluate()
}

/// A primitive channel: written during evaluation, committed in the kernel's update phase.
public protocol UpdatableChannel: AnyObject {
    func update()
}

/// A handle to a process registered with a kernel.
public struct ProcessID: Hashable, Sendable {
    public let index: Int32
    @inlinable public init(index: Int32) { self.index = index }
}

/// A handle to an event: one wake source of one process (SystemC: one `sc_event`).
public struct EventID: Hashable, Sendable {
    public let index: Int32
    @inlinable public init(index: Int32) { self.index = index }
}

/// A handle to a primitive channel registered with a kernel.
public struct ChannelID: Hashable, Sendable {
    public let index: Int32
    @inlinable public init(index: Int32) { self.index = index }
}

/// A handle to a traced integer signal (VCD).
public struct TraceID: Hashable, Sendable {
    public let index: Int32
    @inlinable public init(index: Int32) { self.index = index }
}

/// How a call to ``SimKernel/run(until:)`` ended.
public enum RunOutcome: Equatable, Sendable {
    /// No event is pending: the simulation has nothing left to do.
    case idle
    /// The next event lies beyond the requested limit; the run can be resumed.
    case paused
    /// A process called ``SimKernel/stop()``; the simulation is over.
    case stopped
}

/// A discrete-event simulation kernel with SystemC's semantics, in cycles.
///
/// Models are written once against this protocol and run unchanged on the pure-Swift
/// ``EventQueueKernel`` and on SystemC's scheduler (`SystemCKernel`).
///
/// Semantics (those of SystemC 2.3, IEEE 1666):
/// - **Elaboration** registers processes, events, channels and traces; it ends at the first
///   ``run(until:)``. Registering anything afterwards is an error.
/// - **Evaluate**: every runnable process runs once, in an order results must not depend on.
/// - **Update**: every channel that called ``requestUpdate(_:)`` commits its writes; it may
///   delta-notify events (`notify(_, after: .zero)`).
/// - **Delta notification**: processes of delta-notified events become runnable, and a new
///   delta cycle starts at the same time. When none remain, time advances to the earliest
///   timed notification.
/// - **Notification rules** (`sc_event::notify`): an event holds at most one pending
///   notification. A delta notification cancels a pending timed one; a timed notification is
///   ignored while a delta one is pending or an earlier-or-equal timed one is pending, and
///   replaces a later one.
/// - **Traces** are sampled once at the end of every time step, after its last delta cycle.
public protocol SimKernel: AnyObject {
    /// A short name for reports: `native` or `systemc`.
    var name: String { get }
    /// The current simulated time.
    var now: Cycle { get }
    /// Delta cycles run so far.
    var deltaCount: UInt64 { get }
    /// Process evaluations run so far (a measure of kernel work).
    var evaluationCount: UInt64 { get }

    /// Registers a process. `priority` orders same-delta processes on the native kernel
    /// (lower first); results never depend on it.
    func addProcess(_ name: String, priority: Int, _ process: any SimProcess) -> ProcessID
    /// Registers an event that makes `process` runnable when it fires.
    func addEvent(_ name: String, triggering process: ProcessID) -> EventID
    /// Registers a primitive channel.
    func addChannel(_ name: String, _ channel: any UpdatableChannel) -> ChannelID
    /// Registers an integer signal to be traced into the VCD file, if tracing is on.
    func addTrace(_ name: String, width: Int) -> TraceID

    /// Notifies `event` after `delay` cycles; `.zero` means the next delta cycle.
    func notify(_ event: EventID, after delay: Cycles)
    /// Asks for `channel.update()` in this delta cycle's update phase.
    func requestUpdate(_ channel: ChannelID)
    /// Sets a traced signal's value (sampled at the end of the time step).
    func setTrace(_ trace: TraceID, _ value: UInt64)
    /// Whether traced values are being recorded; models may skip `setTrace` calls when not.
    var isTracing: Bool { get }

    /// Runs until no event is pending, ``stop()`` is called, or only events at or after
    /// `limit` remain (then time stops at `limit`, and they run on the next call), as
    /// SystemC's `sc_start(limit − now)` does.
    func run(until limit: Cycle?) throws -> RunOutcome
    /// Ends the simulation after the current delta cycle. Final.
    func stop()
    /// Ends the simulation for good and completes the trace file, if any. The kernel lets go
    /// of its processes and channels (components hold their kernel strongly, which is ten
    /// times cheaper per call than an unowned reference; this breaks the cycle). Idempotent.
    func finish() throws
    /// Completes the trace file now that the run will not go on (a limit ended it), throwing
    /// an ``OutputError`` when it cannot be written; ``finish()`` still follows. Kernels whose
    /// ``finish()`` reports trace errors itself need not implement it.
    func finishTracing() throws
}

extension SimKernel {
    public func finishTracing() throws {}
}

extension SimKernel {
    public func addProcess(_ name: String, _ process: any SimProcess) -> ProcessID {
        addProcess(name, priority: 0, process)
    }
    public func run() throws -> RunOutcome { try run(until: nil) }
}
