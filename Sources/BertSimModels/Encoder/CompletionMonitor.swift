import BertSimCore

/// Watches the board for each job's `output` transfer, records when its requests complete,
/// and stops the simulation at the last completion (the end of the measured window). On a fed
/// table it stops nothing: it tells ``onJobDone`` when each job's output is done (known when
/// its last transaction is accepted, so the cycle may lie ahead).
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
    /// Cycles of every layer's attention phase (first attention task's start to last `pv` done).
    private(set) var attentionCycles = 0
    /// Attention costs of the jobs done, with sparse attention.
    private(set) var attention = AttentionAccounting()
    /// Frees state that no unit can refer to any more (jobs before the one returned).
    var prune: (_ completedJob: Int) -> Void = { _ in }
    /// On a fed table: a job's output is done at the cycle given.
    var onJobDone: (EncoderJob, Cycle) -> Void = { _, _ in }

    init(kernel: any SimKernel, jobs: JobTable, board: TaskBoard, layers: Int, prefix: String = "") {
        self.kernel = kernel
        self.jobs = jobs
        self.board = board
        self.layers = layers
        let process = kernel.addProcess(prefix + "monitor", self)
        timer = kernel.addEvent(prefix + "monitor.timer", triggering: process)
        _ = board.subscribe(process, name: prefix + "monitor")
    }

    /// A layer's attention phase: from the end of the V projection's issue on the array (where
    /// dense attention starts; sparse attention's estimator may start earlier, overlapping it) to
    /// the last attention × V result.
    private func attentionSpan(_ job: EncoderJob, layer: Int) -> Int {
        let range = job.plan.attentionPE
        let start = board.times(job, layer: layer, unit: .peArray, index: range.lowerBound - 1).issueEnd!
        return board.times(job, layer: layer, unit: .peArray, index: range.upperBound).done! - start
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
            for layer in 0..<layers { attentionCycles += attentionSpan(job, layer: layer) }
            if let a = job.plan.attention { attention += a * layers }
            prune(nextJob)
            nextJob += 1
            if jobs.isFed { onJobDone(job, Cycle(done)) }
        }
        if allDone, let lastDone {
            if kernel.now >= lastDone { kernel.stop() } else { kernel.notify(timer, after: lastDone - kernel.now) }
        }
    }
}
