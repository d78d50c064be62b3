import BertSimCore
import BertSimWorkload

/// The padded schedule on the same stage cost model W as ``LengthAwarePipeline``
/// (docs/length-aware.md §5): the like-for-like baseline of the scheduling policy alone.
///
/// The product's padded baseline (`--scheduler padded`) is the encoder netlist itself, which
/// also amortizes weight transfers over a batch; this model isolates what padding costs when
/// everything else is equal, and it is the padded half of the hand-worked tests.
///
/// ## Timing model
/// Requests form jobs: closed batches (or single requests), each padded to L = max(longest,
/// pad-to). Jobs run one at a time, in arrival order, on the whole array of P units: a job
/// that is ready at r starts at T = max(r, previous job's end) and runs the stages one after
/// another, each over its sequences one after another, W_i(L, P) cycles per sequence. Of
/// each sequence's W_i(L, P) cycles, ⌊W_i(L, P) · s / L⌋ are busy and the rest `padding`
/// (docs/contract.md); between jobs the array is `starved`. Every request of a job completes when
/// the job's last stage ends.
public final class PaddedStagePipeline: SimProcess {
    public let stages: Int
    public let processingUnits: Int
    public let padTo: Int?
    private let kernel: any SimKernel
    private let cost: any StageCostModel
    private let clock: Clock
    private let batch: Int?
    private let stream: () throws -> Request?
    private var timer: EventID!
    private var ledger: ActivityLedger
    private var next: (indices: Range<Int>, lengths: [Int], ready: Cycle)?
    private var freeAt = Cycle.zero
    private var exhausted = false
    public private(set) var error: (any Error)?
    public private(set) var arrivals: [Cycle] = []
    public private(set) var completions: [Cycle] = []
    public private(set) var tokens = 0
    public private(set) var paddedTokens = 0
    public private(set) var jobs = 0
    public private(set) var windowStart = Cycle.zero

    public init(stages: Int, processingUnits: Int, padTo: Int? = nil, cost: any StageCostModel, kernel: any SimKernel,
                clock: Clock, batch: Int?, recordsIntervals: ActivityLedger.Recording = .off, stream: @escaping () throws -> Request?) {
        self.stages = stages
        self.processingUnits = processingUnits
        self.padTo = padTo
        self.cost = cost
        self.kernel = kernel
        self.clock = clock
        self.batch = batch
        self.stream = stream
        ledger = ActivityLedger(start: .zero)
        let process = kernel.addProcess("padded", self)
        timer = kernel.addEvent("padded.timer", triggering: process)
        readNext()
        windowStart = arrivals.first ?? .zero
        ledger = ActivityLedger(start: windowStart, recordsIntervals: recordsIntervals)
        if let next { kernel.notify(timer, after: next.ready - .zero) }
    }

    private func readNext() {
        var group: [Request] = []
        do {
            while group.count < (batch ?? 1), let r = try stream() { group.append(r) }
        } catch {
            self.error = error
            exhausted = true
            kernel.stop()
            return
        }
        guard !group.isEmpty else {
            next = nil
            exhausted = true
            return
        }
        let a = group.map { clock.cycle(atNanoseconds: $0.arrivalNs) }
        next = (arrivals.count..<(arrivals.count + group.count), group.map(\.tokens), a.max()!)
        arrivals += a
        completions += [Cycle](repeating: .zero, count: group.count)
        tokens += group.map(\.tokens).reduce(0, +)
    }

    public func evaluate() {
        let now = kernel.now
        guard let job = next, job.ready <= now, freeAt <= now else {
            if let job = next { kernel.notify(timer, after: max(job.ready, freeAt) - now) }
            return
        }
        let padded = max(job.lengths.max()!, padTo ?? 0)
        var t = now
        for stage in 0..<stages {
            let w: Int
            do {
                w = try cost.cycles(stage: stage, length: padded, processingUnits: processingUnits)
            } catch {
                self.error = error
                kernel.stop()
                return
            }
            for s in job.lengths {
                cost.executed(stage: stage, length: padded, processingUnits: processingUnits)
                let useful = w * s / padded
                ledger.enter(.busy, at: t)
                if useful < w { ledger.enter(.bubble(.padding), at: t + Cycles(useful)) }
                t = t + Cycles(w)
            }
        }
        ledger.enter(.bubble(.starved), at: t)
        for i in job.indices { completions[i] = t }
        paddedTokens += padded * job.lengths.count
        jobs += 1
        freeAt = t
        readNext()
        if let job = next { kernel.notify(timer, after: max(job.ready, freeAt) - now) }
    }

    public func run() throws -> SimulationResult {
        if let error { throw error }
        _ = try kernel.run()
        if let error { throw error }
        let end = completions.max() ?? windowStart
        ledger.finish(at: end)
        return SimulationResult(
            windowStart: windowStart, windowEnd: end, arrivals: arrivals, completions: completions, tokens: tokens,
            stages: [StageSummary(name: "array", ledger: ledger, laneUtilization: 1)],
            statistics: [StatEntry("padded.jobs", jobs, .count, "Padded jobs"),
                         StatEntry("padded.tokens", paddedTokens, .tokens, "Tokens after padding")],
            deltaCycles: kernel.deltaCount, evaluations: kernel.evaluationCount)
    }
}
