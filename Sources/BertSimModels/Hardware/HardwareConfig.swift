import BertSimCore

/// A hardware design: its clock and the accelerator netlist to build, fully resolved
/// (defaults applied) and validated.
public struct HardwareConfig: Sendable, Equatable {
    /// Which accelerator netlist the config describes.
    public enum Design: Sendable, Equatable {
        /// The walking-skeleton chain of pipelined stages.
        case pipeline(PipelineNetlist.Config)
        /// The FQ-BERT-style encoder accelerator (docs/encoder-timing.md).
        case encoder(EncoderConfig)

        public var kind: String {
            switch self {
            case .pipeline: "pipeline"
            case .encoder: "encoder"
            }
        }
    }

    public var name: String
    public var summary: String
    public var clock: Clock
    public var design: Design
    /// The board the design targets (resources, static power), if given.
    public var board: Board?
    /// Energy coefficients (encoder designs on a board).
    public var power: PowerModel?

    public init(name: String, summary: String = "", clock: Clock, design: Design, board: Board? = nil, power: PowerModel? = nil) {
        self.name = name
        self.summary = summary
        self.clock = clock
        self.design = design
        self.board = board
        self.power = power
    }

    /// The encoder's resource estimate, for encoder designs.
    public var resources: ResourceEstimate? {
        if case .encoder(let e) = design { return ResourceEstimate(config: e) }
        return nil
    }

    /// The encoder design, when the config describes one.
    public var encoder: EncoderConfig? {
        if case .encoder(let e) = design { return e }
        return nil
    }

    /// The top level of a config file.
    public static let schema = ComponentSchema(
        name: "hardware_config",
        summary: "A hardware design: name, clock, and which accelerator netlist to build.",
        parameters: [
            ParameterSpec("name", .text, "Design name shown in reports"),
            ParameterSpec("description", .text, default: "", "Free text: what the design is and where its numbers come from"),
            ParameterSpec("clock_mhz", .decimal(0.001...10_000), unit: .megahertz,
                          "Accelerator clock; one simulated cycle is one period (resolution 1 kHz)"),
            ParameterSpec("board", .text, default: "", "The board: a preset (\(Board.presets.map(\.name).joined(separator: ", "))) or a mapping (see board)"),
            ParameterSpec("power", .text, default: "", "Optional overrides of the energy coefficients (see power)"),
            ParameterSpec("design", .choice(["encoder", "pipeline"]), default: "encoder",
                          "Which netlist to build; its section (`encoder:` or `pipeline:`) holds its parameters"),
            ParameterSpec("encoder", .text, "The encoder section, when design is encoder"),
            ParameterSpec("pipeline", .text, "The pipeline section, when design is pipeline"),
        ],
        statistics: [])
}

/// The resolved config as reports carry it (`config.resolved`): every section with its
/// defaults applied. Decoding gives back the same value (a mask file's masks excepted: a
/// decoded config names its mask file and fingerprint only; load the YAML to simulate it).
extension HardwareConfig: Codable {
    enum CodingKeys: String, CodingKey {
        case name, description
        case clockMHz = "clock_mhz"
        case design, pipeline, encoder, board, power
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(summary, forKey: .description)
        try c.encode(clock.megahertz, forKey: .clockMHz)
        try c.encode(design.kind, forKey: .design)
        try c.encodeIfPresent(board, forKey: .board)
        try c.encodeIfPresent(power, forKey: .power)
        switch design {
        case .pipeline(let p): try c.encode(p, forKey: .pipeline)
        case .encoder(let e): try c.encode(e, forKey: .encoder)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let mhz = try c.decode(Double.self, forKey: .clockMHz)
        let design: Design
        switch try c.decode(String.self, forKey: .design) {
        case "pipeline": design = .pipeline(try c.decode(PipelineNetlist.Config.self, forKey: .pipeline))
        default: design = .encoder(try c.decode(EncoderConfig.self, forKey: .encoder))
        }
        self.init(name: try c.decode(String.self, forKey: .name), summary: try c.decode(String.self, forKey: .description),
                  clock: Clock(kilohertz: Int((mhz * 1000).rounded())), design: design,
                  board: try c.decodeIfPresent(Board.self, forKey: .board), power: try c.decodeIfPresent(PowerModel.self, forKey: .power))
    }
}
