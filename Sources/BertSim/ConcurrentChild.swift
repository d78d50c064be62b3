import BertSimReport
import Foundation

/// A child simulation (``Simulation/ChildRunner``) started on a thread of its own, so that it
/// runs beside the main run; ``report()`` waits for it.
final class ConcurrentChild: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<RunReport, any Error>?
    private let runner: Simulation.ChildRunner
    private let request: SimulationRequest

    /// The runner starts a process and waits for it; it shares no state with the main run.
    init(_ request: SimulationRequest, runner: @escaping Simulation.ChildRunner) {
        self.runner = runner
        self.request = request
        Thread { [self] in run() }.start()
    }

    private func run() {
        outcome = Result { try runner(request) }
        done.signal()
    }

    private var waited = false

    /// The child's report (or its error), once it has finished; asked again, the same.
    func report() throws -> RunReport {
        if !waited {
            done.wait()
            waited = true
        }
        return try outcome!.get()
    }
}
