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
    /// The board the design targets (resources, the device's and board's power figures), if given.
    public var board: Board?
    /// The power model's coefficients (encoder designs on a board).
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

    /// The top level of a config file, every key declared once (``ParameterTable``). The
    /// config reader reads `clock_mhz`, `board`, `power`, `design` and the design's section
    /// itself (a board is a preset name or a mapping; sections have their own tables).
    public static let parameters = ParameterTable<HardwareConfig>(
        "hardware_config",
        summary: "A hardware design: name, clock, and which accelerator netlist to build.",
        template: HardwareConfig(name: "", clock: Clock(kilohertz: 1), design: .pipeline(.init(fifoDepth: 1, stages: []))), [
            .text("name", \.name, "Design name shown in reports"),
            .text("description", \.summary, default: .template, "Free text: what the design is and where its numbers come from"),
            Parameter("clock_mhz", .decimal(0.001...10_000), unit: .megahertz, .required,
                      "Accelerator clock; one simulated cycle is one period (resolution 1 kHz)",
                      read: { _, _, _ in },
                      encode: { root, c in try c.encode(root.clock.megahertz, forKey: ParameterKey("clock_mhz")) },
                      decode: { root, c in
                          let mhz = try c.decode(Double.self, forKey: ParameterKey("clock_mhz"))
                          root.clock = Clock(kilohertz: Int((mhz * 1000).rounded()))
                      }),
            Parameter("board", .text, .optional,
                      "The board: a preset (\(Board.presets.map(\.name).joined(separator: ", "))) or a mapping (see board; `preset:` starts from a preset's values)",
                      read: { _, _, _ in },
                      encode: { root, c in try c.encodeIfPresent(root.board, forKey: ParameterKey("board")) },
                      decode: { root, c in root.board = try c.decodeIfPresent(Board.self, forKey: ParameterKey("board")) }),
            .optionalSection("power", \.power, "Optional overrides of the power model's coefficients (see power)"),
            Parameter("design", .choice(["encoder", "pipeline"]), .template,
                      "Which netlist to build; its section (`encoder:` or `pipeline:`) holds its parameters",
                      renderDefault: { _ in "encoder" }, read: { _, _, _ in },
                      encode: { root, c in try c.encode(root.design.kind, forKey: ParameterKey("design")) }, decode: { _, _ in }),
            Parameter("encoder", .text, .required, "The encoder section, when design is encoder",
                      read: { _, _, _ in },
                      encode: { root, c in if case .encoder(let e) = root.design { try c.encode(e, forKey: ParameterKey("encoder")) } },
                      decode: { root, c in
                          if let e = try c.decodeIfPresent(EncoderConfig.self, forKey: ParameterKey("encoder")) { root.design = .encoder(e) }
                      }),
            Parameter("pipeline", .text, .required, "The pipeline section, when design is pipeline",
                      read: { _, _, _ in },
                      encode: { root, c in if case .pipeline(let p) = root.design { try c.encode(p, forKey: ParameterKey("pipeline")) } },
                      decode: { root, c in
                          if let p = try c.decodeIfPresent(PipelineNetlist.Config.self, forKey: ParameterKey("pipeline")) {
                              root.design = .pipeline(p)
                          }
                      }),
        ])

    public static var schema: ComponentSchema { parameters.schema }
}

/// The resolved config as reports carry it (`config.resolved`): every section with its
/// defaults applied. Decoding gives back the same value (a mask file's masks excepted: a
/// decoded config names its mask file and fingerprint only; load the YAML to simulate it).
extension HardwareConfig: Codable {
    public func encode(to encoder: any Encoder) throws { try Self.parameters.encode(self, to: encoder) }
    public init(from decoder: any Decoder) throws { self = try Self.parameters.decode(from: decoder) }
}
