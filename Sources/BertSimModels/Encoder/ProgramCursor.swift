/// A unit's place in its program: job, pseudo-layer, index. Programs are walked job by job,
/// layer by layer (−1 … layers), skipping empty task lists. The current job and task list are
/// cached, so the common step costs an array access.
struct ProgramCursor {
    private(set) var job = 0
    private(set) var layer = -1
    private(set) var index = 0
    private var cachedJob: EncoderJob?
    private var cachedTasks: [PlannedTask] = []

    /// The current task, or nil when the trace has no more jobs.
    mutating func current(_ unit: EncoderUnit, jobs: JobTable, layers: Int)
        -> (job: EncoderJob, task: PlannedTask, key: TaskKey)?
    {
        while true {
            if cachedJob == nil {
                guard let j = jobs.job(job) else { return nil }
                cachedJob = j
                cachedTasks = j.tasks(layer: layer, layers: layers, unit: unit)
            }
            if index < cachedTasks.count {
                return (cachedJob!, cachedTasks[index], TaskKey(job: job, layer: layer, unit: unit, index: index))
            }
            index = 0
            layer += 1
            if layer > layers {
                layer = -1
                job += 1
                cachedJob = nil
            } else {
                cachedTasks = cachedJob!.tasks(layer: layer, layers: layers, unit: unit)
            }
        }
    }

    mutating func advance() { index += 1 }
}
