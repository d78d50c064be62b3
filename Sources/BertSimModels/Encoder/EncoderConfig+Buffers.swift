import BertSimCore

extension EncoderConfig {
    /// On-chip buffers (KiB).
    public struct Buffers: Sendable, Equatable, Codable {
        public var ioKiB: Int
        public var weightKiB: Int
        public var intermediateKiB: Int
        public var parameterKiB: Int
        /// Which buffers are built from UltraRAM instead of block RAM.
        public var uram: URAMUse
        /// The pipeline stages that share the parameter buffer (read-only: one copy of the LUTs,
        /// the layers' parameter slots divided between the stages; docs/length-aware.md). 1 for
        /// the whole encoder; set by the length-aware scheduler's partitions, not a config key.
        public var parameterSharers: Int = 1

        public enum URAMUse: String, Sendable, Equatable, Codable, CaseIterable {
            case none, intermediate, weight, both
            public var weight: Bool { self == .weight || self == .both }
            public var intermediate: Bool { self == .intermediate || self == .both }
        }

        public init(ioKiB: Int, weightKiB: Int, intermediateKiB: Int, parameterKiB: Int, uram: URAMUse = .none) {
            self.uram = uram
            self.ioKiB = ioKiB
            self.weightKiB = weightKiB
            self.intermediateKiB = intermediateKiB
            self.parameterKiB = parameterKiB
        }

        /// Every parameter, declared once (``ParameterTable``).
        public static let parameters = ParameterTable<Buffers>(
            "buffers",
            summary: "On-chip buffers; their capacities bound the sub-batch and the weight slots, and what does not fit spills to DRAM.",
            template: Buffers(ioKiB: 1, weightKiB: 1, intermediateKiB: 1, parameterKiB: 1), [
                .integer("io_kib", \.ioKiB, 1...1_048_576, unit: .kibibytes, "Input/output activations"),
                .integer("weight_kib", \.weightKiB, 1...1_048_576, unit: .kibibytes, "Weight tiles; slots = ⌊capacity ÷ largest tile⌋"),
                .integer("intermediate_kib", \.intermediateKiB, 1...1_048_576, unit: .kibibytes, "Q, K, V, scores, FFN intermediate"),
                .integer("parameter_kib", \.parameterKiB, 1...1_048_576, unit: .kibibytes, "Scales, LayerNorm γ/β, softmax and GELU LUTs"),
                .choice("uram_buffers", \.uram, default: .template,
                        "Which of the weight and intermediate buffers use UltraRAM (288 Kib blocks) instead of BRAM"),
            ])

        public static var schema: ComponentSchema { parameters.schema }

        public init(_ p: ParameterValues) throws(InputError) { self = try Self.parameters.read(p) }
        public func encode(to encoder: any Encoder) throws { try Self.parameters.encode(self, to: encoder) }
        public init(from decoder: any Decoder) throws { self = try Self.parameters.decode(from: decoder) }
    }

    /// The host's control of the accelerator: the processor (the Zynq's A53 cores, or a PC over
    /// PCIe) starts every layer with a command and learns of its end (docs/encoder-timing.md §8).
    public struct Host: Sendable, Equatable, Codable {
        /// Cycles from a layer's predecessor finishing (or its job becoming ready) to the
        /// host's command that starts it (converted from the config's nanoseconds).
        public var layerCommandCycles: Int

        public init(layerCommandCycles: Int = 0) {
            self.layerCommandCycles = layerCommandCycles
        }

        /// Every parameter, declared once (``ParameterTable``).
        public static let parameters = ParameterTable<Host>(
            "host",
            summary: "The host's control: a command per layer, after the previous layer ends (or the job is ready).",
            template: Host(), [
                Parameter("layer_command_ns", .integer(0...100_000_000), unit: .nanoseconds, .template,
                          "From the end of a layer (or a job's arrival) to the host's command that starts the next: the completion interrupt or poll, and the register writes (control)",
                          renderDefault: { _ in String(Host.defaultLayerCommandNs) },
                          readsWhenAbsent: false,
                          read: { (root: inout Host, v: ParameterValues, context: ParameterContext) throws(InputError) in
                              root.layerCommandCycles = (v.int("layer_command_ns") * (context.clock?.kilohertz ?? 1_000_000)).ceilDiv(1_000_000)
                          },
                          encode: { root, c in try c.encode(root.layerCommandCycles, forKey: ParameterKey("layer_command_cycles")) },
                          decode: { root, c in root.layerCommandCycles = try c.decode(Int.self, forKey: ParameterKey("layer_command_cycles")) }),
            ])

        /// The host command's default latency, ns (docs/encoder-timing.md §8).
        public static let defaultLayerCommandNs = 20_000

        public static var schema: ComponentSchema { parameters.schema }

        public init(_ p: ParameterValues, clock: Clock) throws(InputError) {
            self = try Self.parameters.read(p, context: ParameterContext(clock: clock))
        }

        /// The default host at `clock`.
        public init(clock: Clock) {
            layerCommandCycles = (Self.defaultLayerCommandNs * clock.kilohertz).ceilDiv(1_000_000)
        }

        public func encode(to encoder: any Encoder) throws { try Self.parameters.encode(self, to: encoder) }
        public init(from decoder: any Decoder) throws { self = try Self.parameters.decode(from: decoder) }
    }
}
