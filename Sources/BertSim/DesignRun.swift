import BertSimCore
import BertSimModels
import BertSimReport
import BertSimWorkload

/// A design simulated once over a trace: its result, the scheduler that ran it, and what the
/// report must say about it.
struct DesignRun {
    var result: SimulationResult
    var scheduler: RunReport.Scheduler?
    var notes: [RunNote]

    /// Simulates `design` (the loaded config's, or a twin's variant of it) under `scheduler` on
    /// `kernel`, pulling `requests`. Design errors come back located in the config file.
    static func simulate(_ run: LoadedRun, design: HardwareConfig.Design, scheduler: SchedulerKind, kernel: any SimKernel,
                         requests: RequestStream, recordsIntervals: ActivityLedger.Recording, limits: RunLimits = .none,
                         progress: ((Cycle, Int) -> Void)? = nil) throws -> DesignRun {
        let clock = run.hardware.clock
        let model = run.trace.model
        switch design {
        case .pipeline(let p):
            let netlist = PipelineNetlist(p, kernel: kernel, clock: clock, recordsIntervals: recordsIntervals, stream: requests.next)
            return DesignRun(result: try netlist.run(limits: limits, progress: progress), scheduler: nil,
                             notes: [.skeletonTiming, .skeletonUnmodelled])
        case .encoder(let e):
            return try run.located {
                switch scheduler {
                case .lengthAware:
                    let cost = try EncoderStageCost(model: model, config: e, clock: clock, stages: e.lengthAware.pipelineStages)
                    let stageCosts = run.request.stageCosts
                    var stages: CosimulatedStages?
                    let pipeline = LengthAwarePipeline(
                        .init(stages: e.lengthAware.pipelineStages, processingUnits: e.peArray!.processingUnits,
                              repartitionCycles: e.lengthAware.repartitionCycles, layers: model.layers),
                        cost: cost, kernel: kernel, clock: clock, batch: run.trace.batch, recordsIntervals: recordsIntervals,
                        executor: stageCosts == .isolated ? nil : { start in
                            let s = try CosimulatedStages(cost: cost, kernel: kernel, windowStart: start, recordsIntervals: recordsIntervals)
                            stages = s
                            return s
                        },
                        stream: requests.next)
                    var result = try pipeline.run(limits: limits, progress: progress)
                    var isolated: (cycles: Int, cosimulated: Int)?
                    if let stages {
                        // How far the isolated stage-cost model is from this run: the same
                        // decisions' table, so it costs little more than the beats.
                        if result.partial == nil {
                            let native = EventQueueKernel()
                            defer { native.finish() }
                            let twin = try LengthAwarePipeline(
                                pipeline.config, cost: cost, kernel: native, clock: clock, batch: run.trace.batch,
                                stream: try run.requests().next).run()
                            isolated = (twin.cycles.count, result.cycles.count)
                            result.statistics.append(StatEntry("length_aware.isolated_cycles", twin.cycles.count, .cycles,
                                                               "Window of the isolated stage-cost model on the same trace"))
                        }
                        // The stages ran as partitions of one netlist: what they did is the netlist's.
                        result.memory = stages.memory
                        result.activity = stages.activity
                        result.sparseAttention = stages.sparseAttention
                        result.pruning = stages.pruning
                        result.statistics += stages.statistics
                    } else {
                        result.memory = cost.memory
                        result.activity = cost.activity
                        // The sections compose: what sparse attention and the sparse engine did
                        // inside the stages' runs, and the attention phases' cycles.
                        result.sparseAttention = cost.sparseAttention
                        result.pruning = cost.pruning
                        result.statistics.append(StatEntry("encoder.attention_cycles", cost.attentionCycles, .cycles,
                                                           "Cycles of the attention phases inside the stages' runs"))
                    }
                    result.statistics.append(StatEntry("length_aware.cost_evaluations", cost.evaluations, .count,
                                                       "Stage costs W(stage, length, units) simulated"))
                    let section = RunReport.Scheduler(
                        name: .lengthAware, pipelineStages: e.lengthAware.pipelineStages, stageLayers: cost.stageLayers,
                        repartitionCycles: e.lengthAware.repartitionCycles, repartitions: pipeline.repartitions, beats: pipeline.beats)
                    return DesignRun(result: result, scheduler: section,
                                     notes: [.hostStages, .lengthAware(stages: e.lengthAware.pipelineStages, evaluations: cost.evaluations,
                                                                       isolated: isolated,
                                                                       sharedSpecialUnits: e.lengthAware.specialUnits == .shared)])
                case .padded:
                    let padTo = run.request.padTo
                    let netlist = try EncoderNetlist(
                        model: model, config: e, clock: clock, batch: run.trace.batch, padTo: padTo, kernel: kernel,
                        recordsIntervals: recordsIntervals, stream: requests.next)
                    let result = try netlist.run(limits: limits, progress: progress)
                    return DesignRun(result: result, scheduler: .init(name: .padded, padTo: padTo),
                                     notes: [.hostStages, .padded(batch: run.trace.batch, padTo: padTo, jobs: netlist.jobs.formed),
                                             .weightSlots(netlist.weightSlots)])
                }
            }
        }
    }
}
