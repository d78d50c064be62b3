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
    /// How the stages get the softmax, LayerNorm and GELU units.
    public var specialUnits: SpecialUnitSharing

    /// `partitioned`: each stage has its share of every special unit's lanes (p/P, re-divided
    /// with the processing units each beat); `shared`: the stages' tasks queue for one whole
    /// unit, the lower stage first when several are ready in the same cycle.
    public enum SpecialUnitSharing: String, CaseIterable, Sendable, Codable {
        case partitioned, shared
    }

    public init(pipelineStages: Int = 2, repartitionCycles: Int = 64, specialUnits: SpecialUnitSharing = .partitioned) {
        self.pipelineStages = pipelineStages
        self.repartitionCycles = repartitionCycles
        self.specialUnits = specialUnits
    }

    /// Every parameter, declared once (``ParameterTable``).
    public static let parameters = ParameterTable<LengthAwareSettings>(
        "length_aware",
        summary: "The length-aware coarse-grained pipeline (DAC 2022): layer groups on partitions of the PE array, re-balanced per beat.",
        template: LengthAwareSettings(), [
            .integer("pipeline_stages", \.pipelineStages, 1...64, unit: .count, default: .template,
                     "Layer groups, each on its own partition of the processing units"),
            .integer("repartition_cycles", \.repartitionCycles, 0...1_000_000, unit: .cycles, default: .template,
                     "Stall of every occupied stage when a beat changes the split"),
            .choice("special_units", \.specialUnits, default: .template,
                    "partitioned (each stage its share of the softmax, LayerNorm and GELU lanes) or shared (the stages queue for whole units)"),
        ],
        statistics: [
            StatisticSpec("beats", .count, "Pipeline beats"),
            StatisticSpec("repartitions", .count, "Beats that changed the split of processing units"),
            StatisticSpec("queue_depth_max", .requests, "Most sequences waiting to enter the pipeline"),
            StatisticSpec("queue_depth_mean", .requests, "Sequences waiting, averaged over the run"),
            StatisticSpec("cost_evaluations", .count, "Stage costs W(stage, length, units) simulated"),
        ])

    public static var schema: ComponentSchema { parameters.schema }

    public init(_ p: ParameterValues) throws(InputError) { self = try Self.parameters.read(p) }
    public func encode(to encoder: any Encoder) throws { try Self.parameters.encode(self, to: encoder) }
    public init(from decoder: any Decoder) throws { self = try Self.parameters.decode(from: decoder) }
}
