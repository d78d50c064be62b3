import BertSimCore
import CBertSimSystemC
import Foundation

/// ``SimKernel`` on SystemC's own scheduler, through the C shim (CBertSimSystemC).
///
/// A real cosimulation: every process is a SystemC method process (`sc_spawn`ed, statically
/// sensitive to its events, `dont_initialize`), every event an `sc_event` notified with an
/// integer `sc_time`, every channel an `sc_prim_channel` whose update runs in SystemC's
/// update phase. SystemC's scheduler decides what runs when; Swift code is only called back.
/// One cycle is one SystemC time unit (1 ns resolution). There is no `sc_clock`.
///
/// SystemC allows one elaboration per process, so there is at most one `SystemCKernel` per
/// process; creating a second throws. Its objects are never deleted (SystemC's static
/// destructors crash when they are).
public final class SystemCKernel: SimKernel {
    public let name = "systemc"

    nonisolated(unsafe) private static var created = false

    /// What a process's C callback receives. Holds the kernel strongly (the kernel is never
    /// deleted: SystemC allows one per process) so calls need no reference counting.
    final class ProcessBox {
        let kernel: SystemCKernel
        let process: any SimProcess
        init(kernel: SystemCKernel, process: any SimProcess) {
            self.kernel = kernel
            self.process = process
        }
    }

    /// What a channel's C update callback receives.
    final class ChannelBox {
        let kernel: SystemCKernel
        let channel: any UpdatableChannel
        init(kernel: SystemCKernel, channel: any UpdatableChannel) {
            self.kernel = kernel
            self.channel = channel
        }
    }

    private struct PendingProcess {
        var name: String
        var box: ProcessBox
        var events: [OpaquePointer]
    }

    private var pending: [PendingProcess] = []
    private var events: ContiguousArray<OpaquePointer> = []
    private var channels: ContiguousArray<OpaquePointer> = []
    private var traces: ContiguousArray<UnsafeMutablePointer<UInt64>?> = []
    private var processBoxes: [ProcessBox] = []   // kept alive: SystemC holds unretained pointers
    private var channelBoxes: [ChannelBox] = []
    private var started = false
    private var finished = false
    /// Set by ``stop()``: SystemC returns at the end of the current delta cycle (`sc_pause`),
    /// after its update phase, as the native kernel does.
    private var stopRequested = false
    /// Set by ``finish()``: the last flush of the trace file runs no model code.
    fileprivate var muted = false
    private var firstError: SimulationError?
    private let vcdPath: String?
    /// Carries SystemC's VCD to `vcdPath` (atomically, every write checked).
    private let vcd: SystemCVCDPipe?
    public private(set) var evaluationCount: UInt64 = 0

    /// Initializes SystemC. `vcdPath`, if given, receives the traced signals.
    public init(vcdPath: String? = nil) throws {
        guard !Self.created else {
            throw SimulationError(.kernel, "SystemC allows one simulation per process; this process already has one")
        }
        Self.created = true
        self.vcdPath = vcdPath
        // SystemC writes its VCD into a FIFO (it appends ".vcd" to the name it is given); the
        // pipe copies it to the target. A target that cannot be written fails here, before
        // the run, with an OutputError.
        vcd = try vcdPath.map { path throws(OutputError) in try SystemCVCDPipe(path: path) }
        let status = vcd.map { bsc_initialize($0.systemCBase) } ?? bsc_initialize(nil)
        if status != BSC_OK {
            vcd?.abandon()
            throw Self.error()
        }
    }

    static func error() -> SimulationError { SimulationError(.kernel, String(cString: bsc_last_error())) }

    /// Records the first SystemC error raised during the run and ends the run.
    fileprivate func record(_ error: SimulationError) {
        if firstError == nil { firstError = error }
        stopRequested = true
        _ = bsc_pause()
    }

    public var now: Cycle { Cycle(Int(bsc_now())) }
    public var deltaCount: UInt64 { bsc_delta_count() }
    public var isTracing: Bool { vcdPath != nil }

    // MARK: Elaboration

    public func addProcess(_ name: String, priority: Int, _ process: any SimProcess) -> ProcessID {
        let box = ProcessBox(kernel: self, process: process)
        processBoxes.append(box)
        pending.append(PendingProcess(name: name, box: box, events: []))
        if started {
            // Not allowed by SimKernel; let SystemC's own rules report it at the next run.
            spawn(pending.count - 1)
        }
        return ProcessID(index: Int32(pending.count - 1))
    }

    public func addEvent(_ name: String, triggering process: ProcessID) -> EventID {
        guard let event = bsc_event_create() else {
            record(Self.error())
            return EventID(index: -1)
        }
        events.append(event)
        pending[Int(process.index)].events.append(event)
        return EventID(index: Int32(events.count - 1))
    }

    public func addChannel(_ name: String, _ channel: any UpdatableChannel) -> ChannelID {
        let box = ChannelBox(kernel: self, channel: channel)
        channelBoxes.append(box)
        let context = Unmanaged.passUnretained(box).toOpaque()
        guard let c = bsc_channel_create(name, { context in
            Unmanaged<ChannelBox>.fromOpaque(context!)._withUnsafeGuaranteedRef { box in
                if !box.kernel.muted { box.channel.update() }
            }
        }, context) else {
            record(Self.error())
            return ChannelID(index: -1)
        }
        channels.append(c)
        return ChannelID(index: Int32(channels.count - 1))
    }

    public func addTrace(_ name: String, width: Int) -> TraceID {
        let storage = isTracing ? bsc_trace_add(name, Int32(width)) : nil
        if isTracing && storage == nil { record(Self.error()) }
        traces.append(storage)
        return TraceID(index: Int32(traces.count - 1))
    }

    private func spawn(_ index: Int) {
        let p = pending[index]
        let context = Unmanaged.passUnretained(p.box).toOpaque()
        let status = p.events.withUnsafeBufferPointer { buffer in
            bsc_process_create(p.name, { context in
                Unmanaged<ProcessBox>.fromOpaque(context!)._withUnsafeGuaranteedRef { box in
                    if box.kernel.muted { return }
                    box.kernel.evaluationCount &+= 1
                    box.process.evaluate()
                }
            }, context, buffer.baseAddress!, buffer.count)
        }
        if status != BSC_OK { record(Self.error()) }
    }

    // MARK: Notification

    @inline(__always)
    public func notify(_ event: EventID, after delay: Cycles) {
        if bsc_event_notify(events[Int(event.index)], UInt64(delay.count)) != BSC_OK { record(Self.error()) }
    }

    @inline(__always)
    public func requestUpdate(_ channel: ChannelID) {
        if bsc_channel_request_update(channels[Int(channel.index)]) != BSC_OK { record(Self.error()) }
    }

    @inline(__always)
    public func setTrace(_ trace: TraceID, _ value: UInt64) {
        traces[Int(trace.index)]?.pointee = value
    }

    public func stop() {
        stopRequested = true
        _ = bsc_pause()
    }

    // MARK: Running

    public func run(until limit: Cycle?) throws -> RunOutcome {
        if let firstError { throw firstError }
        if finished || stopRequested { return .stopped }
        if !started {
            started = true
            for i in pending.indices where !pending[i].events.isEmpty { spawn(i) }
            if let firstError { throw firstError }
        }
        var outcome = BSC_RUN_IDLE
        let status = bsc_run(limit.map { UInt64($0.value) } ?? UInt64.max, &outcome)
        if status != BSC_OK { throw Self.error() }
        if let firstError { throw firstError }
        if stopRequested { return .stopped }
        switch outcome {
        case BSC_RUN_PAUSED: return .paused
        default: return .idle
        }
    }

    /// Ends tracing: SystemC writes the last time step and closes the VCD; the pipe publishes
    /// it at its path without the host-dated header line (reports are deterministic), or
    /// throws an ``OutputError`` when it could not be written (the target is left as it was).
    public func finish() throws {
        guard !finished else { return }
        finished = true
        muted = true
        defer {
            // SystemC never runs again (run() returns .stopped from now on), so its unretained
            // pointers to the boxes are never used: let go of the components (they hold the
            // kernel; a cycle otherwise, reported by LeakSanitizer).
            pending.removeAll()
            processBoxes.removeAll()
            channelBoxes.removeAll()
        }
        if bsc_finish() != BSC_OK {
            vcd?.abandon()
            throw Self.error()
        }
        try vcd?.finish()
    }
}
