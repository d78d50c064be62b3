import BertSimCore

extension EncoderConfig {
    /// A special-function unit: lanes, and the latency between its passes (reciprocal or
    /// inverse square root) and at its output.
    public struct SpecialUnit: Sendable, Equatable, Codable {
        public var lanes: Int
        /// Softmax: reciprocal; LayerNorm: inverse square root; GELU: unused (0).
        public var middleLatency: Int
        /// Output (or LUT) latency.
        public var outputLatency: Int

        public init(lanes: Int, middleLatency: Int = 0, outputLatency: Int) {
            self.lanes = lanes
            self.middleLatency = middleLatency
            self.outputLatency = outputLatency
        }

        /// Every parameter, declared once (``ParameterTable``); GELU's schema leaves out the
        /// middle latency (``geluSchema``).
        public static let parameters = ParameterTable<SpecialUnit>(
            "special_unit", summary: "A special-function unit.",
            template: SpecialUnit(lanes: 1, middleLatency: 8, outputLatency: 2), [
                .integer("lanes", \.lanes, 1...65536, unit: .lanes, "Elements per cycle"),
                .integer("middle_latency_cycles", \.middleLatency, 0...10000, unit: .cycles, default: .template,
                         "Between passes 2 and 3: the reciprocal of the row sum (softmax), the inverse square root of the variance (LayerNorm)"),
                .integer("output_latency_cycles", \.outputLatency, 0...10000, unit: .cycles, default: .template,
                         "From the last pass to the result"),
            ],
            statistics: [
                StatisticSpec("tasks", .count, "Tasks (row blocks) processed"),
                StatisticSpec("elements", .count, "Elements processed"),
            ])

        public static let softmaxSchema = parameters.schema(excluding: [], name: "softmax",
            summary: "Row softmax in three pipelined passes (max; subtract, 256-entry exp LUT, sum; multiply by the reciprocal).")
        public static let layerNormSchema = parameters.schema(excluding: [], name: "layernorm",
            summary: "Three-stage SIMD LayerNorm (residual add and mean; variance; scale by 1/σ, γ, β).")
        public static let geluSchema = parameters.schema(excluding: ["middle_latency_cycles"], name: "gelu",
            summary: "Element-wise GELU through a LUT.")

        /// A unit read against one of the three schemas (GELU's has no middle latency: 0).
        public init(_ p: ParameterValues) throws(InputError) {
            self = try Self.parameters.read(p)
            if !p.has("middle_latency_cycles") { middleLatency = 0 }
        }

        public func encode(to encoder: any Encoder) throws { try Self.parameters.encode(self, to: encoder) }
        public init(from decoder: any Decoder) throws { self = try Self.parameters.decode(from: decoder) }
    }
}
