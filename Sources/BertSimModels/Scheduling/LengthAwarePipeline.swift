import BertSimCore
import BertSimWorkload

/// The length-aware scheduler (Peng et al., DAC 2022; docs/length-aware.md): the encoder's
/// layers split into S pipeline stages, each on a partition of the array's processing units;
/// sequences flow through unpadded, one per stage, in lockstep beats; each beat re-partitions
/// the units so the stages' times match; the next sequence is chosen by critical-path priority.
///
/// ## Timing model
/// A beat starts at T with stage i holding sequence x_i (stage 0 takes the ready sequence of
/// highest priority P(s) = Σ_i W_i(s, ⌊P/S⌋), ties to the earlier arrival; every other stage
/// takes its upstream neighbour's). The occupied stages get p_i ≥ 1 of the P units, Σ p_i = P,
/// minimizing max_i W_i(x_i, p_i) (then keeping the previous split, then the lexicographically
/// first; ``SplitSearch``, exact in O(S·P²)). A split unlike the previous beat's costs R cycles of repartitioning first. Stage i
/// is busy over [T + r, T + r + W_i); the beat ends at E = T + r + max_i W_i, when the sequence
/// in the last stage has completed and every sequence moves on. With nothing to do the next
/// beat waits for the next arrival.
///
/// Bubbles: repartitioning is `dependency`; an empty stage is `starved`; a stage done early is
/// `blocked` while a downstream stage is still busy, then `starved`. Inside [T + r, T + r + W_i)
/// the stage is busy for its partition's busy cycles, then in each cause for its partition's
/// bubbles of that cause (the stage's own run: control, memory, dependency…), in cause order.
///
/// With an executor (`--stage-costs cosimulated`, ``CosimulatedStages``) the decisions are the
/// same (priority and split from W) but the beat is simulated: stage i's sequence is done at
/// F_i, reported by the executor, instead of at T + r + W_i; the beat ends at E = max_i F_i;
/// inside [T, F_i) the stage's account is its partition's own (the repartitioning included),
/// after F_i `blocked` then `starved` as above.
public final class LengthAwarePipeline: SimProcess {
    public struct Config: Sendable, Equatable {
        public var stages: Int
        public var processingUnits: Int
        public var repartitionCycles: Int
        /// The model's layers (stage i runs layers ⌊i·L/S⌋ ..< ⌊(i+1)·L/S⌋), for timelines; nil
        /// when the stages are abstract.
        public var layers: Int?

        public init(stages: Int, processingUnits: Int, repartitionCycles: Int, layers: Int? = nil) {
            self.stages = stages
            self.processingUnits = processingUnits
            self.repartitionCycles = repartitionCycles
            self.layers = layers
        }
    }

    struct Sequence {
        var index: Int
        var length: Int
        var arrival: Cycle
        var ready: Cycle
        var priority: Int
    }

    public let config: Config
    private let kernel: any SimKernel
    private let cost: any StageCostModel
    private let clock: Clock
    private let batch: Int?
    private let stream: () throws -> Request?
    private var timer: EventID!
    private var queueTrace: TraceID?
    private var partitionTraces: [TraceID] = []

    private var lookahead: [Sequence] = []     // read from the trace, not yet ready
    private var ready: [Sequence] = []
    private var stageHolds: [Sequence?]
    private var allocation: [Int]?
    private var beatEnd: Cycle?
    /// The cosimulated beat running: its start, and each stage's done cycle as reported.
    private var executor: (any StageExecutor)?
    private var openBeat: (start: Cycle, finishes: [Cycle?], waiting: Int)?
    private var exhausted = false
    private var read = 0
    public private(set) var error: (any Error)?
    private(set) var ledgers: [ActivityLedger]
    private var puCycles: [Int]
    private var busyCycles: [Int]
    public private(set) var arrivals: [Cycle] = []
    private var lengths: [Int] = []
    public private(set) var completions: [Cycle?] = []
    public private(set) var lastCompletion: Cycle?
    public private(set) var tokens = 0
    public private(set) var beats = 0
    public private(set) var repartitions = 0
    public private(set) var maxQueue = 0
    private var queueArea = 0
    private var queueSince = Cycle.zero
    public private(set) var windowStart = Cycle.zero

    /// `executor`, given the window's start, builds what simulates the beats (nil: W is the
    /// stage's work, the isolated model).
    public init(_ config: Config, cost: any StageCostModel, kernel: any SimKernel, clock: Clock, batch: Int?,
                recordsIntervals: ActivityLedger.Recording = .off,
                executor: ((_ windowStart: Cycle) throws -> any StageExecutor)? = nil,
                stream: @escaping () throws -> Request?) {
        self.config = config
        self.kernel = kernel
        self.cost = cost
        self.clock = clock
        self.batch = batch
        self.stream = stream
        stageHolds = [Sequence?](repeating: nil, count: config.stages)
        puCycles = [Int](repeating: 0, count: config.stages)
        busyCycles = [Int](repeating: 0, count: config.stages)
        ledgers = []
        let process = kernel.addProcess("length_aware", self)
        timer = kernel.addEvent("length_aware.timer", triggering: process)
        if kernel.isTracing {
            queueTrace = kernel.addTrace("length_aware.queue_depth", width: 32)
            partitionTraces = (0..<config.stages).map { kernel.addTrace("stage\($0).processing_units", width: 16) }
        }
        readAhead()
        let start = lookahead.first?.arrival ?? .zero
        windowStart = start
        queueSince = start
        ledgers = (0..<config.stages).map { _ in ActivityLedger(start: start, recordsIntervals: recordsIntervals) }
        if let executor {
            do {
                let e = try executor(start)
                e.finished = { [unowned self] stage, at in stageFinished(stage, at) }
                self.executor = e
            } catch {
                fail(error)
            }
        }
        if let first = lookahead.first { kernel.notify(timer, after: first.ready - .zero) }
    }

    /// Reads the next arrival group (a closed batch, or one request) into the lookahead.
    private func readAhead() {
        guard lookahead.isEmpty, !exhausted, error == nil else { return }
        var group: [Request] = []
        do {
            while group.count < (batch ?? 1), let r = try stream() { group.append(r) }
        } catch {
            self.error = error
            exhausted = true
            kernel.stop()
            return
        }
        if group.isEmpty {
            exhausted = true
            return
        }
        let arrivals = group.map { clock.cycle(atNanoseconds: $0.arrivalNs) }
        let readyAt = arrivals.max()!
        for (r, a) in zip(group, arrivals) {
            lookahead.append(Sequence(index: read, length: r.tokens, arrival: a, ready: readyAt, priority: priority(r.tokens)))
            self.arrivals.append(a)
            lengths.append(r.tokens)
            completions.append(nil)
            tokens += r.tokens
            read += 1
        }
    }

    /// P(s): the sequence's critical path through every stage on an even split.
    private func priority(_ length: Int) -> Int {
        let even = max(1, config.processingUnits / config.stages)
        var total = 0
        for i in 0..<config.stages {
            do {
                total += try cost.cycles(stage: i, length: length, processingUnits: even)
            } catch {
                fail(error)
                return 0
            }
        }
        return total
    }

    private func fail(_ e: any Error) {
        if error == nil { error = e }
        exhausted = true
        kernel.stop()
    }

    private func setQueue(_ now: Cycle) {
        queueArea += (now - queueSince).count * ready.count
        queueSince = now
        maxQueue = max(maxQueue, ready.count)
        if let queueTrace { kernel.setTrace(queueTrace, UInt64(ready.count)) }
    }

    public func evaluate() {
        let now = kernel.now
        // Arrivals up to now join the ready queue.
        while let next = lookahead.first, next.ready <= now {
            setQueue(now)
            ready.append(contentsOf: lookahead)
            lookahead.removeAll()
            readAhead()
            setQueue(now)
        }
        if let end = beatEnd, now >= end {
            beatEnd = nil
        }
        if beatEnd == nil && openBeat == nil && error == nil { startBeat(now) }
        // Wake for the next arrival or the beat's end, whichever comes first.
        var wake: Cycle?
        if let next = lookahead.first { wake = next.ready }
        if let end = beatEnd { wake = min(wake ?? end, end) }
        if let wake, wake > now { kernel.notify(timer, after: wake - now) }
    }

    private func startBeat(_ t: Cycle) {
        // Shift: every sequence moves one stage on; stage 0 takes the best ready one.
        for i in stride(from: config.stages - 1, to: 0, by: -1) { stageHolds[i] = stageHolds[i - 1] }
        stageHolds[0] = nil
        if let best = ready.indices.max(by: { a, b in
            let (x, y) = (ready[a], ready[b])
            return x.priority != y.priority ? x.priority < y.priority : (x.arrival, x.index) > (y.arrival, y.index)
        }) {
            setQueue(t)
            stageHolds[0] = ready.remove(at: best)
            setQueue(t)
        }
        let occupied = (0..<config.stages).filter { stageHolds[$0] != nil }
        guard !occupied.isEmpty else {
            for i in 0..<config.stages { enter(i, .bubble(.starved), t) }
            if lookahead.isEmpty && ready.isEmpty && exhausted { kernel.stop() }
            return
        }
        // The activation buffers carved by need for this beat's sequences, then the split of
        // the units that makes the slowest stage fastest (SplitSearch: exact).
        let shares = cost.shares(lengths: stageHolds.map { $0?.length })
        var failure: (any Error)?
        let previous = allocation.flatMap { a in
            (0..<config.stages).allSatisfy({ (a[$0] > 0) == (stageHolds[$0] != nil) }) ? occupied.map { a[$0] } : nil
        }
        let found = SplitSearch.best(units: config.processingUnits, stages: occupied.count, previous: previous) { k, p in
            do {
                return try cost.cycles(stage: occupied[k], length: stageHolds[occupied[k]]!.length, processingUnits: p,
                                       share: shares[occupied[k]])
            } catch {
                failure = failure ?? error
                return nil
            }
        }
        guard let found else {
            fail(failure ?? DesignError(field: "encoder.length_aware.pipeline_stages",
                                        "no split of \(config.processingUnits) processing units can run these sequences"))
            return
        }
        var split = [Int](repeating: 0, count: config.stages)
        var work = [Int](repeating: 0, count: config.stages)
        for (k, i) in occupied.enumerated() {
            split[i] = found.split[k]
            work[i] = (try? cost.cycles(stage: i, length: stageHolds[i]!.length, processingUnits: split[i], share: shares[i])) ?? 0
        }
        let choice = (beat: found.beat, changed: allocation != nil && allocation! != split, split: split, work: work)
        let r = choice.changed ? config.repartitionCycles : 0
        if choice.changed { repartitions += 1 }
        allocation = choice.split
        beats += 1
        if let executor {
            for i in 0..<config.stages {
                if let trace = partitionTraces.indices.contains(i) ? partitionTraces[i] : nil {
                    kernel.setTrace(trace, UInt64(choice.split[i]))
                }
                if stageHolds[i] == nil { enter(i, .bubble(.starved), t) }
            }
            openBeat = (t, [Cycle?](repeating: nil, count: config.stages), occupied.count)
            do {
                try executor.start(at: t, ready: t + Cycles(r), work: (0..<config.stages).map { i in
                    stageHolds[i].map { StageWork(request: $0.index, arrival: $0.arrival, length: $0.length,
                                                  processingUnits: split[i], share: shares[i]) }
                })
            } catch {
                fail(error)
            }
            return
        }
        let end = t + Cycles(r + choice.beat)
        let finish = (0..<config.stages).map { stageHolds[$0] == nil ? t : t + Cycles(r + choice.work[$0]) }
        for i in 0..<config.stages {
            if let trace = partitionTraces.indices.contains(i) ? partitionTraces[i] : nil {
                kernel.setTrace(trace, UInt64(choice.split[i]))
            }
            guard stageHolds[i] != nil else {
                enter(i, .bubble(.starved), t)
                continue
            }
            if r > 0 { enter(i, .bubble(.dependency), t) }
            // The stage's work: its partition's busy cycles first, then its own bubbles by cause
            // (counts from the stage's run; their order inside the work is drawn, not simulated).
            let w = choice.work[i]
            let inner: [Int]
            do {
                inner = try cost.bubbles(stage: i, length: stageHolds[i]!.length, processingUnits: choice.split[i], share: shares[i])
            } catch {
                fail(error)
                return
            }
            let busy = w - inner.reduce(0, +)
            if ledgers[i].recordsIntervals {
                // One slice per layer of the stage, drawn evenly over the stage's busy time.
                let k = stageLayers(i)
                for j in 0..<k where busy * (j + 1) / k > busy * j / k {
                    let tag = ActivityLedger.tag(item: stageHolds[i]!.index, layer: firstLayer(i) + j)
                    enter(i, .busy, t + Cycles(r + busy * j / k), tag: tag)
                }
            } else if busy > 0 {
                enter(i, .busy, t + Cycles(r))
            }
            var at = r + busy
            for cause in BubbleCause.allCases where inner[cause.index] > 0 {
                enter(i, .bubble(cause), t + Cycles(at))
                at += inner[cause.index]
            }
            cost.executed(stage: i, length: stageHolds[i]!.length, processingUnits: choice.split[i], share: shares[i])
            busyCycles[i] += busy
            puCycles[i] += busy * choice.split[i]
            afterWork(i, finish)
        }
        completeLastStage(finish)
        beatEnd = end
    }

    /// Stage i done early at `finish[i]`: blocked while a downstream stage works, then starved.
    private func afterWork(_ i: Int, _ finish: [Cycle]) {
        let downstream = ((i + 1)..<config.stages).map { finish[$0] }.max() ?? finish[i]
        if downstream > finish[i] { enter(i, .bubble(.blocked), finish[i]) }
        enter(i, .bubble(.starved), max(finish[i], downstream))
    }

    /// The last stage's sequence completes when that stage finishes.
    private func completeLastStage(_ finish: [Cycle]) {
        guard let last = stageHolds[config.stages - 1] else { return }
        completions[last.index] = finish[config.stages - 1]
        lastCompletion = finish[config.stages - 1]
    }

    private func enter(_ stage: Int, _ activity: Activity, _ t: Cycle, tag: Int = -1) {
        if let executor {
            executor.mark(stage: stage, activity, at: max(t, windowStart))
        } else {
            ledgers[stage].enter(activity, at: max(t, windowStart), tag: tag)
        }
    }

    /// The executor's report: stage `i`'s sequence is done at `at`. When every occupied stage
    /// has reported, the beat ends at the latest; stages done earlier are `blocked` while a
    /// downstream stage works, then `starved`.
    private func stageFinished(_ i: Int, _ at: Cycle) {
        guard var beat = openBeat, beat.finishes[i] == nil else { return }
        beat.finishes[i] = at
        beat.waiting -= 1
        openBeat = beat
        guard beat.waiting == 0 else { return }
        openBeat = nil
        let finish = beat.finishes.map { $0 ?? beat.start }
        for i in 0..<config.stages where beat.finishes[i] != nil { afterWork(i, finish) }
        completeLastStage(finish)
        let end = finish.max()!
        beatEnd = end
        let now = kernel.now
        kernel.notify(timer, after: end > now ? end - now : .zero)
    }

    /// Layers of stage i when the pipeline knows them (config.layers), else 1.
    private func stageLayers(_ i: Int) -> Int {
        guard let layers = config.layers else { return 1 }
        return (i + 1) * layers / config.stages - i * layers / config.stages
    }

    private func firstLayer(_ i: Int) -> Int { config.layers.map { i * $0 / config.stages } ?? i }

    /// Runs the trace to the end (or until a limit ends it: then the result is partial) and
    /// reports.
    /// `progress` sees the simulated time and the requests completed now and then.
    public func run(limits: RunLimits = .none, progress: ((Cycle, Int) -> Void)? = nil) throws -> SimulationResult {
        if let error { throw error }
        let hit = try kernel.run(limits: limits, observe: progress.map { report in
            { [unowned self] now in report(now, completions.count { $0.map { $0 <= now } ?? false }) }
        })
        if let error { throw error }
        var end = lastCompletion ?? windowStart
        let unfinished = completions.filter { $0 == nil || $0! > kernel.now }.count
        var partial: PartialRun?
        if let hit {
            end = max(kernel.now, windowStart)
            partial = PartialRun(reason: hit.description, cycle: end.value, requestsCompleted: completions.count - unfinished,
                                 requestsUnfinished: unfinished,
                                 held: ["\(unfinished) sequence(s) queued or in the \(config.stages)-stage pipeline"]
                                     + (executor?.heldWork ?? []))
            setQueue(max(end, queueSince))
            for i in 0..<config.stages { ledgers[i].finish(noEarlierThan: end) }
            executor?.finish(at: end, exactly: false)
        } else {
            guard unfinished == 0 else {
                let held = executor?.heldWork ?? []
                throw SimulationError(.deadlock, "length-aware pipeline stopped with \(unfinished) requests unfinished"
                    + (held.isEmpty ? "" : ": " + held.joined(separator: "; ")))
            }
            setQueue(end)
            for i in 0..<config.stages { ledgers[i].finish(at: end) }
            executor?.finish(at: end, exactly: true)
        }
        let done = completions.indices.filter { completions[$0].map { $0 <= end } ?? false }
        let span = max(1, (end - windowStart).count)
        let statistics = [
            StatEntry("length_aware.beats", beats, .count, "Pipeline beats"),
            StatEntry("length_aware.repartitions", repartitions, .count, "Beats that changed the split of processing units"),
            StatEntry("length_aware.queue_depth_max", maxQueue, .requests, "Most sequences waiting to enter the pipeline"),
            StatEntry("length_aware.queue_depth_mean", Double(queueArea) / Double(span), .requests,
                      "Sequences waiting, averaged over the run"),
        ]
        var result = SimulationResult(
            windowStart: windowStart, windowEnd: end, arrivals: done.map { arrivals[$0] }, completions: done.map { completions[$0]! },
            tokens: tokens,
            stages: (0..<config.stages).map { i in
                let ledger = executor?.ledger(stage: i) ?? ledgers[i]
                let busy = executor == nil ? busyCycles[i] : ledger.busy.count
                let units = executor?.unitCycles(stage: i) ?? puCycles[i]
                return StageSummary(name: ComputeArrayStages.partition(i), ledger: ledger,
                                    laneUtilization: busy == 0 ? 0 : Double(units) / Double(busy * config.processingUnits))
            },
            statistics: statistics, deltaCycles: kernel.deltaCount, evaluations: kernel.evaluationCount,
            timelineItems: ledgers.first?.recordsIntervals == true ? lengths.enumerated().map { "request \($0.offset) (\($0.element) tokens)" } : [])
        result.partial = partial
        return result
    }
}
