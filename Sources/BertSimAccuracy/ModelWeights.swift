import BertSimCore
import BertSimModels
import BertSimWorkload
import Foundation

/// The FP32 weights of a BERT encoder with its embeddings, read from a safetensors file in
/// Hugging Face's `BertModel` naming (`embeddings.*`, `encoder.layer.<i>.*`).
///
/// Matrices keep PyTorch's `[out, in]` layout, row-major: a row is one output feature (one
/// column of the accelerator's GEMM), its `in` weights contiguous.
public struct ModelWeights: Sendable {
    /// One encoder layer.
    public struct Layer: Sendable {
        /// Q, K, V, attention output, FFN up, FFN down: `[out, in]`, in ``MatrixClass`` order.
        public var matrices: [[Float]]
        /// Their biases (`out` values each), same order.
        public var biases: [[Float]]
        public var attentionNormGamma: [Float]
        public var attentionNormBeta: [Float]
        public var outputNormGamma: [Float]
        public var outputNormBeta: [Float]

        public init(matrices: [[Float]], biases: [[Float]], attentionNormGamma: [Float], attentionNormBeta: [Float],
                    outputNormGamma: [Float], outputNormBeta: [Float]) {
            self.matrices = matrices
            self.biases = biases
            self.attentionNormGamma = attentionNormGamma
            self.attentionNormBeta = attentionNormBeta
            self.outputNormGamma = outputNormGamma
            self.outputNormBeta = outputNormBeta
        }

        public func matrix(_ c: MatrixClass) -> [Float] { matrices[c.rawValue] }
        public func bias(_ c: MatrixClass) -> [Float] { biases[c.rawValue] }
    }

    /// The model's dimensions (a workload preset when they match one: `minilm-l6`).
    public var spec: ModelSpec
    public var vocabularySize: Int
    public var layerNormEpsilon: Float
    /// `[vocabulary, hidden]`, `[max positions, hidden]`, `[2, hidden]`.
    public var wordEmbeddings: [Float]
    public var positionEmbeddings: [Float]
    public var tokenTypeEmbeddings: [Float]
    public var embeddingNormGamma: [Float]
    public var embeddingNormBeta: [Float]
    public var layers: [Layer]

    /// A model from its parts.
    public init(spec: ModelSpec, vocabularySize: Int, layerNormEpsilon: Float, wordEmbeddings: [Float], positionEmbeddings: [Float],
                tokenTypeEmbeddings: [Float], embeddingNormGamma: [Float], embeddingNormBeta: [Float], layers: [Layer]) {
        self.spec = spec
        self.vocabularySize = vocabularySize
        self.layerNormEpsilon = layerNormEpsilon
        self.wordEmbeddings = wordEmbeddings
        self.positionEmbeddings = positionEmbeddings
        self.tokenTypeEmbeddings = tokenTypeEmbeddings
        self.embeddingNormGamma = embeddingNormGamma
        self.embeddingNormBeta = embeddingNormBeta
        self.layers = layers
    }

    /// Reads `config.json` and `model.safetensors` from a model directory.
    public init(directory: ModelDirectory) throws(InputError) {
        try directory.check()
        let config = try Self.readConfig(directory.configJSON)
        let file = try SafeTensors(path: directory.weights)
        try self.init(file: file, config: config)
    }

    /// The dimensions a `config.json` gives (BERT keys).
    public struct Config: Sendable, Equatable {
        public var layers, hidden, heads, ffn, maxPositions, vocabularySize: Int
        public var layerNormEpsilon: Double
    }

    static func readConfig(_ path: String) throws(InputError) -> Config {
        guard let data = FileManager.default.contents(atPath: path),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw InputError(file: path, "cannot be read as a JSON object")
        }
        func int(_ key: String) throws(InputError) -> Int {
            guard let v = (object[key] as? NSNumber)?.intValue, v > 0 else { throw InputError(file: path, field: key, "missing or not a positive integer") }
            return v
        }
        if let act = object["hidden_act"] as? String, act != "gelu" {
            throw InputError(file: path, field: "hidden_act", "'\(act)': only the erf GELU of BERT is modelled")
        }
        return Config(layers: try int("num_hidden_layers"), hidden: try int("hidden_size"), heads: try int("num_attention_heads"),
                      ffn: try int("intermediate_size"), maxPositions: try int("max_position_embeddings"),
                      vocabularySize: try int("vocab_size"),
                      layerNormEpsilon: (object["layer_norm_eps"] as? NSNumber)?.doubleValue ?? 1e-12)
    }

    public init(file: SafeTensors, config c: Config) throws(InputError) {
        guard c.hidden % c.heads == 0 else {
            throw InputError(file: file.path, field: "hidden_size", "\(c.hidden) is not a multiple of \(c.heads) heads")
        }
        var spec = ModelSpec(name: "custom", layers: c.layers, hidden: c.hidden, heads: c.heads, headSize: c.hidden / c.heads,
                             ffn: c.ffn, maxPositions: c.maxPositions)
        if let preset = ModelSpec.presets.first(where: { var p = $0; p.name = "custom"; return p == spec }) { spec = preset }
        self.spec = spec
        vocabularySize = c.vocabularySize
        layerNormEpsilon = Float(c.layerNormEpsilon)
        let h = c.hidden
        wordEmbeddings = try file.floats("embeddings.word_embeddings.weight", shape: [c.vocabularySize, h])
        positionEmbeddings = try file.floats("embeddings.position_embeddings.weight", shape: [c.maxPositions, h])
        tokenTypeEmbeddings = try file.floats("embeddings.token_type_embeddings.weight", shape: [2, h])
        embeddingNormGamma = try file.floats("embeddings.LayerNorm.weight", shape: [h])
        embeddingNormBeta = try file.floats("embeddings.LayerNorm.bias", shape: [h])
        var layers: [Layer] = []
        for i in 0..<c.layers {
            let p = "encoder.layer.\(i)."
            let names = ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                         "intermediate.dense", "output.dense"]
            var matrices: [[Float]] = []
            var biases: [[Float]] = []
            for (name, m) in zip(names, MatrixClass.allCases) {
                let (rows, cols) = m.shape(spec)
                matrices.append(try file.floats(p + name + ".weight", shape: [rows, cols]))
                biases.append(try file.floats(p + name + ".bias", shape: [rows]))
            }
            layers.append(Layer(matrices: matrices, biases: biases,
                                attentionNormGamma: try file.floats(p + "attention.output.LayerNorm.weight", shape: [h]),
                                attentionNormBeta: try file.floats(p + "attention.output.LayerNorm.bias", shape: [h]),
                                outputNormGamma: try file.floats(p + "output.LayerNorm.weight", shape: [h]),
                                outputNormBeta: try file.floats(p + "output.LayerNorm.bias", shape: [h])))
        }
        self.layers = layers
    }

    /// The same weights with `masks` applied (pruned weights set to zero): `masks[layer][class]`.
    public func pruned(_ masks: [[SparseMask?]]) -> ModelWeights {
        var copy = self
        for (l, layerMasks) in masks.enumerated() {
            for (c, mask) in layerMasks.enumerated() {
                guard let mask else { continue }
                var dense = [Float](repeating: 0, count: mask.rows * mask.cols)
                let w = layers[l].matrices[c]
                for r in 0..<mask.rows {
                    for col in mask.row(r) { dense[r * mask.cols + Int(col)] = w[r * mask.cols + Int(col)] }
                }
                copy.layers[l].matrices[c] = dense
            }
        }
        return copy
    }
}
