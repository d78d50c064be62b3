import BertSimCore
import BertSimModels
import BertSimWorkload

/// A per-cycle reference for the encoder accelerator: it executes the plan's tasks under the
/// rules of docs/encoder-timing.md §2–§7 one cycle at a time, so that the event-driven
/// `EncoderNetlist` can be checked against it to the cycle.
///
/// It shares only the *plan* with the netlist (`JobTable`, `JobPlan`, `PlannedTask`,
/// `Dependency`, `BufferPlan`, the closed-form task costs); everything that decides *when*
/// (programs, dependency checks, weight slots, DMA engines, request queues, channels,
/// bubble accounting) is written here from the spec alone.
///
/// Each cycle `t`, in this order:
/// 1. every channel retires the data phase that moved its last byte in cycle `t − 1`
///    (`e = t`, §5); its outstanding slot is free again, and a transfer whose transactions
///    have all ended is `done` at `t`. If every job's `output` is done, the run ends at `t`.
/// 2. every channel accepts, oldest request cycle first (read engine first on a tie), the
///    transactions written to it at cycles before `t`, while fewer than `O` are in flight.
/// 3. each DMA engine (read, then write) writes transactions of its current transfer into the
///    target channel's request queue (`O` deep), round robin, until the first full queue; it
///    moves on to its next transfer in the same cycle when its dependencies are met.
/// 4. each compute unit (PE array, softmax, LayerNorm, GELU) starts its next task if it is not
///    issuing and every dependency is met at `t`.
/// 5. each channel's bus starts the oldest accepted transaction whose latency is over, if it
///    is idle, and moves its bytes (at most `A` per cycle and at most the bandwidth); accepted
///    transactions count their latency down.
/// Then every stage's cycle `t` is classified (§7).
///
/// ## Readings of the spec where it is not explicit
/// - **Bubble cause order** (§7): a task's dependencies are examined compute first (done of a
///   compute unit's task, the previous job's `ln2`, a weight slot, the job being ready, in the
///   plan's order), then memory (done of a transfer); the first unmet one gives the cause.
///   A next task whose job has not arrived makes its unit `starved` (§7, "no job yet"),
///   whatever its dependencies; after that, "the job is ready" no longer matters.
/// - **DMA engine with its dependencies met but the target queue full**: `blocked` (the
///   transaction cannot leave because downstream is full; §7 names no cause for it).
/// - **DMA engine after the last transaction of a transfer**: it continues with the next
///   transfer in the same cycle (the engine writes "as long as the target queue has room").
/// - **Request queues**: one queue of `O` entries per engine per channel ("the target
///   channel's request queue"; a shared queue would make the read-first tie rule moot).
/// - **A transfer's done with several channels**: the latest end of its transactions' data
///   phases (its last transaction *in order* may end before an earlier one on a busier
///   channel; the data is complete only when all have ended).
/// - **DMA busy**: a cycle in which the engine wrote at least one transaction.
/// - **DMA descriptor** (§8): a transfer whose dependencies are met at `t` writes its first
///   transaction at `t + D` at the earliest; the engine's cycles in between are `control`
///   (a cycle in which it also finished the previous transfer's writes stays busy).
/// - **Padding**: a task's first `usefulIssue` issue cycles are busy, then `padding`, then its
///   `imbalanceIssue` cycles `imbalance`, then its `controlIssue` cycles `control` (§8).
/// - **Window**: from the first request's arrival to the latest `output` done; a request
///   completes at its job's `output` done.
public enum EncoderReference {
    /// One stage's account over the window: busy cycles and bubble cycles per cause, in
    /// `BubbleCause.allCases` order.
    public struct Stage: Equatable, Sendable, CustomStringConvertible {
        public var name: String
        public var busy: Int
        public var bubbles: [Int]

        public init(name: String, busy: Int, bubbles: [Int]) {
            self.name = name
            self.busy = busy
            self.bubbles = bubbles
        }

        public var description: String { "\(name) \(busy)/\(bubbles)" }
    }

    /// What the run produced: the window, per-request completions and per-stage accounts.
    public struct Outcome: Equatable, Sendable, CustomStringConvertible {
        public var windowStart: Int
        public var windowEnd: Int
        public var arrivals: [Int]
        public var completions: [Int]
        public var stages: [Stage]

        public init(windowStart: Int, windowEnd: Int, arrivals: [Int], completions: [Int], stages: [Stage]) {
            self.windowStart = windowStart
            self.windowEnd = windowEnd
            self.arrivals = arrivals
            self.completions = completions
            self.stages = stages
        }

        /// One line that two runs agree on exactly when their cycles and bubbles agree.
        public var description: String {
            "window \(windowStart)..<\(windowEnd) arrivals \(arrivals) completions \(completions) stages \(stages.map(\.description))"
        }
    }

    /// A maximal run of cycles in which a stage did one thing.
    public struct Interval: Equatable, Sendable, CustomStringConvertible {
        public var start: Int
        public var end: Int
        public var activity: Activity

        public init(start: Int, end: Int, activity: Activity) {
            self.start = start
            self.end = end
            self.activity = activity
        }

        public var description: String {
            let what = switch activity {
            case .busy: "busy"
            case .bubble(let c): c.rawValue
            }
            return "\(start)..<\(end) \(what)"
        }
    }

    /// When one task started, finished issuing and was done.
    public struct TaskRecord: Sendable, CustomStringConvertible {
        public var job: Int
        public var layer: Int
        public var unit: EncoderUnit
        public var index: Int
        public var label: String
        public var start: Int
        public var issueEnd: Int?
        public var done: Int?

        public var description: String {
            "job \(job) layer \(layer) \(unit.stageName)[\(index)] \(label): start \(start) issueEnd \(issueEnd.map(String.init) ?? "-") done \(done.map(String.init) ?? "-")"
        }
    }

    /// The outcome and, when asked for, each stage's cycle-by-cycle activity and every task's
    /// times (for evidence when a comparison fails).
    public struct Recording: Sendable {
        public var outcome: Outcome
        /// Per stage, in the outcome's stage order; empty unless recorded.
        public var timelines: [[Interval]]
        /// Every task that started, in start order; empty unless recorded.
        public var tasks: [TaskRecord]
        /// Transfers whose last transaction (in transfer order) ended before an earlier one.
        public var transfersEndingOutOfOrder: Int
        /// Jobs run.
        public var jobs: Int
        /// Weight slots S.
        public var weightSlots: Int
    }

    /// A run that did not finish.
    public struct ReferenceError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs `requests` (in trace order) through the accelerator one cycle at a time.
    public static func run(model: ModelSpec, config: EncoderConfig, clock: Clock, batch: Int?, padTo: Int? = nil,
                           requests: [Request], records: Bool = false, maxCycles: Int = 50_000_000) throws -> Recording {
        let simulator = try ReferenceSimulator(model: model, config: config, clock: clock, batch: batch, padTo: padTo,
                                               requests: requests, records: records)
        return try simulator.run(maxCycles: maxCycles)
    }
}

/// The state of the per-cycle reference (see ``EncoderReference``).
final class ReferenceSimulator {
    struct Ref: Hashable {
        var job: Int
        var layer: Int
        var unit: EncoderUnit
        var index: Int
    }

    struct TileRef: Hashable {
        var job: Int
        var layer: Int
        var tile: Int
    }

    struct Times {
        var start: Int?
        var issueEnd: Int?
        var done: Int?
    }

    struct ComputeState {
        var position = 0
        var start = 0
        var issueEnd = 0
        var useful = 0
        /// Issue cycles lost to gather conflicts, then control on real rows: the task's last
        /// cycles (§7, §8: busy, padding, imbalance, control).
        var imbalance = 0
        var control = 0
    }

    struct EngineState {
        var position = 0
        var transfer: Int?
        var pointer = 0
        /// The current transfer's descriptor is set up from this cycle on (§8).
        var writableFrom = 0
    }

    struct Transfer {
        var ref: Ref
        var bytes: Int
        var count: Int
        var written = 0
        var ended = 0
        var lastInOrderEnd: Int?
        var latestEnd = 0
    }

    struct Transaction {
        var transfer: Int
        var index: Int
        var bytes: Int
        var requestCycle: Int
    }

    /// The compute units: with sparse attention also the estimator and the selector.
    let computeUnits: [EncoderUnit]
    static let engineUnits: [EncoderUnit] = [.dmaRead, .dmaWrite]

    let layers: Int
    var jobs: [EncoderJob]
    let slots: Int
    /// Layers' parameter slots: two when the stage's share of ⌊(capacity − 512 B of LUTs) ÷ a
    /// layer's parameters⌋ holds two, else one (docs/encoder-timing.md §4).
    let parameterSlots: Int
    let memory: EncoderConfig.Memory
    let records: Bool
    /// `times[job][layer + 1][unit][index]`.
    var times: [[[[Times]]]] = []
    /// Each unit's whole program, in order, over every job.
    var programs: [[Ref]] = []
    /// Global weight-tile number (DMA program order across layers and jobs) of each layer's tile.
    var globalTile: [TileRef: Int] = [:]
    /// The global number of each job's first weight tile.
    var tileBase: [Int] = []
    /// The PE task that uses global weight tile g.
    var tileUser: [Ref] = []
    /// Each job's last `ln2` (index in the last layer's LayerNorm program).
    var lastLN2: [Int] = []

    var compute: [ComputeState]
    var engines = [EngineState](repeating: EngineState(), count: 2)
    var transfers: [Transfer] = []
    var transactions: [Transaction] = []
    /// `queues[engine][channel]`: transaction ids written and not yet accepted.
    var queues: [[[Int]]]
    var channels: [ReferenceChannel]
    var outputsDone = 0
    var started: [Ref] = []

    /// §8: the host's command latency; the engines' descriptor setup per transfer.
    let hostCycles: Int

    convenience init(model: ModelSpec, config: EncoderConfig, clock: Clock, batch: Int?, padTo: Int?, requests: [Request],
                     records: Bool) throws {
        var next = 0
        let pruned = try config.pruning.map { p in try PrunedWeights.cached(pruning: p, model: model, config: config) }
        let table = JobTable(model: model, config: config, clock: clock, batch: batch, padTo: padTo, pruned: pruned) {
            defer { next += 1 }
            return next < requests.count ? requests[next] : nil
        }
        var jobs: [EncoderJob] = []
        while let j = table.job(jobs.count) { jobs.append(j) }
        if let e = table.error { throw e }
        guard !jobs.isEmpty else { throw EncoderReference.ReferenceError(description: "no requests") }
        let buffers = BufferPlan(model: model, config: config)
        try buffers.checkFixed()
        guard buffers.weightSlots >= 1 else { throw EncoderReference.ReferenceError(description: "no weight slot") }
        try self.init(model: model, partition: config, weightSlots: buffers.weightSlots, records: records)
        channels = (0..<memory.channels).map { _ in ReferenceChannel(memory: config.memory, clock: clock) }
        for job in jobs { try add(job) }
    }

    /// A partition of the cosimulated length-aware pipeline (``CosimulatedReference``): no jobs
    /// yet (``add(_:)`` appends them, one per beat), `slots` weight slots, and request queues
    /// that the shared channels read (no channels of its own).
    init(model: ModelSpec, partition config: EncoderConfig, weightSlots: Int, records: Bool) throws {
        layers = model.layers
        memory = config.memory
        hostCycles = config.host.layerCommandCycles
        self.records = records
        computeUnits = config.sparse == nil ? [.peArray, .softmax, .layerNorm, .gelu] : EncoderUnit.computeUnits
        compute = [ComputeState](repeating: ComputeState(), count: computeUnits.count)
        jobs = []
        slots = weightSlots
        let pool = (config.buffers.parameterKiB * 1024 - 512) / config.parameterBytes(hidden: model.hidden)
        parameterSlots = pool / config.buffers.parameterSharers >= 2 ? 2 : 1
        queues = Array(repeating: Array(repeating: [], count: memory.channels), count: 2)
        channels = []
        programs = Array(repeating: [], count: EncoderUnit.allCases.count)
    }

    /// Appends `job`'s tasks to every unit's program; its weight tiles continue the numbering.
    func add(_ job: EncoderJob) throws {
        let j = jobs.count
        jobs.append(job)
        let firstRead = programs[EncoderUnit.dmaRead.rawValue].count
        var perLayer: [[[Times]]] = []
        for layer in -1...layers {
            var perUnit: [[Times]] = []
            for unit in EncoderUnit.allCases {
                let tasks = tasksOf(job, layer: layer, unit: unit)
                perUnit.append(Array(repeating: Times(), count: tasks.count))
                for i in tasks.indices { programs[unit.rawValue].append(Ref(job: j, layer: layer, unit: unit, index: i)) }
            }
            perLayer.append(perUnit)
        }
        times.append(perLayer)
        let norms = tasksOf(job, layer: layers - 1, unit: .layerNorm)
        guard let last = norms.lastIndex(where: { if case .layerNorm(2) = $0.kind { true } else { false } }) else {
            throw EncoderReference.ReferenceError(description: "job \(j) has no ln2")
        }
        lastLN2.append(last)
        // §4: weight tiles are numbered in DMA program order across layers and jobs.
        tileBase.append(tileUser.count)
        for ref in programs[EncoderUnit.dmaRead.rawValue][firstRead...] {
            guard let tile = task(ref).weightTile else { continue }
            let pe = tasksOf(jobs[ref.job], layer: ref.layer, unit: .peArray)
            guard let user = pe.firstIndex(where: { $0.weightTile == tile }) else {
                throw EncoderReference.ReferenceError(description: "no PE task uses weight tile \(tile)")
            }
            globalTile[TileRef(job: ref.job, layer: ref.layer, tile: tile)] = tileUser.count
            tileUser.append(Ref(job: ref.job, layer: ref.layer, unit: .peArray, index: user))
        }
    }

    func tasksOf(_ job: EncoderJob, layer: Int, unit: EncoderUnit) -> [PlannedTask] {
        let kind: LayerKind = layer < 0 ? .before : layer >= layers ? .after : layer == 0 ? .first : .other
        return job.plan.tasks(kind, unit)
    }

    func task(_ ref: Ref) -> PlannedTask { tasksOf(jobs[ref.job], layer: ref.layer, unit: ref.unit)[ref.index] }

    subscript(_ ref: Ref) -> Times {
        get { times[ref.job][ref.layer + 1][ref.unit.rawValue][ref.index] }
        set { times[ref.job][ref.layer + 1][ref.unit.rawValue][ref.index] = newValue }
    }

    // MARK: Dependencies (§3, §7)

    static func isMemory(_ d: Dependency) -> Bool {
        if case .done(let unit, _, _) = d { return unit.isTransfer }
        if case .previousJobOutput = d { return true }
        return false
    }

    /// The cause of the first unmet dependency of `ref` at `t`, compute dependencies first;
    /// nil when all are met.
    func firstUnmet(_ ref: Ref, at t: Int) -> BubbleCause? {
        // §7: a next task whose job has not arrived leaves its unit with nothing to do; a job
        // the length-aware pipeline fed waits out the repartitioning (dependency).
        if jobs[ref.job].ready.value > t { return jobs[ref.job].independent ? .dependency : .starved }
        let deps = task(ref).dependencies
        for d in deps.filter({ !Self.isMemory($0) }) + deps.filter(Self.isMemory) {
            if let cause = unmet(d, of: ref, at: t) { return cause }
        }
        return nil
    }

    func unmet(_ d: Dependency, of ref: Ref, at t: Int) -> BubbleCause? {
        // A fed job starts after every earlier job of its partition is done: nothing of theirs
        // holds it (docs/length-aware.md §3).
        let independent = jobs[ref.job].independent
        switch d {
        case .done(let unit, let offset, let index):
            let done = self[Ref(job: ref.job, layer: ref.layer + offset, unit: unit, index: index)].done
            if let done, done <= t { return nil }
            return unit.isTransfer ? .memory : .dependency
        case .jobReady:
            return jobs[ref.job].ready.value <= t ? nil : .starved
        case .previousJobDone:
            guard ref.job > 0, !independent else { return nil }
            let ln2 = self[Ref(job: ref.job - 1, layer: layers - 1, unit: .layerNorm, index: lastLN2[ref.job - 1])]
            if let done = ln2.done, done <= t { return nil }
            return .dependency
        case .parameterSlot:
            // §4: layer g's parameters use slot g mod n; its previous user is layer g − n's ln2.
            if independent { return ref.layer - parameterSlots < 0 ? nil : unmetParameterSlot(job: ref.job, layer: ref.layer - parameterSlots, at: t) }
            let g = ref.job * layers + ref.layer - parameterSlots
            guard g >= 0 else { return nil }
            let (j, layer) = g.quotientAndRemainder(dividingBy: layers)
            if let done = self[Ref(job: j, layer: layer, unit: .layerNorm, index: lastLN2[j])].done, done <= t { return nil }
            return .blocked
        case .previousJobOutput:
            guard ref.job > 0, !independent else { return nil }
            if let done = self[Ref(job: ref.job - 1, layer: layers, unit: .dmaWrite, index: 0)].done, done <= t { return nil }
            return .memory
        case .weightSlot(let tile):
            let g = globalTile[TileRef(job: ref.job, layer: ref.layer, tile: tile)]!
            guard g - (independent ? tileBase[ref.job] : 0) >= slots else { return nil }
            if let end = self[tileUser[g - slots]].issueEnd, end <= t { return nil }
            return .blocked
        case .hostCommand:
            // §8: H cycles after the previous layer's ln2; the job's first layer (and its input):
            // after the job's arrival and the previous job's last ln2.
            var base: Int?
            if ref.layer >= 1 {
                base = self[Ref(job: ref.job, layer: ref.layer - 1, unit: .layerNorm, index: lastLN2[ref.job])].done
            } else if ref.job > 0 && !independent {
                base = self[Ref(job: ref.job - 1, layer: layers - 1, unit: .layerNorm, index: lastLN2[ref.job - 1])].done
                    .map { max($0, jobs[ref.job].ready.value) }
            } else {
                base = jobs[ref.job].ready.value
            }
            if let base, base + hostCycles <= t { return nil }
            return .control
        }
    }

    /// A layer's parameter slot held by `layer` of `job` until its ln2 is done.
    func unmetParameterSlot(job: Int, layer: Int, at t: Int) -> BubbleCause? {
        if let done = self[Ref(job: job, layer: layer, unit: .layerNorm, index: lastLN2[job])].done, done <= t { return nil }
        return .blocked
    }

    // MARK: Units

    /// A compute unit in cycle `t` (§2, §7).
    func computeCycle(_ u: Int, unit: EncoderUnit, at t: Int) -> Activity {
        let state = compute[u]
        if t < state.issueEnd {
            let into = t - state.start
            if into < state.useful { return .busy }
            if t >= state.issueEnd - state.control { return .bubble(.control) }
            return t >= state.issueEnd - state.control - state.imbalance ? .bubble(.imbalance) : .bubble(.padding)
        }
        let program = programs[unit.rawValue]
        guard state.position < program.count else { return .bubble(.starved) }
        let ref = program[state.position]
        if let cause = firstUnmet(ref, at: t) { return .bubble(cause) }
        let planned = task(ref)
        precondition(planned.cost.issue >= 1)
        self[ref] = Times(start: t, issueEnd: t + planned.cost.issue, done: t + planned.cost.issue + planned.cost.latency)
        compute[u] = ComputeState(position: state.position + 1, start: t, issueEnd: t + planned.cost.issue,
                                  useful: planned.usefulIssue, imbalance: planned.imbalanceIssue, control: planned.controlIssue)
        if records { started.append(ref) }
        if planned.usefulIssue > 0 { return .busy }
        let beforeControl = planned.cost.issue - planned.controlIssue
        if beforeControl == 0 { return .bubble(.control) }
        return beforeControl - planned.imbalanceIssue > 0 ? .bubble(.padding) : .bubble(.imbalance)
    }

    /// A unit shared with other partitions, free in cycle `t`: starts this partition's next task
    /// of `unit` if every dependency is met, and returns the cycle its issue ends.
    func startIfReady(_ u: Int, unit: EncoderUnit, at t: Int) -> Int? {
        let program = programs[unit.rawValue]
        guard compute[u].position < program.count else { return nil }
        let ref = program[compute[u].position]
        guard firstUnmet(ref, at: t) == nil else { return nil }
        let planned = task(ref)
        self[ref] = Times(start: t, issueEnd: t + planned.cost.issue, done: t + planned.cost.issue + planned.cost.latency)
        compute[u].position += 1
        if records { started.append(ref) }
        return t + planned.cost.issue
    }

    /// A DMA engine in cycle `t` (§2.3, §5, §7).
    func engineCycle(_ e: Int, unit: EncoderUnit, at t: Int) -> Activity {
        var wrote = 0
        var stall = Activity.bubble(.blocked)
        let program = programs[unit.rawValue]
        while true {
            if engines[e].transfer == nil {
                guard engines[e].position < program.count else {
                    stall = .bubble(.starved)
                    break
                }
                let ref = program[engines[e].position]
                if let cause = firstUnmet(ref, at: t) {
                    stall = .bubble(cause)
                    break
                }
                let bytes = task(ref).totalBytes
                precondition(bytes >= 1)
                transfers.append(Transfer(ref: ref, bytes: bytes, count: bytes.ceilDiv(memory.burstBytes)))
                engines[e].transfer = transfers.count - 1
                engines[e].writableFrom = t + memory.descriptorCycles
                self[ref].start = t
                if records { started.append(ref) }
            }
            let id = engines[e].transfer!
            // §8: the descriptor's setup: nothing is written before it is done.
            if t < engines[e].writableFrom {
                stall = .bubble(.control)
                break
            }
            let channel = engines[e].pointer
            guard queues[e][channel].count < memory.maxOutstanding else {
                stall = .bubble(.blocked)
                break
            }
            let written = transfers[id].written
            let size = min(memory.burstBytes, transfers[id].bytes - written * memory.burstBytes)
            transactions.append(Transaction(transfer: id, index: written, bytes: size, requestCycle: t))
            queues[e][channel].append(transactions.count - 1)
            engines[e].pointer = (channel + 1) % memory.channels
            transfers[id].written += 1
            wrote += 1
            if transfers[id].written == transfers[id].count {
                engines[e].transfer = nil
                engines[e].position += 1
            }
        }
        return wrote > 0 ? .busy : stall
    }

    /// Start of cycle `t` at channel `c`: a data phase that ended frees its slot (§5).
    func retire(_ c: Int, at t: Int) {
        guard let tid = channels[c].retire() else { return }
        retired(tid, at: t)
    }

    /// Transaction `tid`'s data phase ended at `t`.
    func retired(_ tid: Int, at t: Int) {
        let x = transactions[tid]
        var tr = transfers[x.transfer]
        tr.ended += 1
        tr.latestEnd = max(tr.latestEnd, t)
        if x.index == tr.count - 1 { tr.lastInOrderEnd = t }
        transfers[x.transfer] = tr
        if tr.ended == tr.count {
            self[tr.ref].done = tr.latestEnd
            if tr.ref.unit == .dmaWrite, tr.ref.layer == layers { outputsDone += 1 }
        }
    }

    /// Cycle `t` at channel `c`: accept waiting requests written before `t`, oldest first,
    /// the read engine first on a tie (§5).
    func accept(_ c: Int, at t: Int) {
        while channels[c].hasOutstandingRoom {
            var best: (engine: Int, id: Int)?
            for e in 0..<2 {
                guard let id = queues[e][c].first, transactions[id].requestCycle < t else { continue }
                if let b = best, transactions[b.id].requestCycle <= transactions[id].requestCycle { continue }
                best = (e, id)
            }
            guard let best else { return }
            queues[best.engine][c].removeFirst()
            channels[c].accept(id: best.id, bytes: transactions[best.id].bytes)
        }
    }

    // MARK: The run

    func run(maxCycles: Int) throws -> EncoderReference.Recording {
        let stageNames = (computeUnits + Self.engineUnits).map(\.stageName) + (0..<memory.channels).map { "channel\($0)" }
        var busy = [Int](repeating: 0, count: stageNames.count)
        var bubbles = [[Int]](repeating: [Int](repeating: 0, count: BubbleCause.allCases.count), count: stageNames.count)
        var timelines = [[EncoderReference.Interval]](repeating: [], count: stageNames.count)
        let start = jobs[0].arrivals[0].value
        var t = start
        var activities = [Activity](repeating: .busy, count: stageNames.count)
        while true {
            for c in channels.indices { retire(c, at: t) }
            if outputsDone == jobs.count { break }
            guard t - start < maxCycles else {
                throw EncoderReference.ReferenceError(description: "no end after \(maxCycles) cycles (from \(start)); outputs done \(outputsDone) of \(jobs.count)")
            }
            for c in channels.indices { accept(c, at: t) }
            for (e, unit) in Self.engineUnits.enumerated() {
                activities[computeUnits.count + e] = engineCycle(e, unit: unit, at: t)
            }
            for (u, unit) in computeUnits.enumerated() { activities[u] = computeCycle(u, unit: unit, at: t) }
            for c in channels.indices {
                _ = channels[c].step()
                activities[computeUnits.count + 2 + c] = channels[c].activity
                channels[c].endCycle()
            }
            for (s, a) in activities.enumerated() {
                switch a {
                case .busy: busy[s] += 1
                case .bubble(let cause): bubbles[s][cause.index] += 1
                }
                if records {
                    if let last = timelines[s].last, last.activity == a, last.end == t {
                        timelines[s][timelines[s].count - 1].end = t + 1
                    } else {
                        timelines[s].append(EncoderReference.Interval(start: t, end: t + 1, activity: a))
                    }
                }
            }
            t += 1
        }
        let requestCount = jobs.reduce(0) { $0 + $1.requests.count }
        var arrivals = [Int](repeating: -1, count: requestCount)
        var completions = [Int](repeating: -1, count: requestCount)
        var end = 0
        for (j, job) in jobs.enumerated() {
            let done = self[Ref(job: j, layer: layers, unit: .dmaWrite, index: 0)].done!
            end = max(end, done)
            for (r, a) in zip(job.requests, job.arrivals) {
                arrivals[r] = a.value
                completions[r] = done
            }
        }
        precondition(end == t)
        let stages = stageNames.indices.map { EncoderReference.Stage(name: stageNames[$0], busy: busy[$0], bubbles: bubbles[$0]) }
        let tasks = started.map { ref in
            let x = self[ref]
            return EncoderReference.TaskRecord(job: ref.job, layer: ref.layer, unit: ref.unit, index: ref.index,
                                               label: task(ref).kind.label, start: x.start!, issueEnd: x.issueEnd, done: x.done)
        }
        return EncoderReference.Recording(
            outcome: EncoderReference.Outcome(windowStart: start, windowEnd: end, arrivals: arrivals, completions: completions,
                                              stages: stages),
            timelines: timelines, tasks: tasks,
            transfersEndingOutOfOrder: transfers.filter { $0.lastInOrderEnd != nil && $0.lastInOrderEnd! < $0.latestEnd }.count,
            jobs: jobs.count, weightSlots: slots)
    }
}

/// A small encoder model, design and workload, for comparing the event-driven netlist with
/// the per-cycle reference (and one kernel with another): the issue's tiny layer and its
/// variants, or a random tiny case from a seed.
public struct EncoderScenario: Sendable, CustomStringConvertible {
    public var name: String
    public var model: ModelSpec
    public var config: EncoderConfig
    public var clock: Clock
    /// Closed batch size; nil for open arrivals.
    public var batch: Int?
    public var padTo: Int?
    public var requests: [Request]

    public init(name: String, model: ModelSpec, config: EncoderConfig, clock: Clock, batch: Int?, padTo: Int? = nil,
                requests: [Request]) {
        self.name = name
        self.model = model
        self.config = config
        self.clock = clock
        self.batch = batch
        self.padTo = padTo
        self.requests = requests
    }

    public var description: String {
        let m = config.memory
        let array: String = switch config.array {
        case .bim(let p):
            "PE \(p.processingUnits)×\(p.pesPerUnit)×\(p.multipliersPerPE) lat \(p.multiplierLatency)/\(p.adderTreeLatency)/\(p.accumulatorLatency)/\(p.quantizationLatency); "
        case .systolic(let a):
            "systolic \(a.rows)×\(a.columns) \(a.dataflow.rawValue) \(a.peBits)b lat \(a.outputLatency); "
        }
        return "\(name): L\(model.layers) H\(model.hidden) A\(model.heads)×\(model.headSize) F\(model.ffn); "
            + array
            + "softmax \(config.softmax.lanes)/\(config.softmax.middleLatency)/\(config.softmax.outputLatency) "
            + "ln \(config.layerNorm.lanes)/\(config.layerNorm.middleLatency)/\(config.layerNorm.outputLatency) "
            + "gelu \(config.gelu.lanes)/\(config.gelu.outputLatency); "
            + "mem C\(m.channels) BW\(m.bandwidthMBps) L\(m.latencyCycles) A\(m.axiWidthBytes) O\(m.maxOutstanding) B\(m.burstBytes) @\(clock.kilohertz)kHz; "
            + "buffers io\(config.buffers.ioKiB) w\(config.buffers.weightKiB) int\(config.buffers.intermediateKiB) par\(config.buffers.parameterKiB) KiB; "
            + "precision \(config.precision.weightBits)/\(config.precision.activationBits)/\(config.precision.biasBits); "
            + "batch \(batch.map(String.init) ?? "open")\(padTo.map { " pad-to \($0)" } ?? "") requests \(requests.map { "\($0.tokens)@\($0.arrivalNs)ns" })"
    }

    /// Runs the event-driven netlist on `kernel`.
    public func simulate(on kernel: any SimKernel, recordsIntervals: ActivityLedger.Recording = .off) throws -> SimulationResult {
        var next = 0
        let requests = self.requests
        defer { try? kernel.finish() }   // releases the components (they hold the kernel)
        let netlist = try EncoderNetlist(model: model, config: config, clock: clock, batch: batch, padTo: padTo, kernel: kernel,
                                         recordsIntervals: recordsIntervals) {
            defer { next += 1 }
            return next < requests.count ? requests[next] : nil
        }
        return try netlist.run()
    }

    /// The per-cycle reference's answer.
    public func reference(records: Bool = false) throws -> EncoderReference.Recording {
        try EncoderReference.run(model: model, config: config, clock: clock, batch: batch, padTo: padTo, requests: requests,
                                 records: records)
    }

    /// A netlist result in the reference's terms.
    public static func outcome(_ r: SimulationResult) -> EncoderReference.Outcome {
        EncoderReference.Outcome(
            windowStart: r.windowStart.value, windowEnd: r.windowEnd.value, arrivals: r.arrivals.map(\.value),
            completions: r.completions.map(\.value),
            stages: r.stages.map { s in
                EncoderReference.Stage(name: s.name, busy: s.busy.count, bubbles: BubbleCause.allCases.map { s.bubbles($0).count })
            })
    }

    /// Where one stage of a netlist run first departs from the reference.
    public struct Difference: Sendable, CustomStringConvertible {
        public var stage: String
        public var cycle: Int
        /// A few intervals around the cycle on each side.
        public var reference: [EncoderReference.Interval]
        public var netlist: [EncoderReference.Interval]

        public var description: String {
            "\(stage) first differs at cycle \(cycle): reference \(reference.map(\.description)) netlist \(netlist.map(\.description))"
        }
    }

    /// Where a netlist run (recorded with intervals) first departs from a recorded reference
    /// run, per stage: the first cycle whose activity differs.
    public static func differences(reference: EncoderReference.Recording, result: SimulationResult) -> [Difference] {
        var found: [Difference] = []
        let end = max(reference.outcome.windowEnd, result.windowEnd.value)
        for (s, stage) in result.stages.enumerated() where s < reference.timelines.count {
            let mine = reference.timelines[s]
            let theirs = stage.ledger.intervals.map {
                EncoderReference.Interval(start: $0.start.value, end: $0.end.value, activity: $0.activity)
            }
            func at(_ list: [EncoderReference.Interval], _ t: Int) -> Int? { list.firstIndex { $0.start <= t && t < $0.end } }
            // Walk the interval boundaries of both to the first cycle whose activity differs.
            var t = reference.outcome.windowStart
            var first: Int?
            while t < end {
                let a = at(mine, t), b = at(theirs, t)
                if a.map({ mine[$0].activity }) != b.map({ theirs[$0].activity }) {
                    first = t
                    break
                }
                t = min(a.map { mine[$0].end } ?? end, b.map { theirs[$0].end } ?? end)
            }
            guard let first else { continue }
            func around(_ list: [EncoderReference.Interval]) -> [EncoderReference.Interval] {
                let i = at(list, first) ?? list.firstIndex { $0.start > first } ?? list.count
                return Array(list[max(0, i - 2)..<min(list.count, i + 3)])
            }
            found.append(Difference(stage: stage.name, cycle: first, reference: around(mine), netlist: around(theirs)))
        }
        return found
    }

    /// The reference's tasks that started within `window` cycles of `t` or were in progress
    /// at `t` (for evidence).
    public static func tasks(_ recording: EncoderReference.Recording, around t: Int, window: Int = 100) -> [String] {
        recording.tasks.filter { r in
            (t - window...t + window).contains(r.start) || (r.start <= t && (r.done ?? Int.max) > t)
        }.map(\.description)
    }

    // MARK: The issue's tiny layer and its variants

    /// hidden 64, 2 heads of 32, FFN 256.
    public static func tinyModel(layers: Int = 1) -> ModelSpec {
        ModelSpec(name: "custom", layers: layers, hidden: 64, heads: 2, headSize: 32, ffn: 256, maxPositions: 64)
    }

    /// 2 PUs × 4 PEs × 8 multipliers, small special units, one DDR channel with 64-byte
    /// bursts (many transactions) that is slower than the AXI width, and a weight buffer of
    /// `weightKiB` (largest tile 1056 bytes: 3 KiB = 2 slots, 2 KiB = 1 slot).
    public static func tinyConfig(channels: Int = 1, weightKiB: Int = 3, intermediateKiB: Int = 32) -> EncoderConfig {
        EncoderConfig(
            precision: .init(weightBits: 4, activationBits: 8, biasBits: 32),
            peArray: .init(processingUnits: 2, pesPerUnit: 4, multipliersPerPE: 8, multiplierLatency: 1, adderTreeLatency: 3,
                           accumulatorLatency: 2, quantizationLatency: 3, rowOverhead: 0),
            softmax: .init(lanes: 4, middleLatency: 8, outputLatency: 2),
            layerNorm: .init(lanes: 8, middleLatency: 6, outputLatency: 2),
            gelu: .init(lanes: 8, outputLatency: 2),
            memory: .init(kind: .ddr4, channels: channels, bandwidthMBps: 800, latencyCycles: 20, axiWidthBytes: 16,
                          maxOutstanding: 4, burstBytes: 64, descriptorCycles: 0),
            buffers: .init(ioKiB: 16, weightKiB: weightKiB, intermediateKiB: intermediateKiB, parameterKiB: 2))
    }

    /// The tiny design with I/O and intermediate buffers too small for a sequence of 16 (§6).
    public static var spillConfig: EncoderConfig {
        var c = tinyConfig()
        c.buffers.ioKiB = 1
        c.buffers.intermediateKiB = 3
        return c
    }

    /// 200 MHz: 800 MB/s is 4 bytes per cycle.
    public static let tinyClock = Clock(kilohertz: 200_000)

    /// The named cases: the tiny layer and its variants.
    public static let named: [EncoderScenario] = {
        let one = [Request(id: 0, arrivalNs: 0, tokens: 16)]
        return [
            EncoderScenario(name: "tiny", model: tinyModel(), config: tinyConfig(), clock: tinyClock, batch: nil, requests: one),
            EncoderScenario(name: "two-channels", model: tinyModel(), config: tinyConfig(channels: 2), clock: tinyClock,
                            batch: nil, requests: one),
            EncoderScenario(name: "one-slot", model: tinyModel(), config: tinyConfig(weightKiB: 2), clock: tinyClock,
                            batch: nil, requests: one),
            EncoderScenario(name: "closed-batch", model: tinyModel(), config: tinyConfig(), clock: tinyClock, batch: 3,
                            requests: [Request(id: 0, arrivalNs: 0, tokens: 5), Request(id: 1, arrivalNs: 100, tokens: 16),
                                       Request(id: 2, arrivalNs: 250, tokens: 9)]),
            // 8 KiB of intermediate buffer holds one padded sequence of 16, not two: three jobs.
            EncoderScenario(name: "closed-batch-split", model: tinyModel(), config: tinyConfig(intermediateKiB: 8),
                            clock: tinyClock, batch: 3,
                            requests: [Request(id: 0, arrivalNs: 0, tokens: 5), Request(id: 1, arrivalNs: 100, tokens: 16),
                                       Request(id: 2, arrivalNs: 250, tokens: 9)]),
            EncoderScenario(name: "two-layers", model: tinyModel(layers: 2), config: tinyConfig(), clock: tinyClock, batch: nil,
                            requests: one),
            // 1 KiB of I/O buffer and 3 KiB of intermediate buffer for a sequence of 16 that
            // needs 2 KiB and 8.5 KiB: half of each layer input and LayerNorm output, the
            // attention tensors and 1 KiB of the FFN intermediate spill to DRAM and are
            // refilled where they are used (§6), over two layers.
            EncoderScenario(name: "spill", model: tinyModel(layers: 2), config: spillConfig, clock: tinyClock, batch: nil,
                            requests: one),
            // 124 weight slots hold more than a layer's 72 tiles: the read engine runs ahead until
            // the parameter buffer (two layers) stops it before params(2) (§3, `params(ℓ)`).
            EncoderScenario(name: "deep-prefetch", model: tinyModel(layers: 4), config: tinyConfig(weightKiB: 128),
                            clock: tinyClock, batch: nil, requests: one),
            // 1 KiB of parameter buffer holds the LUTs and one layer's parameters (288 bytes),
            // not two: params(ℓ) waits for ln2(ℓ − 1) and sits after the attention's weight
            // tiles in the read program (§3, §4).
            EncoderScenario(name: "one-parameter-slot", model: tinyModel(layers: 4), config: {
                var c = tinyConfig(weightKiB: 128)
                c.buffers.parameterKiB = 1
                return c
            }(), clock: tinyClock, batch: nil, requests: one),
            // The second request arrives while the first is computing, the third after an idle gap.
            EncoderScenario(name: "open-arrivals", model: tinyModel(), config: tinyConfig(), clock: tinyClock, batch: nil,
                            requests: [Request(id: 0, arrivalNs: 1_000, tokens: 16), Request(id: 1, arrivalNs: 20_000, tokens: 8),
                                       Request(id: 2, arrivalNs: 250_000, tokens: 12)]),
            // A weight buffer for every tile of the layer (S = 77): the read engine runs ahead
            // and waits for the second request, which arrives while the first is computing.
            EncoderScenario(name: "open-arrivals-all-slots", model: tinyModel(), config: tinyConfig(weightKiB: 80),
                            clock: tinyClock, batch: nil,
                            requests: [Request(id: 0, arrivalNs: 0, tokens: 16), Request(id: 1, arrivalNs: 50_000, tokens: 16),
                                       Request(id: 2, arrivalNs: 50_000, tokens: 4)]),
        ]
    }()

    public static func named(_ name: String) -> EncoderScenario? { named.first { $0.name == name } }

    // MARK: Random tiny cases

    /// A random tiny model, design and workload from `seed`, with buffers that hold at least
    /// one sequence (sometimes fewer than a whole batch, so batches split).
    public init(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        func pick(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(rng.next() % UInt64(r.count)) }
        func choose<T>(_ xs: [T]) -> T { xs[pick(0...(xs.count - 1))] }
        let heads = pick(1...2)
        let headSize = choose([8, 12, 16])
        let hidden = heads * headSize
        let model = ModelSpec(name: "custom", layers: pick(1...2), hidden: hidden, heads: heads, headSize: headSize,
                              ffn: choose([2 * hidden, 3 * hidden, 40]), maxPositions: 64)
        let kilohertz = choose([100_000, 200_000, 250_000, 300_000])
        // 16-bit weights make the largest tile big enough for few slots in a few KiB.
        let precision = EncoderConfig.Precision(weightBits: choose([4, 8, 16]), activationBits: 8, biasBits: choose([16, 32]))
        let pe = EncoderConfig.PEArray(
            processingUnits: pick(1...3), pesPerUnit: pick(1...4), multipliersPerPE: choose([2, 4, 6, 8]),
            multiplierLatency: pick(0...2), adderTreeLatency: pick(0...3), accumulatorLatency: pick(0...2),
            quantizationLatency: pick(0...3))
        // Bytes per cycle from 1 to 48: BW = bytes/cycle × f (MHz).
        let bytesPerCycle = choose([1, 2, 3, 5, 8, 16, 48])
        let memory = EncoderConfig.Memory(
            kind: .ddr4, channels: pick(1...3), bandwidthMBps: bytesPerCycle * kilohertz / 1000 + pick(0...50),
            latencyCycles: pick(0...30), axiWidthBytes: choose([4, 8, 16, 32, 64]), maxOutstanding: pick(1...4),
            burstBytes: choose([16, 32, 64, 128, 256]))
        let closed = pick(0...1) == 1
        let batch: Int? = closed ? pick(2...3) : nil
        // Sometimes pad every sequence to a fixed length (`--pad-to`), open arrivals included.
        let padTo: Int? = pick(0...4) == 0 ? 12 : nil
        let count = closed ? batch! * pick(1...2) : pick(1...3)
        var arrival = pick(0...500)
        var requests: [Request] = []
        for i in 0..<count {
            requests.append(Request(id: i, arrivalNs: arrival, tokens: pick(1...12)))
            arrival += pick(0...2) == 0 ? 0 : pick(0...40_000)
        }
        var config = EncoderConfig(
            precision: precision, peArray: pe,
            softmax: .init(lanes: pick(1...8), middleLatency: pick(0...6), outputLatency: pick(0...3)),
            layerNorm: .init(lanes: pick(1...8), middleLatency: pick(0...6), outputLatency: pick(0...3)),
            gelu: .init(lanes: pick(1...8), outputLatency: pick(0...3)),
            memory: memory, buffers: .init(ioKiB: 1, weightKiB: 1, intermediateKiB: 1, parameterKiB: 1))
        let slot = JobPlan.slotBytes(model: model, config: config)
        config.buffers.weightKiB = (slot * pick(1...3)).ceilDiv(1024)
        config.buffers.parameterKiB = (2 * config.parameterBytes(hidden: hidden) + 512).ceilDiv(1024)
        // Size the I/O and intermediate buffers for a random number of padded sequences.
        let longest = padTo ?? (closed ? requests.map(\.tokens).max()! : 12)
        let fit = closed ? pick(1...batch!) : 1
        let needs = BufferPlan(model: model, config: config).needs(sequences: fit, paddedLength: longest)
        config.buffers.ioKiB = needs[0].bytes.ceilDiv(1024)
        config.buffers.intermediateKiB = needs[1].bytes.ceilDiv(1024)
        // The control mechanisms (§8), from a stream of their own (the draws above stay as
        // they were): the row overhead, a slow quantizer, descriptor setup, host commands;
        // each sometimes off.
        var control = SplitMix64(seed: seed ^ 0xC047_0120_1DE5_0001)
        func draw(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(control.next() % UInt64(r.count)) }
        config.peArray!.rowOverhead = draw(0...1) == 0 ? 0 : draw(1...12)
        config.peArray!.quantizerOutputsPerCycle = draw(1...3)
        config.memory.descriptorCycles = draw(0...1) == 0 ? 0 : draw(1...20)
        config.host.layerCommandCycles = draw(0...1) == 0 ? 0 : draw(1...60)
        // Sometimes buffers smaller than a sequence, so jobs spill (§6): from the least that
        // works up to the sequence's need.
        if draw(0...2) == 0 {
            let least = BufferPlan(model: model, config: config).minimumNeeds(paddedLength: longest)
            config.buffers.ioKiB = draw(least[0].bytes.ceilDiv(1024)...max(least[0].bytes.ceilDiv(1024), config.buffers.ioKiB))
            config.buffers.intermediateKiB = draw(least[1].bytes.ceilDiv(1024)...max(least[1].bytes.ceilDiv(1024),
                                                                                     config.buffers.intermediateKiB))
        }
        // Sometimes a parameter buffer of one layer's slot, or one shared by pipeline stages.
        if draw(0...2) == 0 { config.buffers.parameterKiB = (config.parameterBytes(hidden: hidden) + 512).ceilDiv(1024) }
        config.buffers.parameterSharers = draw(1...3)
        self.init(name: "random \(seed)", model: model, config: config, clock: Clock(kilohertz: kilohertz), batch: batch,
                  padTo: padTo, requests: requests)
    }
}

// MARK: Systolic arrays

extension EncoderScenario {
    /// The tiny layer's design (``tinyConfig(channels:weightKiB:intermediateKiB:)``) with a
    /// systolic array in place of the BIM array.
    public static func tinySystolicConfig(_ array: SystolicArray, channels: Int = 1, weightKiB: Int = 3,
                                          intermediateKiB: Int = 32) -> EncoderConfig {
        let bim = tinyConfig(channels: channels, weightKiB: weightKiB, intermediateKiB: intermediateKiB)
        return EncoderConfig(precision: bim.precision, array: .systolic(array), softmax: bim.softmax, layerNorm: bim.layerNorm,
                             gelu: bim.gelu, memory: bim.memory, buffers: bim.buffers)
    }

    /// The named cases with a systolic array: the tiny layer on both dataflows, and variants
    /// whose folds and column groups are partial and whose products take several cycles.
    public static let systolicNamed: [EncoderScenario] = {
        let one = [Request(id: 0, arrivalNs: 0, tokens: 16)]
        let batch = [Request(id: 0, arrivalNs: 0, tokens: 5), Request(id: 1, arrivalNs: 100, tokens: 16),
                     Request(id: 2, arrivalNs: 250, tokens: 9)]
        return [
            // 8 columns like the BIM array's 8 lanes: the same weight tiles and 2 slots.
            EncoderScenario(name: "systolic-os", model: tinyModel(),
                            config: tinySystolicConfig(SystolicArray(rows: 4, columns: 8, dataflow: .outputStationary)),
                            clock: tinyClock, batch: nil, requests: one),
            EncoderScenario(name: "systolic-ws", model: tinyModel(),
                            config: tinySystolicConfig(SystolicArray(rows: 4, columns: 8, dataflow: .weightStationary)),
                            clock: tinyClock, batch: nil, requests: one),
            // 5 × 6 on 4-bit PEs (8×4: p = 2; 8×8: p = 4), no output latency, a closed batch of
            // 48 rows: K = 64 is 12 folds of 5 and one of 4, 64 columns 10 groups of 6 and one
            // of 4; the largest tile is 792 bytes, 3 slots; two channels.
            EncoderScenario(name: "systolic-ws-partial", model: tinyModel(),
                            config: tinySystolicConfig(SystolicArray(rows: 5, columns: 6, dataflow: .weightStationary, peBits: 4,
                                                                     outputLatency: 0), channels: 2),
                            clock: tinyClock, batch: 3, requests: batch),
            // 3 × 5 output-stationary with 16-bit PEs (p = 1), a long output latency, two layers
            // and open arrivals (the second while the first computes).
            EncoderScenario(name: "systolic-os-open", model: tinyModel(layers: 2),
                            config: tinySystolicConfig(SystolicArray(rows: 3, columns: 5, dataflow: .outputStationary, peBits: 16,
                                                                     outputLatency: 7)),
                            clock: tinyClock, batch: nil,
                            requests: [Request(id: 0, arrivalNs: 1_000, tokens: 16), Request(id: 1, arrivalNs: 20_000, tokens: 7)]),
        ]
    }()

    public static func systolicNamed(_ name: String) -> EncoderScenario? { systolicNamed.first { $0.name == name } }

    /// The random tiny case of `seed` (``init(seed:)``, drawn exactly as there) with a random
    /// systolic array in place of its BIM array, drawn from a stream of its own, and a weight
    /// buffer resized to hold as many of the new (larger or smaller) tiles as it held before.
    public init(systolicSeed seed: UInt64) {
        self.init(seed: seed)
        var rng = SplitMix64(seed: seed ^ 0x5359_5354_4F4C_4943)
        func pick(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(rng.next() % UInt64(r.count)) }
        func choose<T>(_ xs: [T]) -> T { xs[pick(0...(xs.count - 1))] }
        let array = SystolicArray(rows: pick(1...8), columns: pick(1...8), dataflow: choose(SystolicArray.Dataflow.allCases),
                                  peBits: choose([4, 8, 16]), outputLatency: pick(0...4))
        let slots = config.buffers.weightKiB * 1024 / JobPlan.slotBytes(model: model, config: config)
        config.array = .systolic(array)
        config.buffers.weightKiB = (JobPlan.slotBytes(model: model, config: config) * slots).ceilDiv(1024)
        name = "random systolic \(seed)"
    }
}

// MARK: - Sparse attention scenarios

extension EncoderScenario {
    /// Named sparse-attention cases: the tiny layer with top-2 attention; gather conflicts on one
    /// bank; a padded closed batch with a fraction of keys; on a systolic array.
    public static let sparseNamed: [EncoderScenario] = {
        func sparse(_ k: SparseAttention.Keys, lut: Int = 64, width: Int = 2, banks: Int = 4) -> SparseAttention {
            SparseAttention(keys: k, lutLanes: lut, estimatorLatency: 3, selectorWidth: width, selectorLatency: 2,
                            gatherBanks: banks, seed: 7)
        }
        var tiny = tinyConfig()
        tiny.sparse = sparse(.fixed(2))
        var conflicts = tinyConfig()
        conflicts.peArray!.multipliersPerPE = 16
        conflicts.sparse = sparse(.fixed(6), banks: 1)
        var batch = tinyConfig()
        batch.sparse = sparse(.fraction(0.25, minimum: 2), lut: 32, width: 4, banks: 3)
        var systolic = tinySystolicConfig(SystolicArray(rows: 4, columns: 8, dataflow: .outputStationary))
        systolic.sparse = sparse(.fixed(3))
        let one = [Request(id: 0, arrivalNs: 0, tokens: 16)]
        return [
            EncoderScenario(name: "sparse-tiny", model: tinyModel(), config: tiny, clock: tinyClock, batch: nil, requests: one),
            EncoderScenario(name: "sparse-conflicts", model: tinyModel(), config: conflicts, clock: tinyClock, batch: nil,
                            requests: one),
            EncoderScenario(name: "sparse-batch", model: tinyModel(), config: batch, clock: tinyClock, batch: 3,
                            requests: [Request(id: 0, arrivalNs: 0, tokens: 5), Request(id: 1, arrivalNs: 100, tokens: 16),
                                       Request(id: 2, arrivalNs: 250, tokens: 9)]),
            EncoderScenario(name: "sparse-systolic", model: tinyModel(), config: systolic, clock: tinyClock, batch: nil,
                            requests: one),
        ]
    }()

    public static func sparseNamed(_ name: String) -> EncoderScenario? { sparseNamed.first { $0.name == name } }

    /// The random tiny case of `seed` (``init(seed:)``, drawn exactly as there) with a random
    /// sparse attention engine, drawn from a stream of its own.
    public init(sparseSeed seed: UInt64) {
        self.init(seed: seed)
        var rng = SplitMix64(seed: seed ^ 0x5350_4152_5345_2121)
        func pick(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(rng.next() % UInt64(r.count)) }
        let keys: SparseAttention.Keys = pick(0...1) == 0 ? .fixed(pick(1...12))
            : .fraction(Double(pick(1...8)) / 8, minimum: pick(1...4))
        config.sparse = SparseAttention(keys: keys, lutLanes: pick(1...128), estimatorLatency: pick(0...6),
                                        selectorWidth: pick(1...8), selectorLatency: pick(0...4), gatherBanks: pick(1...8),
                                        seed: UInt64(pick(0...1000)))
        name = "random sparse \(seed)"
    }
}
