import BertSimCore
import BertSimModels
import BertSimWorkload

/// What a design computes, bit for bit, built FROM its ``EncoderConfig`` — the very fields the
/// timing model reads (docs/accuracy.md):
///
/// - `precision`: weight, activation, bias, scale, softmax and LayerNorm-parameter widths, and
///   `weight_scales` (per tensor or per output channel);
/// - `sparse_attention.top_k` / `top_k_fraction` through ``SparseAttention/Keys/k(for:)``, with
///   4-bit Q and K estimates (DAC 2022's x' = round(7/|M| · x));
/// - `pruning`: pattern, ratios, tiles, lanes and banks (``MagnitudePruner``), or its mask file.
///
/// Scales come from ``ActivationRanges`` on calibration sentences; the integer forward pass is
/// ``IntegerEncoder``.
public struct FunctionalDesign: Sendable {
    /// One encoder layer's parameters as the accelerator holds them.
    public struct Layer: Sendable {
        /// Q, K, V, attention output, FFN up, FFN down (``MatrixClass`` order).
        public var linears: [QuantizedLinear]
        /// Per column of Q and K: the quantization unit's second output, the 4-bit copies the
        /// sparse-attention estimator reads (empty with dense attention).
        public var queryEstimate: [Requantizer]
        public var keyEstimate: [Requantizer]
        /// Q·Kᵀ accumulators to the softmax's score format: s_s / (s_q · s_k · √D).
        public var scores: Requantizer
        /// Attention × V accumulators to the context's scale: s_c / (2^softmax_bits · s_v).
        public var context: Requantizer
        public var attentionNorm: LayerNormUnit
        public var outputNorm: LayerNormUnit

        public func linear(_ c: MatrixClass) -> QuantizedLinear { linears[c.rawValue] }
    }

    public let precision: EncoderConfig.Precision
    /// Top-k sparse attention's keys, or nil for dense attention.
    public let keys: SparseAttention.Keys?
    /// The model variant the design computes (`minilm-l6, w4a8, dense, dense`, …).
    public let variant: ModelVariant
    /// The FP32 weights with the design's masks applied (the host's embeddings come from here).
    public let weights: ModelWeights
    public let masks: [[SparseMask?]]
    public let ranges: ActivationRanges
    public let layers: [Layer]
    public let softmax: SoftmaxUnit
    public let gelu: GELUUnit
    /// The host quantizes the embedding LayerNorm's output with this scale, and dequantizes the
    /// last layer's output with `outputScale`.
    public let inputScale: Double
    public let outputScale: Double

    /// The bits of estimates (DAC 2022: 4-bit Q and K).
    public static let estimateBits = 4

    /// Builds the design of `config` for `weights`, calibrating on `calibration` sentences.
    /// Throws for widths the functional model cannot represent, naming the config field.
    public init(config: EncoderConfig, weights dense: ModelWeights, calibration: [[Int32]]) throws(DesignError) {
        let p = config.precision
        for (field, bits) in [("weight_bits", p.weightBits), ("activation_bits", p.activationBits), ("softmax_bits", p.softmaxBits),
                              ("layernorm_parameter_bits", p.layerNormParameterBits), ("bias_bits", p.biasBits)] where bits < 2 {
            throw DesignError(field: "encoder.precision.\(field)", "the functional model needs at least 2 bits for a signed symmetric value, not \(bits)")
        }
        precision = p
        keys = config.sparse?.keys
        variant = ModelVariant(model: dense.spec.name, config: config)
        var masks: [[SparseMask?]] = Array(repeating: Array(repeating: nil, count: MatrixClass.allCases.count), count: dense.layers.count)
        if let pruning = config.pruning {
            let lanes = switch config.array {
            case .bim(let pe): pe.lanes
            case .systolic(let s): s.columns
            }
            do {
                masks = try MagnitudePruner(pruning: pruning, arrayLanes: lanes).masks(dense)
            } catch {
                throw DesignError(field: "encoder.pruning.mask_file", error.description)
            }
        }
        self.masks = masks
        let weights = config.pruning == nil ? dense : dense.pruned(masks)
        self.weights = weights
        let ranges = ActivationRanges.calibrate(FloatEncoder(weights: weights), sentences: calibration)
        self.ranges = ranges

        let a = p.activationBits, spec = weights.spec
        func scale(_ maxAbs: Double, _ bits: Int = a) -> Double { FixedPoint.scale(maxAbs: maxAbs, bits: bits) }
        let scoreScale = scale(ranges.overLayers(.scores), p.softmaxBits)
        let upScale = scale(ranges.overLayers(.ffnUp)), geluScale = scale(ranges.overLayers(.gelu))
        softmax = SoftmaxUnit(bits: p.softmaxBits, scoreScale: scoreScale)
        gelu = GELUUnit(activationBits: a, inputScale: upScale, outputScale: geluScale)
        inputScale = scale(ranges[0, .input])
        var layers: [Layer] = []
        var inScale = inputScale
        for (l, w) in weights.layers.enumerated() {
            let s = { (point: ActivationPoint) in scale(ranges[l, point]) }
            let (sq, sk, sv, sc, so, s1, sd) = (s(.query), s(.key), s(.value), s(.context), s(.attentionOut), s(.attentionNorm), s(.ffnDown))
            let outScale = s(.outputNorm)
            func linear(_ c: MatrixClass, _ input: Double, _ output: Double) -> QuantizedLinear {
                let (rows, cols) = c.shape(spec)
                return QuantizedLinear(weights: w.matrix(c), biases: w.bias(c), outputs: rows, inputs: cols, weightBits: p.weightBits,
                                       biasBits: p.biasBits, scaleBits: p.scaleBits, perChannel: p.weightScales == .perChannel,
                                       inputScale: input, outputScale: output, outputBits: a)
            }
            let linears = [linear(.q, inScale, sq), linear(.k, inScale, sk), linear(.v, inScale, sv), linear(.out, sc, so),
                           linear(.ffnUp, s1, upScale), linear(.ffnDown, geluScale, sd)]
            var queryEstimate: [Requantizer] = [], keyEstimate: [Requantizer] = []
            if keys != nil {
                let q4 = scale(ranges[l, .query], Self.estimateBits), k4 = scale(ranges[l, .key], Self.estimateBits)
                queryEstimate = linears[0].weightScales.map { Requantizer(q4 / (inScale * $0), bits: p.scaleBits) }
                keyEstimate = linears[1].weightScales.map { Requantizer(k4 / (inScale * $0), bits: p.scaleBits) }
            }
            let probability = Double(Int64(1) << Int64(p.softmaxBits))
            layers.append(Layer(
                linears: linears, queryEstimate: queryEstimate, keyEstimate: keyEstimate,
                scores: Requantizer(scoreScale / (sq * sk * Double(spec.headSize).squareRoot()), bits: p.scaleBits),
                context: Requantizer(sc / (probability * sv), bits: p.scaleBits),
                attentionNorm: LayerNormUnit(gamma: w.attentionNormGamma, beta: w.attentionNormBeta, residualScale: inScale, sublayerScale: so,
                                             outputScale: s1, activationBits: a, scaleBits: p.scaleBits,
                                             parameterBits: p.layerNormParameterBits),
                outputNorm: LayerNormUnit(gamma: w.outputNormGamma, beta: w.outputNormBeta, residualScale: s1, sublayerScale: sd,
                                          outputScale: outScale, activationBits: a, scaleBits: p.scaleBits,
                                          parameterBits: p.layerNormParameterBits)))
            inScale = outScale
        }
        self.layers = layers
        outputScale = inScale
    }
}
