import BertSimCore

/// Decides whether a task may start at a cycle, and if not, why (docs/encoder-timing.md §3,
/// §7): the first unmet dependency, in the plan's order, gives the bubble cause and the cycle
/// it will be met, if that is known yet.
struct DependencyResolver {
    let jobs: JobTable
    let board: TaskBoard
    let layers: Int
    let weightSlots: Int
    /// Layers' parameter slots (1 or 2, ``BufferPlan/parameterSlots``).
    let parameterSlots: Int
    /// The host's command latency, cycles (§8).
    let hostCycles: Int

    enum Readiness: Equatable {
        case ready
        /// Waiting; `until` is when the blocking dependency is met, nil while unknown.
        case wait(BubbleCause, until: Int?)
    }

    func readiness(_ task: PlannedTask, _ key: TaskKey, _ job: EncoderJob, now: Int) -> Readiness {
        // A unit whose next task belongs to a job that has not arrived has nothing to do.
        if job.ready.value > now { return .wait(job.readyCause, until: job.ready.value) }
        for dependency in task.dependencies {
            let (time, cause) = resolve(dependency, key, job)
            if let time, time <= now { continue }
            return .wait(cause, until: time)
        }
        return .ready
    }

    /// When `dependency` is met (nil: not known yet) and the cause while it is not. An
    /// independent job's dependencies on earlier jobs are met (it counts slots as job 0).
    func resolve(_ dependency: Dependency, _ key: TaskKey, _ job: EncoderJob) -> (Int?, BubbleCause) {
        let first = job.independent   // no earlier job to wait for
        let ordinal = first ? 0 : key.job
        switch dependency {
        case .done(let unit, let offset, let index):
            let t = board.times(job, layer: key.layer + offset, unit: unit, index: index).done
            return (t, unit.isTransfer ? .memory : .dependency)
        case .jobReady:
            return (job.ready.value, .starved)
        case .previousJobDone:
            guard !first, key.job > 0, let previous = jobs.job(key.job - 1) else { return (0, .dependency) }
            let t = board.times(previous, layer: layers - 1, unit: .layerNorm, index: JobPlan.ln2Index).done
            return (t, .dependency)
        case .parameterSlot:
            let previous = ordinal * layers + key.layer - parameterSlots
            if previous < 0 { return (0, .blocked) }
            let (j, layer) = previous.quotientAndRemainder(dividingBy: layers)
            guard let user = j == ordinal ? job : jobs.job(j) else { return (nil, .blocked) }
            return (board.times(user, layer: layer, unit: .layerNorm, index: JobPlan.ln2Index).done, .blocked)
        case .previousJobOutput:
            guard !first, key.job > 0, let previous = jobs.job(key.job - 1) else { return (0, .memory) }
            return (board.times(previous, layer: layers, unit: .dmaWrite, index: 0).done, .memory)
        case .hostCommand:
            // §8: the command follows the previous layer's end (the job's first layer: the job's
            // arrival and the previous job's end) by the host's latency.
            let base: Int?
            if key.layer >= 1 {
                base = board.times(job, layer: key.layer - 1, unit: .layerNorm, index: JobPlan.ln2Index).done
            } else if !first && key.job > 0 {
                guard let previous = jobs.job(key.job - 1) else { return (nil, .control) }
                base = board.times(previous, layer: layers - 1, unit: .layerNorm, index: JobPlan.ln2Index).done
                    .map { max($0, job.ready.value) }
            } else {
                base = job.ready.value
            }
            return (base.map { $0 + hostCycles }, .control)
        case .weightSlot(let tile):
            let perJob = layers * job.plan.weightTilesPerLayer
            let previous = (ordinal * layers + key.layer) * job.plan.weightTilesPerLayer + tile - weightSlots
            if previous < 0 { return (0, .blocked) }
            let (j, rest) = previous.quotientAndRemainder(dividingBy: perJob)
            let (layer, t) = rest.quotientAndRemainder(dividingBy: job.plan.weightTilesPerLayer)
            guard let user = j == ordinal ? job : jobs.job(j) else { return (nil, .blocked) }
            let pe = user.plan.peIndexOfWeightTile[t]
            return (board.times(user, layer: layer, unit: .peArray, index: pe).issueEnd, .blocked)
        }
    }
}
