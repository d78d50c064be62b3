import BertSimCore
import BertSimWorkload

/// Forms the padded scheduler's jobs from the trace, on demand and in trace order, and keeps
/// only the few a simulation still refers to (docs/encoder-timing.md §2, §6).
///
/// Open arrivals: each request is a job of one sequence, padded to nothing. Closed batches of
/// B: each batch is padded to its longest sequence and split into sub-batches of the largest
/// size that fits the buffers; every sub-batch is ready when the batch's last request arrives.
/// Jobs are formed when a unit first asks for them; forming reads the trace and nothing else,
/// so when that happens does not change any result.
///
/// A *fed* table (``init(model:config:clock:pruned:kernel:)``) reads no trace: the cosimulated
/// length-aware pipeline appends one job per beat to each stage's table
/// (``append(plan:ready:request:arrival:layerOffset:)``), and units that have run out of jobs
/// wait for the next append instead of finishing.
public final class JobTable {
    public let model: ModelSpec
    public let config: EncoderConfig
    public let clock: Clock
    /// Closed batch size; nil for open arrivals.
    public let batch: Int?
    /// Pad every sequence to this length instead of each batch's longest (`--pad-to`).
    public let padTo: Int?
    private let stream: () throws -> Request?
    private let buffers: BufferPlan
    private var jobs: [Int: EncoderJob] = [:]
    private var plans: [JobShape: JobPlan] = [:]
    public private(set) var formed = 0
    /// With `recordsLabels`: a description of each job for timelines.
    public private(set) var jobLabels: [String] = []
    public var recordsLabels = false
    public private(set) var exhausted = false
    public private(set) var requestsRead = 0
    public private(set) var tokens = 0
    /// With sparse attention: the attention mass kept, summed over sequences, and its minimum.
    public private(set) var massKept = (sum: 0.0, minimum: 1.0, sequences: 0)
    /// With pruned weights: the weights, and the sparse engine's counts over the jobs formed.
    public let pruned: PrunedWeights?
    public private(set) var pruning = PruningAccounting()
    /// The first error (a malformed trace line or a design that cannot hold a job).
    public private(set) var error: (any Error)?
    /// Called when an error stops job formation.
    var onError: () -> Void = {}
    /// A fed table's kernel, and the events of the units to wake when a job is appended.
    private let feedKernel: (any SimKernel)?
    private var waiters: [EventID] = []
    public var isFed: Bool { feedKernel != nil }

    public init(model: ModelSpec, config: EncoderConfig, clock: Clock, batch: Int?, padTo: Int? = nil,
                pruned: PrunedWeights? = nil, stream: @escaping () throws -> Request?) {
        self.pruned = pruned
        self.model = model
        self.config = config
        self.clock = clock
        self.batch = batch
        self.padTo = padTo
        self.stream = stream
        buffers = BufferPlan(model: model, config: config)
        feedKernel = nil
    }

    /// A fed table on `kernel`: jobs come only from ``append(plan:ready:request:arrival:layerOffset:)``.
    public init(model: ModelSpec, config: EncoderConfig, clock: Clock, pruned: PrunedWeights? = nil, kernel: any SimKernel) {
        self.pruned = pruned
        self.model = model
        self.config = config
        self.clock = clock
        batch = nil
        padTo = nil
        stream = { nil }
        buffers = BufferPlan(model: model, config: config)
        feedKernel = kernel
    }

    /// Wakes `event` (a unit's) whenever a job is appended to a fed table.
    func wakeOnAppend(_ event: EventID) {
        if isFed { waiters.append(event) }
    }

    /// Appends an independent job (``EncoderJob/independent``) of one sequence, request
    /// `request` arrived at `arrival`, run on `plan` from `ready` on; its layer 0 is model layer
    /// `layerOffset`. Wakes the units (in the next delta cycle).
    @discardableResult
    public func append(plan: JobPlan, ready: Cycle, request: Int, arrival: Cycle, layerOffset: Int) -> EncoderJob {
        precondition(isFed, "only a fed table takes jobs")
        let job = EncoderJob(index: formed, plan: plan, ready: ready, requests: [request], arrivals: [arrival], layers: model.layers,
                             independent: true, timelineItem: request, layerOffset: layerOffset)
        jobs[formed] = job
        formed += 1
        requestsRead += 1
        tokens += plan.shape.lengths.reduce(0, +)
        if let sparse = config.sparse {
            for n in plan.shape.lengths {
                let m = AttentionStatistics.massKept(k: sparse.keys.k(for: n), n: n)
                massKept = (massKept.sum + m, min(massKept.minimum, m), massKept.sequences + 1)
            }
        }
        if let p = plan.pruning { pruning.add(p, times: model.layers) }
        for e in waiters { feedKernel!.notify(e, after: .zero) }
        return job
    }

    /// Job `j`, forming it (and those before it) if needed; nil past the end of the trace.
    public func job(_ j: Int) -> EncoderJob? {
        while !isFed && formed <= j && !exhausted && error == nil { formNext() }
        return jobs[j]
    }

    /// Forgets jobs before `j`.
    public func prune(below j: Int) {
        for k in jobs.keys where k < j { jobs[k] = nil }
        if plans.count > 64 { plans.removeAll(keepingCapacity: true) }   // a plan is large; batches rarely repeat a shape
    }

    private func fail(_ e: any Error) {
        error = e
        exhausted = true
        onError()
    }

    private func formNext() {
        var group: [(index: Int, request: Request)] = []
        do {
            while group.count < (batch ?? 1), let r = try stream() {
                group.append((requestsRead, r))
                requestsRead += 1
                tokens += r.tokens
            }
        } catch {
            fail(error)
            return
        }
        guard !group.isEmpty else {
            exhausted = true
            return
        }
        if let sparse = config.sparse {
            for (_, r) in group {
                let m = AttentionStatistics.massKept(k: sparse.keys.k(for: r.tokens), n: r.tokens)
                massKept = (massKept.sum + m, min(massKept.minimum, m), massKept.sequences + 1)
            }
        }
        let longest = group.map(\.request.tokens).max()!
        let lp = max(longest, padTo ?? 0)
        let arrivals = group.map { clock.cycle(atNanoseconds: $0.request.arrivalNs) }
        let ready = arrivals.max()!
        let perJob: Int
        do {
            perJob = try buffers.maxSequences(paddedLength: lp, limit: group.count)
        } catch {
            fail(error)
            return
        }
        var start = 0
        while start < group.count {
            let part = Array(group[start..<min(start + perJob, group.count)])
            let shape = JobShape(lengths: part.map(\.request.tokens), paddedLength: lp)
            let plan = plans[shape] ?? JobPlan(model: model, config: config, shape: shape, pruned: pruned)
            plans[shape] = plan
            if let p = plan.pruning { pruning.add(p, times: model.layers) }
            jobs[formed] = EncoderJob(index: formed, plan: plan, ready: ready, requests: part.map(\.index),
                                      arrivals: Array(arrivals[start..<start + part.count]), layers: model.layers)
            if recordsLabels {
                let first = part.first!.index, last = part.last!.index
                let who = first == last ? "request \(first)" : "requests \(first)–\(last)"
                let tokens = part.map(\.request.tokens).reduce(0, +)
                jobLabels.append("job \(formed): \(who), \(tokens) tokens padded to \(part.count)×\(lp)")
            }
            formed += 1
            start += perJob
        }
    }
}
