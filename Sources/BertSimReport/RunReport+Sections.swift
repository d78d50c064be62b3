import BertSimCore
import BertSimModels

extension RunReport {
    /// The design's name (the config's `name:`).
    public var designName: String { config.resolved.name }

    /// The stages that are the compute array (``ComputeArrayStages``): `pe_array`, the
    /// length-aware partitions, or every stage of the walking-skeleton pipeline.
    public var arrayStages: [Stage] {
        ComputeArrayStages.indices(of: stages.map(\.name), scheduler: scheduler?.name).map { stages[$0] }
    }

    /// The compute array as one stage: its stages' cycles summed (the array itself under the
    /// padded scheduler; the partitions together under the length-aware one), its lane
    /// utilization weighted by busy cycles. Nil when the run has no stage.
    public var computeArray: Stage? {
        let array = arrayStages
        guard let first = array.first else { return nil }
        if array.count == 1 { return first }
        var total = Stage(name: array.map(\.name).joined(separator: "+"), busyCycles: 0, elapsedCycles: 0,
                          bubbles: Bubbles(), bubbleIntervals: Bubbles(), laneUtilization: 0)
        var lanes = 0.0
        for s in array {
            total.busyCycles += s.busyCycles
            total.elapsedCycles += s.elapsedCycles
            total.bubbles = Bubbles(BubbleCause.allCases.map { total.bubbles[$0] + s.bubbles[$0] })
            total.bubbleIntervals = Bubbles(BubbleCause.allCases.map { total.bubbleIntervals[$0] + s.bubbleIntervals[$0] })
            lanes += s.laneUtilization * Double(s.busyCycles)
        }
        total.laneUtilization = total.busyCycles == 0 ? 0 : lanes / Double(total.busyCycles)
        return total
    }
}
