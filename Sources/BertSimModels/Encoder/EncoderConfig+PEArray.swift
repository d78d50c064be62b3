import BertSimCore

extension EncoderConfig {
    /// P processing units × N PEs, each a bit-split inner-product module of M 8×4 multipliers.
    public struct PEArray: Sendable, Equatable, Codable {
        public var processingUnits: Int
        public var pesPerUnit: Int
        public var multipliersPerPE: Int
        public var multiplierLatency: Int
        public var adderTreeLatency: Int
        public var accumulatorLatency: Int
        public var quantizationLatency: Int
        /// Whether the 8×4 multipliers are built from DSP slices or LUTs.
        public var multipliersInDSP: Bool
        /// 8×4 products one DSP48E2 computes per cycle (1: one per slice, as HLS maps a
        /// multiplication; 2: two packed, as Xilinx WP486 shows for hand-placed INT8).
        public var multipliersPerDSP: Int
        /// Cycles the issue slot loses at the end of every output row: the inner-product
        /// loop's pipeline fills and drains per row (docs/encoder-timing.md §8).
        public var rowOverhead: Int
        /// Outputs each PU's quantization unit requantizes per cycle: a row's N outputs take
        /// ⌈N / this⌉ cycles at least.
        public var quantizerOutputsPerCycle: Int

        public init(processingUnits: Int, pesPerUnit: Int, multipliersPerPE: Int, multiplierLatency: Int = 1,
                    adderTreeLatency: Int = 3, accumulatorLatency: Int = 2, quantizationLatency: Int = 3,
                    multipliersInDSP: Bool = true, multipliersPerDSP: Int = 1, rowOverhead: Int = 9,
                    quantizerOutputsPerCycle: Int = 1) {
            self.multipliersInDSP = multipliersInDSP
            self.processingUnits = processingUnits
            self.pesPerUnit = pesPerUnit
            self.multipliersPerPE = multipliersPerPE
            self.multiplierLatency = multiplierLatency
            self.adderTreeLatency = adderTreeLatency
            self.accumulatorLatency = accumulatorLatency
            self.quantizationLatency = quantizationLatency
            self.multipliersPerDSP = multipliersPerDSP
            self.rowOverhead = rowOverhead
            self.quantizerOutputsPerCycle = quantizerOutputsPerCycle
        }

        /// Column lanes: P × N.
        public var lanes: Int { processingUnits * pesPerUnit }
        /// Issue to result: multiplier + adder trees + shift-add/accumulator + quantization.
        public var pipelineLatency: Int { multiplierLatency + adderTreeLatency + accumulatorLatency + quantizationLatency }

        /// The issue cycles of one output row whose inner products take `chunks` cycles:
        /// `max(chunks + r, ⌈N / Q⌉)`, with `r` the row overhead and `Q` the quantizer's outputs
        /// per cycle (docs/encoder-timing.md §8).
        public func rowCycles(chunks: Int) -> Int {
            max(chunks + rowOverhead, pesPerUnit.ceilDiv(quantizerOutputsPerCycle))
        }

        /// Every parameter, declared once (``ParameterTable``).
        public static let parameters = ParameterTable<PEArray>(
            "pe_array",
            summary: "P processing units of N bit-split inner-product PEs (M 8×4 multipliers each); the P×N PEs compute P×N output columns, each row taking ⌈K/m⌉ cycles plus the row overhead.",
            template: PEArray(processingUnits: 1, pesPerUnit: 1, multipliersPerPE: 2), [
                .integer("processing_units", \.processingUnits, 1...4096, unit: .count, "P: processing units (split the output columns)"),
                .integer("pes_per_unit", \.pesPerUnit, 1...4096, unit: .count, "N: PEs per unit (share the activation row)"),
                .integer("multipliers_per_pe", \.multipliersPerPE, 2...4096, unit: .count, "M: 8×4 multipliers per PE (even; 8×8 uses two)"),
                .integer("multiplier_latency_cycles", \.multiplierLatency, 0...1000, unit: .cycles, default: .template, "Multiplier stage"),
                .integer("adder_tree_latency_cycles", \.adderTreeLatency, 0...1000, unit: .cycles, default: .template,
                         "The two M/2-input adder trees"),
                .integer("accumulator_latency_cycles", \.accumulatorLatency, 0...1000, unit: .cycles, default: .template,
                         "Shift-add and accumulator"),
                .integer("quantization_latency_cycles", \.quantizationLatency, 0...1000, unit: .cycles, default: .template,
                         "Quantization unit (bias, scale)"),
                Parameter("multipliers_in", .choice(["dsp", "lut"]), .template,
                          "Build the 8×4 multipliers from DSP slices or from LUTs", renderDefault: { $0.multipliersInDSP ? "dsp" : "lut" },
                          read: { (root: inout PEArray, v: ParameterValues, _: ParameterContext) throws(InputError) in
                              root.multipliersInDSP = v.string("multipliers_in") == "dsp"
                          },
                          encode: { root, c in try c.encode(root.multipliersInDSP, forKey: ParameterKey("multipliers_in_dsp")) },
                          decode: { root, c in root.multipliersInDSP = try c.decode(Bool.self, forKey: ParameterKey("multipliers_in_dsp")) }),
                .integer("multipliers_per_dsp", \.multipliersPerDSP, 1...2, unit: .count, default: .template,
                         "8×4 products per DSP48E2: 1 (one multiplication per slice, as HLS maps it) or 2 (packed by hand, Xilinx WP486)"),
                .integer("row_overhead_cycles", \.rowOverhead, 0...1000, unit: .cycles, default: .template,
                         "Issue cycles lost at the end of every output row: the inner-product loop's pipeline fill and drain (control)"),
                .integer("quantizer_outputs_per_cycle", \.quantizerOutputsPerCycle, 1...4096, unit: .count, default: .template,
                         "Outputs a PU's quantization unit requantizes per cycle: a row takes at least ⌈N / this⌉ cycles"),
            ],
            statistics: [
                StatisticSpec("tiles", .count, "GEMM tiles issued"),
                StatisticSpec("macs", .count, "Multiply-accumulates on real and pad tokens"),
                StatisticSpec("lane_utilization", .ratio, "MACs ÷ (busy cycles × P × N × m)"),
            ],
            finish: { (root: inout PEArray, p: ParameterValues) throws(InputError) in
                guard root.multipliersPerPE % 2 == 0 else {
                    throw p.error("multipliers_per_pe", "must be even (8×8 mode pairs two 8×4 multipliers), not \(root.multipliersPerPE)")
                }
                guard root.lanes <= 1 << 20 else {
                    throw p.error("pes_per_unit", "P × N = \(root.lanes) PEs is beyond the model's limit of \(1 << 20)")
                }
            })

        public static var schema: ComponentSchema { parameters.schema }

        public init(_ p: ParameterValues) throws(InputError) { self = try Self.parameters.read(p) }
        public func encode(to encoder: any Encoder) throws { try Self.parameters.encode(self, to: encoder) }
        public init(from decoder: any Decoder) throws { self = try Self.parameters.decode(from: decoder) }
    }
}
