import BertSimCore

/// Watches the board for each job's `output` transfer, records when its requests complete,
/// and stops the simulation at the last completion (the end of the measured window).
final class CompletionMonitor: SimProcess {
    private let kernel: any SimKernel
    private let jobs: JobTable
    private let board: TaskBoard
    private let layers: Int
    private var timer: EventID!
    /// The oldest job whose completion is not known yet.
    private(set) var nextJob = 0
    private(set) var completions: [Int: Cycle] = [:]
    private(set) var arrivals: [Int: Cycle] = [:]
    private(set) var lastDone: Cycle?
    /// Frees state that no unit can refer to any more (jobs before the one returned).
    var prune: (_ completedJob: Int) -> Void = { _ in }

    init(kernel: any SimKernel, jobs: JobTable, board: TaskBoard, layers: Int) {
        self.kernel = kernel
        self.jobs = jobs
        self.board = board
        self.layers = layers
        let process = kernel.addProcess("monitor", self)
        timer = kernel.addEvent("monitor.timer", triggering: process)
        _ = board.subscribe(process, name: "monitor")
    }

    var allDone: Bool { jobs.exhausted && jobs.error == nil && nextJob == jobs.formed }

    func evaluate() {
        while let job = jobs.job(nextJob),
            let done = board.times(job, layer: layers, unit: .dmaWrite, index: 0).done
        {
            for (r, a) in zip(job.requests, job.arrivals) {
                completions[r] = Cycle(done)
                arrivals[r] = a
            }
            lastDone = max(lastDone ?? Cycle(done), Cycle(done))
            prune(nextJob)
            nextJob += 1
        }
        if allDone, let lastDone {
            if kernel.now >= lastDone { kernel.stop() } else { kernel.notify(timer, after: lastDone - kernel.now) }
        }
    }
}
