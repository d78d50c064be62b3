import BertSimCore

/// The hardware of the FQ-BERT-style encoder accelerator (docs/encoder-timing.md §1).
public struct EncoderConfig: Sendable, Equatable, Codable {
    public var precision: Precision
    /// The GEMM engine: a BIM array (`pe_array:`) or a systolic array (`systolic_array:`).
    public var array: ComputeArray
    public var softmax: SpecialUnit
    public var layerNorm: SpecialUnit
    public var gelu: SpecialUnit
    public var memory: Memory
    public var buffers: Buffers
    /// Top-k sparse attention; nil runs dense attention.
    public var sparse: SparseAttention?
    /// Pruned weights on the sparse engine (docs/pruning.md); nil runs dense weights.
    public var pruning: Pruning?
    /// The length-aware scheduler's pipeline (used under `--scheduler length-aware`).
    public var lengthAware: LengthAwareSettings

    public init(precision: Precision, array: ComputeArray, softmax: SpecialUnit, layerNorm: SpecialUnit,
                gelu: SpecialUnit, memory: Memory, buffers: Buffers, sparse: SparseAttention? = nil,
                lengthAware: LengthAwareSettings = .init(), pruning: Pruning? = nil) {
        self.pruning = pruning
        self.sparse = sparse
        self.lengthAware = lengthAware
        self.precision = precision
        self.array = array
        self.softmax = softmax
        self.layerNorm = layerNorm
        self.gelu = gelu
        self.memory = memory
        self.buffers = buffers
    }

    /// A BIM-array design (FQ-BERT's).
    public init(precision: Precision, peArray: PEArray, softmax: SpecialUnit, layerNorm: SpecialUnit,
                gelu: SpecialUnit, memory: Memory, buffers: Buffers) {
        self.init(precision: precision, array: .bim(peArray), softmax: softmax, layerNorm: layerNorm, gelu: gelu,
                  memory: memory, buffers: buffers)
    }

    /// The BIM array's parameters, when the design has one.
    public var peArray: PEArray? {
        get {
            if case .bim(let p) = array { return p }
            return nil
        }
        set { if let newValue { array = .bim(newValue) } }
    }

    enum CodingKeys: String, CodingKey {
        case precision
        case peArray = "pe_array"
        case systolicArray = "systolic_array"
        case softmax
        case layerNorm = "layernorm"
        case gelu, memory, buffers
        case sparse = "sparse_attention"
        case lengthAware = "length_aware"
        case pruning
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(precision, forKey: .precision)
        switch array {
        case .bim(let p): try c.encode(p, forKey: .peArray)
        case .systolic(let s): try c.encode(s, forKey: .systolicArray)
        }
        try c.encode(softmax, forKey: .softmax)
        try c.encode(layerNorm, forKey: .layerNorm)
        try c.encode(gelu, forKey: .gelu)
        try c.encode(memory, forKey: .memory)
        try c.encode(buffers, forKey: .buffers)
        try c.encodeIfPresent(sparse, forKey: .sparse)
        try c.encode(lengthAware, forKey: .lengthAware)
        try c.encodeIfPresent(pruning, forKey: .pruning)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let array: ComputeArray = if let p = try c.decodeIfPresent(PEArray.self, forKey: .peArray) {
            .bim(p)
        } else {
            .systolic(try c.decode(SystolicArray.self, forKey: .systolicArray))
        }
        self.init(precision: try c.decode(Precision.self, forKey: .precision), array: array,
                  softmax: try c.decode(SpecialUnit.self, forKey: .softmax), layerNorm: try c.decode(SpecialUnit.self, forKey: .layerNorm),
                  gelu: try c.decode(SpecialUnit.self, forKey: .gelu), memory: try c.decode(Memory.self, forKey: .memory),
                  buffers: try c.decode(Buffers.self, forKey: .buffers),
                  sparse: try c.decodeIfPresent(SparseAttention.self, forKey: .sparse),
                  lengthAware: try c.decodeIfPresent(LengthAwareSettings.self, forKey: .lengthAware) ?? .init(),
                  pruning: try c.decodeIfPresent(Pruning.self, forKey: .pruning))
    }

    /// Bit widths per tensor class (FQ-BERT: W4, A8, int32 bias, 8-bit scales, softmax and
    /// LayerNorm parameters).
    public struct Precision: Sendable, Equatable, Codable {
        public var weightBits: Int
        public var activationBits: Int
        public var biasBits: Int
        public var scaleBits: Int
        /// Attention scores into the softmax and probabilities out of it.
        public var softmaxBits: Int
        public var layerNormParameterBits: Int
        /// One weight scale per matrix (FQ-BERT's), or one per output channel (a scale per
        /// output column, read by that column's quantization unit).
        public var weightScales: WeightScales

        /// How many scales a weight matrix has.
        public enum WeightScales: String, Sendable, Equatable, Codable, CaseIterable {
            case perTensor = "per_tensor"
            case perChannel = "per_channel"
        }

        public init(weightBits: Int = 4, activationBits: Int = 8, biasBits: Int = 32, scaleBits: Int = 8,
                    softmaxBits: Int = 8, layerNormParameterBits: Int = 8, weightScales: WeightScales = .perTensor) {
            self.weightBits = weightBits
            self.activationBits = activationBits
            self.biasBits = biasBits
            self.scaleBits = scaleBits
            self.softmaxBits = softmaxBits
            self.layerNormParameterBits = layerNormParameterBits
            self.weightScales = weightScales
        }

        enum CodingKeys: String, CodingKey {
            case weightBits = "weight_bits"
            case activationBits = "activation_bits"
            case biasBits = "bias_bits"
            case scaleBits = "scale_bits"
            case softmaxBits = "softmax_bits"
            case layerNormParameterBits = "layernorm_parameter_bits"
            case weightScales = "weight_scales"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(weightBits: try c.decode(Int.self, forKey: .weightBits), activationBits: try c.decode(Int.self, forKey: .activationBits),
                      biasBits: try c.decode(Int.self, forKey: .biasBits), scaleBits: try c.decode(Int.self, forKey: .scaleBits),
                      softmaxBits: try c.decode(Int.self, forKey: .softmaxBits),
                      layerNormParameterBits: try c.decode(Int.self, forKey: .layerNormParameterBits),
                      weightScales: try c.decodeIfPresent(WeightScales.self, forKey: .weightScales) ?? .perTensor)
        }

        public static let schema = ComponentSchema(
            name: "precision",
            summary: "Bit widths of weights, activations and biases (they set bytes moved and buffer footprints).",
            parameters: [
                ParameterSpec("weight_bits", .integer(1...16), unit: .bits, default: "4", "Weight width"),
                ParameterSpec("activation_bits", .integer(1...16), unit: .bits, default: "8", "Activation width"),
                ParameterSpec("bias_bits", .integer(1...64), unit: .bits, default: "32", "Bias width"),
                ParameterSpec("scale_bits", .integer(1...32), unit: .bits, default: "8", "Requantization scale width"),
                ParameterSpec("softmax_bits", .integer(1...16), unit: .bits, default: "8",
                              "Attention scores into the softmax and probabilities out (the 8×8 operands of attention × V)"),
                ParameterSpec("layernorm_parameter_bits", .integer(1...32), unit: .bits, default: "8", "LayerNorm γ and β"),
                ParameterSpec("weight_scales", .choice(WeightScales.allCases.map(\.rawValue)), default: "per_tensor",
                              "One weight scale per matrix, or one per output channel (each quantization unit reads its column's scale)"),
            ],
            statistics: [])

        public init(_ p: ParameterValues) {
            self.init(weightBits: p.int("weight_bits"), activationBits: p.int("activation_bits"), biasBits: p.int("bias_bits"),
                      scaleBits: p.int("scale_bits"), softmaxBits: p.int("softmax_bits"),
                      layerNormParameterBits: p.int("layernorm_parameter_bits"),
                      weightScales: WeightScales(rawValue: p.string("weight_scales"))!)
        }
    }

    /// P processing units × N PEs, each a bit-split inner-product module of M 8×4 multipliers.
    public struct PEArray: Sendable, Equatable, Codable {
        public var processingUnits: Int
        public var pesPerUnit: Int
        public var multipliersPerPE: Int
        public var multiplierLatency: Int
        public var adderTreeLatency: Int
        public var accumulatorLatency: Int
        public var quantizationLatency: Int
        /// Whether the 8×4 multipliers are built from DSP slices (two per DSP48E2) or LUTs.
        public var multipliersInDSP: Bool

        public init(processingUnits: Int, pesPerUnit: Int, multipliersPerPE: Int, multiplierLatency: Int = 1,
                    adderTreeLatency: Int = 3, accumulatorLatency: Int = 2, quantizationLatency: Int = 3,
                    multipliersInDSP: Bool = true) {
            self.multipliersInDSP = multipliersInDSP
            self.processingUnits = processingUnits
            self.pesPerUnit = pesPerUnit
            self.multipliersPerPE = multipliersPerPE
            self.multiplierLatency = multiplierLatency
            self.adderTreeLatency = adderTreeLatency
            self.accumulatorLatency = accumulatorLatency
            self.quantizationLatency = quantizationLatency
        }

        enum CodingKeys: String, CodingKey {
            case processingUnits = "processing_units"
            case pesPerUnit = "pes_per_unit"
            case multipliersPerPE = "multipliers_per_pe"
            case multiplierLatency = "multiplier_latency_cycles"
            case adderTreeLatency = "adder_tree_latency_cycles"
            case accumulatorLatency = "accumulator_latency_cycles"
            case quantizationLatency = "quantization_latency_cycles"
            case multipliersInDSP = "multipliers_in_dsp"
        }

        /// Column lanes: P × N.
        public var lanes: Int { processingUnits * pesPerUnit }
        /// Issue to result: multiplier + adder trees + shift-add/accumulator + quantization.
        public var pipelineLatency: Int { multiplierLatency + adderTreeLatency + accumulatorLatency + quantizationLatency }

        public static let schema = ComponentSchema(
            name: "pe_array",
            summary: "P processing units of N bit-split inner-product PEs (M 8×4 multipliers each); the P×N PEs compute P×N output columns, each row taking ⌈K/m⌉ cycles.",
            parameters: [
                ParameterSpec("processing_units", .integer(1...4096), unit: .count, "P: processing units (split the output columns)"),
                ParameterSpec("pes_per_unit", .integer(1...4096), unit: .count, "N: PEs per unit (share the activation row)"),
                ParameterSpec("multipliers_per_pe", .integer(2...4096), unit: .count, "M: 8×4 multipliers per PE (even; 8×8 uses two)"),
                ParameterSpec("multiplier_latency_cycles", .integer(0...1000), unit: .cycles, default: "1", "Multiplier stage"),
                ParameterSpec("adder_tree_latency_cycles", .integer(0...1000), unit: .cycles, default: "3", "The two M/2-input adder trees"),
                ParameterSpec("accumulator_latency_cycles", .integer(0...1000), unit: .cycles, default: "2", "Shift-add and accumulator"),
                ParameterSpec("quantization_latency_cycles", .integer(0...1000), unit: .cycles, default: "3", "Quantization unit (bias, scale)"),
                ParameterSpec("multipliers_in", .choice(["dsp", "lut"]), default: "dsp",
                              "Build the 8×4 multipliers from DSP slices (two per DSP48E2) or from LUTs"),
            ],
            statistics: [
                StatisticSpec("tiles", .count, "GEMM tiles issued"),
                StatisticSpec("macs", .count, "Multiply-accumulates on real and pad tokens"),
                StatisticSpec("lane_utilization", .ratio, "MACs ÷ (busy cycles × P × N × m)"),
            ])

        public init(_ p: ParameterValues) throws(InputError) {
            self.init(processingUnits: p.int("processing_units"), pesPerUnit: p.int("pes_per_unit"),
                      multipliersPerPE: p.int("multipliers_per_pe"), multiplierLatency: p.int("multiplier_latency_cycles"),
                      adderTreeLatency: p.int("adder_tree_latency_cycles"), accumulatorLatency: p.int("accumulator_latency_cycles"),
                      quantizationLatency: p.int("quantization_latency_cycles"),
                      multipliersInDSP: p.string("multipliers_in") == "dsp")
            guard multipliersPerPE % 2 == 0 else {
                throw p.error("multipliers_per_pe", "must be even (8×8 mode pairs two 8×4 multipliers), not \(multipliersPerPE)")
            }
            guard lanes <= 1 << 20 else {
                throw p.error("pes_per_unit", "P × N = \(lanes) PEs is beyond the model's limit of \(1 << 20)")
            }
        }
    }

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

        enum CodingKeys: String, CodingKey {
            case lanes
            case middleLatency = "middle_latency_cycles"
            case outputLatency = "output_latency_cycles"
        }

        public static func schema(_ name: String, summary: String, middle: String?) -> ComponentSchema {
            var parameters = [ParameterSpec("lanes", .integer(1...65536), unit: .lanes, "Elements per cycle")]
            if let middle {
                parameters.append(ParameterSpec("middle_latency_cycles", .integer(0...10000), unit: .cycles, default: "8", middle))
            }
            parameters.append(ParameterSpec("output_latency_cycles", .integer(0...10000), unit: .cycles, default: "2",
                                            "From the last pass to the result"))
            return ComponentSchema(name: name, summary: summary, parameters: parameters, statistics: [
                StatisticSpec("tasks", .count, "Tasks (row blocks) processed"),
                StatisticSpec("elements", .count, "Elements processed"),
            ])
        }

        public static let softmaxSchema = schema(
            "softmax", summary: "Row softmax in three pipelined passes (max; subtract, 256-entry exp LUT, sum; multiply by the reciprocal).",
            middle: "Reciprocal of the row sum, between passes 2 and 3")
        public static let layerNormSchema = schema(
            "layernorm", summary: "Three-stage SIMD LayerNorm (residual add and mean; variance; scale by 1/σ, γ, β).",
            middle: "Inverse square root of the variance, between passes 2 and 3")
        public static let geluSchema = schema(
            "gelu", summary: "Element-wise GELU through a LUT.", middle: nil)

        public init(_ p: ParameterValues) {
            self.init(lanes: p.int("lanes"), middleLatency: p.has("middle_latency_cycles") ? p.int("middle_latency_cycles") : 0,
                      outputLatency: p.int("output_latency_cycles"))
        }
    }

    /// Off-chip memory: channels with bandwidth, latency, AXI width and outstanding limit.
    public struct Memory: Sendable, Equatable, Codable {
        public var kind: String
        public var channels: Int
        /// Per channel, in MB/s (10⁶ bytes per second).
        public var bandwidthMBps: Int
        /// Per transaction, in cycles (converted from the config's nanoseconds).
        public var latencyCycles: Int
        public var axiWidthBytes: Int
        public var maxOutstanding: Int
        public var burstBytes: Int

        public init(kind: String = "ddr4", channels: Int = 1, bandwidthMBps: Int, latencyCycles: Int, axiWidthBytes: Int,
                    maxOutstanding: Int, burstBytes: Int) {
            self.kind = kind
            self.channels = channels
            self.bandwidthMBps = bandwidthMBps
            self.latencyCycles = latencyCycles
            self.axiWidthBytes = axiWidthBytes
            self.maxOutstanding = maxOutstanding
            self.burstBytes = burstBytes
        }

        enum CodingKeys: String, CodingKey {
            case kind, channels
            case bandwidthMBps = "bandwidth_mb_per_s"
            case latencyCycles = "latency_cycles"
            case axiWidthBytes = "axi_width_bytes"
            case maxOutstanding = "max_outstanding"
            case burstBytes = "burst_bytes"
        }

        public static let schema = ComponentSchema(
            name: "memory",
            summary: "Off-chip DDR4 or HBM channels; a transaction of x bytes takes latency, then max(⌈x/AXI width⌉, ⌈x·f/BW⌉) cycles of data, FIFO per channel.",
            parameters: [
                ParameterSpec("kind", .choice(["ddr4", "hbm2"]), default: "ddr4", "Memory technology (for reports)"),
                ParameterSpec("channels", .integer(1...64), unit: .count, default: "1", "Independent channels; transfers are striped over them"),
                ParameterSpec("bandwidth_mb_per_s", .integer(1...1_000_000), unit: .count, "Per channel, in MB/s (10⁶ bytes/s)"),
                ParameterSpec("latency_ns", .integer(0...100_000), unit: .nanoseconds, "Request to first data, per transaction"),
                ParameterSpec("axi_width_bits", .choice(["32", "64", "128", "256", "512", "1024"]), default: "512", "AXI data width"),
                ParameterSpec("max_outstanding", .integer(1...1024), unit: .count, default: "8", "Transactions in flight per channel"),
                ParameterSpec("burst_bytes", .integer(64...1_048_576), unit: .bytes, default: "4096", "Largest transaction"),
            ],
            statistics: [
                StatisticSpec("bytes.<class>", .bytes, "Bytes moved per tensor class (weights, biases, params, activations_in, activations_out)"),
                StatisticSpec("transactions", .count, "Transactions served"),
            ])
    }

    /// On-chip buffers (KiB).
    public struct Buffers: Sendable, Equatable, Codable {
        public var ioKiB: Int
        public var weightKiB: Int
        public var intermediateKiB: Int
        public var parameterKiB: Int
        /// Which buffers are built from UltraRAM instead of block RAM.
        public var uram: URAMUse

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

        enum CodingKeys: String, CodingKey {
            case ioKiB = "io_kib"
            case weightKiB = "weight_kib"
            case intermediateKiB = "intermediate_kib"
            case parameterKiB = "parameter_kib"
            case uram = "uram_buffers"
        }

        public static let schema = ComponentSchema(
            name: "buffers",
            summary: "On-chip buffers; their capacities bound the sub-batch and the weight slots.",
            parameters: [
                ParameterSpec("io_kib", .integer(1...1_048_576), unit: .kibibytes, "Input/output activations"),
                ParameterSpec("weight_kib", .integer(1...1_048_576), unit: .kibibytes, "Weight tiles; slots = ⌊capacity ÷ largest tile⌋"),
                ParameterSpec("intermediate_kib", .integer(1...1_048_576), unit: .kibibytes, "Q, K, V, scores, FFN intermediate"),
                ParameterSpec("parameter_kib", .integer(1...1_048_576), unit: .kibibytes, "Scales, LayerNorm γ/β, softmax and GELU LUTs"),
                ParameterSpec("uram_buffers", .choice(URAMUse.allCases.map(\.rawValue)), default: "none",
                              "Which of the weight and intermediate buffers use UltraRAM (288 Kib blocks) instead of BRAM"),
            ],
            statistics: [])

        public init(_ p: ParameterValues) {
            self.init(ioKiB: p.int("io_kib"), weightKiB: p.int("weight_kib"), intermediateKiB: p.int("intermediate_kib"),
                      parameterKiB: p.int("parameter_kib"), uram: URAMUse(rawValue: p.string("uram_buffers"))!)
        }
    }
}

/// Which operands a GEMM multiplies (their widths come from the precision).
public enum MultiplyMode: String, Sendable, Codable {
    /// Activations × weights (projections, FFN): FQ-BERT's 8×4.
    case activationWeight = "activation_weight"
    /// Activations × activations (Q·Kᵀ): FQ-BERT's 8×8.
    case activationActivation = "activation_activation"
    /// Softmax probabilities × activations (attention × V).
    case probabilityActivation = "probability_activation"
}
