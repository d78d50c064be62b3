import BertSim
import BertSimStudies
import Foundation

/// Ctrl-C (SIGINT) and SIGTERM, for commands that run simulations in child processes
/// (`compare`, `select`, `sweep run`): instead of dying and leaving the children running, the
/// command asks its ``ChildSimulations/Stop`` to kill them, keeps what already finished, and
/// exits 128 + the signal's number.
final class SignalStop: @unchecked Sendable {
    let stop = ChildSimulations.Stop()
    private let lock = NSLock()
    private var number: Int32 = 0
    private var sources: [DispatchSourceSignal] = []

    init() {
        for n in [SIGINT, SIGTERM] {
            signal(n, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: n, queue: .global())
            source.setEventHandler { [weak self] in self?.received(n) }
            source.resume()
            sources.append(source)
        }
    }

    deinit { sources.forEach { $0.cancel() } }

    private func received(_ n: Int32) {
        lock.lock()
        if number == 0 { number = n }
        lock.unlock()
        stop.request()
    }

    /// The first signal received, or nil.
    var signalled: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return number == 0 ? nil : number
    }

    /// The exit status for an interrupted command: 128 + the signal.
    var exitCode: Int32 { 128 + (signalled ?? SIGINT) }
}
