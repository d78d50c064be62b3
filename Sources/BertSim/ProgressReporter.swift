import BertSimCore
import BertSimReport
import Foundation

/// Turns a netlist's progress (simulated time, requests completed) into ``RunProgress``
/// snapshots, at most every `interval` seconds: handed to a callback (`simulate` on a
/// terminal) and written to the request's progress file (a child of `compare` or `select`).
final class ProgressReporter {
    private let total: Int?
    private let started = Date()
    private var last = Date.distantPast
    private let interval: Double
    private let callback: ((RunProgress) -> Void)?
    private let file: String?

    init(total: Int?, interval: Double = 0.25, callback: ((RunProgress) -> Void)?, file: String?) {
        self.total = total
        self.interval = interval
        self.callback = callback
        self.file = file
    }

    /// Whether anyone listens (without a listener the run is not sliced at all).
    var isActive: Bool { callback != nil || file != nil }

    func observe(_ cycle: Cycle, _ done: Int) {
        let now = Date()
        guard now.timeIntervalSince(last) >= interval else { return }
        last = now
        let snapshot = RunProgress(requestsDone: done, requestsTotal: total, cycle: cycle.value,
                                   seconds: now.timeIntervalSince(started))
        callback?(snapshot)
        if let file, let data = try? JSONEncoder().encode(snapshot) {
            // Best effort: a progress file that cannot be written costs the parent its line only.
            try? AtomicFile.write(String(decoding: data, as: UTF8.self), to: file)
        }
    }
}
