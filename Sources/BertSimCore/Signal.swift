/// A value shared between processes, committed in the update phase (as SystemC's
/// `sc_signal`): a write becomes visible one delta cycle later, and readers bound to it are
/// delta-notified when the committed value changes.
public final class Signal<Value: Equatable>: UpdatableChannel {
    public let name: String
    private let kernel: any SimKernel
    private var channel: ChannelID!
    private var current: Value
    private var next: Value
    private var changedEvents: [EventID] = []

    public init(_ name: String, initial: Value, kernel: any SimKernel) {
        self.name = name
        self.kernel = kernel
        self.current = initial
        self.next = initial
        self.channel = kernel.addChannel(name, self)
    }

    /// Wakes `process` whenever the committed value changes.
    public func bindReader(_ process: ProcessID) {
        changedEvents.append(kernel.addEvent("\(name).changed", triggering: process))
    }

    /// The committed value.
    public var value: Value { current }

    public func write(_ value: Value) {
        next = value
        kernel.requestUpdate(channel)
    }

    public func update() {
        guard next != current else { return }
        current = next
        for e in changedEvents { kernel.notify(e, after: .zero) }
    }
}
