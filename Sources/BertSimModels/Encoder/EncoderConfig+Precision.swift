import BertSimCore

extension EncoderConfig {
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
        /// output column, read by that column's quantization unit; docs/accuracy.md).
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

        /// Every parameter, declared once (``ParameterTable``).
        public static let parameters = ParameterTable<Precision>(
            "precision",
            summary: "Bit widths of weights, activations and biases (they set bytes moved and buffer footprints).",
            template: Precision(), [
                .integer("weight_bits", \.weightBits, 1...16, unit: .bits, default: .template, "Weight width"),
                .integer("activation_bits", \.activationBits, 1...16, unit: .bits, default: .template, "Activation width"),
                .integer("bias_bits", \.biasBits, 1...64, unit: .bits, default: .template, "Bias width"),
                .integer("scale_bits", \.scaleBits, 1...32, unit: .bits, default: .template, "Requantization scale width"),
                .integer("softmax_bits", \.softmaxBits, 1...16, unit: .bits, default: .template,
                         "Attention scores into the softmax and probabilities out (the 8×8 operands of attention × V)"),
                .integer("layernorm_parameter_bits", \.layerNormParameterBits, 1...32, unit: .bits, default: .template,
                         "LayerNorm γ and β"),
                .choice("weight_scales", \.weightScales, default: .template,
                        "One weight scale per matrix, or one per output channel (each quantization unit reads its column's scale)"),
            ])

        public static var schema: ComponentSchema { parameters.schema }

        public init(_ p: ParameterValues) throws(InputError) { self = try Self.parameters.read(p) }
        public func encode(to encoder: any Encoder) throws { try Self.parameters.encode(self, to: encoder) }
        public init(from decoder: any Decoder) throws { self = try Self.parameters.decode(from: decoder) }
    }
}
