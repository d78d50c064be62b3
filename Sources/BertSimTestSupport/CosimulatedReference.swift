import BertSimCore
import BertSimModels
import BertSimWorkload

/// A per-cycle reference for the cosimulated length-aware pipeline (docs/length-aware.md §3):
/// S partitions of the encoder, each the per-cycle encoder reference (``EncoderReference``'s
/// rules for units, engines and dependencies) fed one job per beat, sharing the design's
/// memory channels, under a beat controller that steps one cycle at a time.
///
/// It shares with the event-driven model only what it shares with the encoder reference (the
/// plans) and the cost table W the scheduler decides with (priorities, the split, the buffer
/// shares): the split is found by trying every composition; everything that decides *when*
/// is written here.
///
/// Each cycle `t`, in this order:
/// 1. every channel retires the data phase that ended at `t` (its transfer may be done at `t`).
/// 2. the beat: when every occupied stage's output transfer is done, the beat ends at `t` and
///    the last stage's request completes at its output's done. Requests whose group has
///    arrived by `t` join the queue. With no beat open, every sequence moves one stage on,
///    stage 0 takes the queue's highest priority (then earliest arrival, then trace order);
///    if any stage is occupied a beat starts at `t`: the split from W, R cycles of
///    repartitioning when it differs from the last one, one job per occupied stage, ready at
///    `t + r`.
/// 3. every channel accepts, oldest request cycle first, on a tie the lower partition's, then
///    the read engine's, requests written before `t`, while fewer than `O` are in flight.
/// 4. every partition's engines, then its compute units, act as in the encoder reference;
///    a fed job's units wait for its ready cycle in `dependency`, and nothing of an earlier
///    job holds it (its slots and the previous job's output are free). With shared special
///    units, each such unit, when free, starts the next task of the lowest partition whose
///    next task of it has every dependency met.
/// 5. every channel's bus moves bytes.
/// Then each stage's cycle is classified: an empty stage (or no beat) `starved`; an occupied
/// stage whose output is not done yet as its PE partition's activity; after it, `blocked`
/// while a later stage's output is not done, else `starved`.
public enum CosimulatedReference {
    public struct Outcome: Equatable, Sendable, CustomStringConvertible {
        public var windowStart: Int
        public var windowEnd: Int
        public var completions: [Int]
        public var stages: [EncoderReference.Stage]
        /// Bytes each channel moved.
        public var channelBytes: [Int]
        public var beats: Int
        public var repartitions: Int

        public var description: String {
            "window \(windowStart)..<\(windowEnd) completions \(completions) stages \(stages.map(\.description)) channels \(channelBytes) beats \(beats) repartitions \(repartitions)"
        }
    }

    /// Runs `requests` through the pipeline of `cost`'s stages, `repartition` cycles per
    /// change of split, closed groups of `batch` (nil: open arrivals).
    public static func run(cost: EncoderStageCost, clock: Clock, repartition: Int, batch: Int?, requests: [Request],
                           maxCycles: Int = 50_000_000) throws -> Outcome {
        let stages = cost.stageLayers.count
        let units = cost.config.peArray!.processingUnits
        let n = requests.count
        let arrivals = requests.map { clock.cycle(atNanoseconds: $0.arrivalNs).value }
        let group = batch ?? 1
        let readyAt = (0..<n).map { i in arrivals[(i / group * group)..<min(n, (i / group + 1) * group)].max()! }
        let even = max(1, units / stages)
        let priority = try requests.map { r in try (0..<stages).map { try cost.cycles(stage: $0, length: r.tokens, processingUnits: even) }.reduce(0, +) }

        let slots = BufferPlan(model: cost.model, config: cost.config).weightSlots
        var models: [ModelSpec] = []
        var partitions: [ReferenceSimulator] = []
        var tables: [JobTable] = []   // only to form each beat's job from its plan
        for layers in cost.stageLayers {
            var m = cost.model
            m.layers = layers
            models.append(m)
            partitions.append(try ReferenceSimulator(model: m, partition: cost.partition(1), weightSlots: slots, records: false))
            tables.append(JobTable(model: m, config: cost.config, clock: clock, kernel: EventQueueKernel()))
        }
        let memory = cost.config.memory
        var channels = (0..<memory.channels).map { _ in ReferenceChannel(memory: memory, clock: clock) }
        var channelBytes = [Int](repeating: 0, count: memory.channels)
        // `special_units: shared`: one softmax, LayerNorm and GELU unit for every partition.
        let sharedUnits: [EncoderUnit] = cost.config.lengthAware.specialUnits == .shared ? [.softmax, .layerNorm, .gelu] : []
        var sharedIssueEnd: [EncoderUnit: Int] = [:]

        var admitted = [Bool](repeating: false, count: n)
        var queue: [Int] = []
        var holds = [Int?](repeating: nil, count: stages)
        var jobOf = [Int?](repeating: nil, count: stages)   // each occupied stage's job in its partition
        var inBeat = false
        var previous: [Int]?
        var beats = 0, repartitions = 0
        var completions = [Int?](repeating: nil, count: n)
        var accounts = [EncoderReference.Stage](
            repeating: EncoderReference.Stage(name: "", busy: 0, bubbles: [Int](repeating: 0, count: BubbleCause.allCases.count)),
            count: stages)
        for i in 0..<stages { accounts[i].name = ComputeArrayStages.partition(i) }
        let start = arrivals.min() ?? 0
        var t = start
        var finished = 0
        func outputDone(_ i: Int) -> Int? {
            guard let j = jobOf[i] else { return nil }
            return partitions[i][ReferenceSimulator.Ref(job: j, layer: models[i].layers, unit: .dmaWrite, index: 0)].done
        }
        while true {
            // 1. Data phases that ended at t.
            for c in channels.indices {
                if let id = channels[c].retire() { partitions[id % stages].retired(id / stages, at: t) }
            }
            // 2. The beat.
            if inBeat, (0..<stages).allSatisfy({ holds[$0] == nil || outputDone($0) != nil }) {
                inBeat = false
                if let last = holds[stages - 1] { completions[last] = outputDone(stages - 1)! ; finished += 1 }
            }
            if finished == n { break }
            guard t - start < maxCycles else {
                throw EncoderReference.ReferenceError(description: "no end after \(maxCycles) cycles; \(finished) of \(n) done")
            }
            for i in 0..<n where !admitted[i] && readyAt[i] <= t {
                admitted[i] = true
                queue.append(i)
            }
            if !inBeat {
                holds = [nil] + holds.dropLast()
                if let pick = queue.min(by: { a, b in (-priority[a], arrivals[a], a) < (-priority[b], arrivals[b], b) }) {
                    queue.removeAll { $0 == pick }
                    holds[0] = pick
                }
                let occupied = (0..<stages).filter { holds[$0] != nil }
                jobOf = [Int?](repeating: nil, count: stages)
                if !occupied.isEmpty {
                    let shares = cost.shares(lengths: holds.map { $0.map { requests[$0].tokens } })
                    var failure: (any Error)?
                    let split = StagePipelineReference.bestSplit(units: units, stages: stages, occupied: occupied,
                                                                 previous: previous) { i, p in
                        do {
                            return try cost.cycles(stage: i, length: requests[holds[i]!].tokens, processingUnits: p, share: shares[i])
                        } catch {
                            failure = error
                            return Int.max
                        }
                    }
                    if let failure { throw failure }
                    let changed = previous != nil && previous != split
                    if changed { repartitions += 1 }
                    previous = split
                    beats += 1
                    let ready = t + (changed ? repartition : 0)
                    for i in occupied {
                        let r = holds[i]!
                        let config = cost.partition(split[i], share: shares[i])
                        let pruned = try config.pruning.map { p in try PrunedWeights.cached(pruning: p, model: models[i], config: config) }
                        let plan = JobPlan(model: models[i], config: config,
                                           shape: JobShape(lengths: [requests[r].tokens], paddedLength: requests[r].tokens), pruned: pruned)
                        let job = tables[i].append(plan: plan, ready: Cycle(ready), request: r, arrival: Cycle(arrivals[r]),
                                               layerOffset: cost.stageLayers[..<i].reduce(0, +))
                        jobOf[i] = partitions[i].jobs.count
                        try partitions[i].add(job)
                    }
                    inBeat = true
                }
            }
            // 3. Channels accept across the partitions' queues.
            for c in channels.indices {
                while channels[c].hasOutstandingRoom {
                    var best: (p: Int, e: Int, id: Int, at: Int)?
                    for (p, part) in partitions.enumerated() {
                        for e in 0..<2 {
                            guard let id = part.queues[e][c].first else { continue }
                            let at = part.transactions[id].requestCycle
                            guard at < t, best.map({ at < $0.at }) ?? true else { continue }
                            best = (p, e, id, at)
                        }
                    }
                    guard let best else { break }
                    partitions[best.p].queues[best.e][c].removeFirst()
                    let bytes = partitions[best.p].transactions[best.id].bytes
                    channels[c].accept(id: best.id * stages + best.p, bytes: bytes)
                    channelBytes[c] += bytes
                }
            }
            // 4. Engines, then compute units, partition by partition.
            var pe = [Activity](repeating: .bubble(.starved), count: stages)
            for (i, part) in partitions.enumerated() {
                for (e, unit) in ReferenceSimulator.engineUnits.enumerated() { _ = part.engineCycle(e, unit: unit, at: t) }
                for (u, unit) in part.computeUnits.enumerated() where !sharedUnits.contains(unit) {
                    let a = part.computeCycle(u, unit: unit, at: t)
                    if u == 0 { pe[i] = a }
                }
            }
            // Shared special units: when free, the lowest partition whose next task is ready.
            for unit in sharedUnits where t >= sharedIssueEnd[unit, default: 0] {
                for part in partitions {
                    guard let u = part.computeUnits.firstIndex(of: unit), let end = part.startIfReady(u, unit: unit, at: t) else { continue }
                    sharedIssueEnd[unit] = end
                    break
                }
            }
            // 5. The buses.
            for c in channels.indices {
                _ = channels[c].step()
                channels[c].endCycle()
            }
            // The stages' cycle t.
            for i in 0..<stages {
                let a: Activity
                if !inBeat || holds[i] == nil {
                    a = .bubble(.starved)
                } else if let done = outputDone(i), done <= t {
                    let later = ((i + 1)..<stages).contains { holds[$0] != nil && (outputDone($0).map { $0 > t } ?? true) }
                    a = .bubble(later ? .blocked : .starved)
                } else {
                    a = pe[i]
                }
                switch a {
                case .busy: accounts[i].busy += 1
                case .bubble(let c): accounts[i].bubbles[c.index] += 1
                }
            }
            t += 1
        }
        return Outcome(windowStart: start, windowEnd: t, completions: completions.map { $0! }, stages: accounts,
                       channelBytes: channelBytes, beats: beats, repartitions: repartitions)
    }
}
