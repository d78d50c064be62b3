import BertSimCore

/// The scoreboard every unit reads: when each task's issue ends and when its results are
/// usable (docs/encoder-timing.md §3), committed in the kernel's update phase like any
/// channel. Writers post times they know at issue; a transfer's `done` becomes known when its
/// last transaction has been accepted by a channel (the latest data-phase end).
///
/// Every posted time lies at least one cycle after the cycle it is posted in, so what a unit
/// decides at cycle t depends only on posts from earlier cycles: no result depends on the
/// order of same-cycle processes.
public final class TaskBoard: UpdatableChannel {
    private let kernel: any SimKernel
    private var channel: ChannelID!
    private var pendingTimes: [(EncoderJob, TaskKey, TaskTimes)] = []
    private var pendingExpect: [(EncoderJob, TaskKey, Int)] = []
    private var pendingEnds: [(EncoderJob, TaskKey, Int)] = []
    private var subscribers: [EventID] = []
    /// Which subscribers wait on a time the board does not know yet; only they are woken.
    private var interested: [Bool] = []

    public init(kernel: any SimKernel, name: String = "board") {
        self.kernel = kernel
        channel = kernel.addChannel(name, self)
    }

    /// Wakes `process` when posted times commit while it is interested (``setInterested(_:_:)``).
    /// Returns its subscriber number.
    public func subscribe(_ process: ProcessID, name: String) -> Int {
        subscribers.append(kernel.addEvent("board.\(name)", triggering: process))
        interested.append(true)
        return subscribers.count - 1
    }

    /// Whether `subscriber` waits on a time not posted yet. Read in the update phase, after
    /// every evaluation of the delta cycle, so it does not depend on evaluation order.
    @inline(__always)
    public func setInterested(_ subscriber: Int, _ value: Bool) { interested[subscriber] = value }

    /// The committed times of a task of `job`.
    @inline(__always)
    public func times(_ job: EncoderJob, layer: Int, unit: EncoderUnit, index: Int) -> TaskTimes {
        job.times[layer, unit, index]
    }

    /// A compute task issued: both times are known now.
    public func post(_ job: EncoderJob, _ key: TaskKey, issueEnd: Cycle, done: Cycle) {
        pendingTimes.append((job, key, TaskTimes(issueEnd: issueEnd.value, done: done.value)))
        kernel.requestUpdate(channel)
    }

    /// A transfer was split into `transactions` transactions.
    public func expect(_ job: EncoderJob, _ key: TaskKey, transactions: Int) {
        pendingExpect.append((job, key, transactions))
        kernel.requestUpdate(channel)
    }

    /// A channel accepted one of the transfer's transactions; its data ends at `end`.
    public func transactionAccepted(_ job: EncoderJob, _ key: TaskKey, end: Cycle) {
        pendingEnds.append((job, key, end.value))
        kernel.requestUpdate(channel)
    }

    public func update() {
        var changed = !pendingTimes.isEmpty
        for (job, key, times) in pendingTimes { job.times[key.layer, key.unit, key.index] = times }
        pendingTimes.removeAll(keepingCapacity: true)
        for (job, key, n) in pendingExpect {
            job.times.update(key) { $0.expected = n }
            changed = complete(job, key) || changed
        }
        pendingExpect.removeAll(keepingCapacity: true)
        for (job, key, end) in pendingEnds {
            job.times.update(key) {
                $0.accepted += 1
                $0.latestEnd = max($0.latestEnd, end)
            }
            changed = complete(job, key) || changed
        }
        pendingEnds.removeAll(keepingCapacity: true)
        if changed {
            for (i, e) in subscribers.enumerated() where interested[i] { kernel.notify(e, after: .zero) }
        }
    }

    /// Records a transfer's done time once all its transactions are accepted.
    private func complete(_ job: EncoderJob, _ key: TaskKey) -> Bool {
        var completed = false
        job.times.update(key) { t in
            if t.done == nil && t.expected > 0 && t.accepted == t.expected {
                t.done = t.latestEnd
                completed = true
            }
        }
        return completed
    }
}
