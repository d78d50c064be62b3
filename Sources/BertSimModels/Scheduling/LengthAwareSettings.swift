import BertSimCore

/// The length-aware scheduler's hardware parameters (`encoder.length_aware:`,
/// docs/length-aware.md). They matter only under `--scheduler length-aware`.
public struct LengthAwareSettings: Sendable, Equatable, Codable {
    /// Pipeline stages: the encoder's layers split into this many groups, each on a partition
    /// of the array's processing units.
    public var pipelineStages: Int
    /// Cycles every occupied stage stalls when a beat changes the split of processing units
    /// (drain the PE pipelines, rewrite the partition's tile controllers and operand routing).
    public var repartitionCycles: Int

    public init(pipelineStages: Int = 2, repartitionCycles: Int = 64) {
        self.pipelineStages = pipelineStages
        self.repartitionCycles = repartitionCycles
    }

    public init(_ v: ParameterValues) {
        self.init(pipelineStages: v.int("pipeline_stages"), repartitionCycles: v.int("repartition_cycles"))
    }

    enum CodingKeys: String, CodingKey {
        case pipelineStages = "pipeline_stages"
        case repartitionCycles = "repartition_cycles"
    }

    public static let schema = ComponentSchema(
        name: "length_aware",
        summary: "The length-aware coarse-grained pipeline (DAC 2022): layer groups on partitions of the PE array, re-balanced per beat.",
        parameters: [
            ParameterSpec("pipeline_stages", .integer(1...64), unit: .count, default: "2",
                          "Layer groups, each on its own partition of the processing units"),
            ParameterSpec("repartition_cycles", .integer(0...1_000_000), unit: .cycles, default: "64",
                          "Stall of every occupied stage when a beat changes the split"),
        ],
        statistics: [
            StatisticSpec("beats", .count, "Pipeline beats"),
            StatisticSpec("repartitions", .count, "Beats that changed the split of processing units"),
            StatisticSpec("queue_depth_max", .requests, "Most sequences waiting to enter the pipeline"),
            StatisticSpec("queue_depth_mean", .requests, "Sequences waiting, averaged over the run"),
            StatisticSpec("cost_evaluations", .count, "Stage costs W(stage, length, units) simulated"),
        ])
}
