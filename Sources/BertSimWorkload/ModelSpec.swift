/// The dimensions of a BERT-class encoder: what a trace's `model:` header names.
public struct ModelSpec: Hashable, Sendable, Codable {
    /// A preset name (`bert-base`) or `custom`.
    public var name: String
    public var layers: Int
    public var hidden: Int
    public var heads: Int
    public var headSize: Int
    public var ffn: Int
    public var maxPositions: Int

    public init(name: String, layers: Int, hidden: Int, heads: Int, headSize: Int, ffn: Int, maxPositions: Int) {
        self.name = name
        self.layers = layers
        self.hidden = hidden
        self.heads = heads
        self.headSize = headSize
        self.ffn = ffn
        self.maxPositions = maxPositions
    }

    enum CodingKeys: String, CodingKey {
        case name, layers, hidden, heads
        case headSize = "head_size"
        case ffn
        case maxPositions = "max_positions"
    }

    /// The presets, with dimensions from the models' papers (docs/trace-format.md).
    public static let presets: [ModelSpec] = [
        ModelSpec(name: "bert-base", layers: 12, hidden: 768, heads: 12, headSize: 64, ffn: 3072, maxPositions: 512),
        ModelSpec(name: "bert-large", layers: 24, hidden: 1024, heads: 16, headSize: 64, ffn: 4096, maxPositions: 512),
        ModelSpec(name: "distilbert", layers: 6, hidden: 768, heads: 12, headSize: 64, ffn: 3072, maxPositions: 512),
        ModelSpec(name: "tinybert-4", layers: 4, hidden: 312, heads: 12, headSize: 26, ffn: 1200, maxPositions: 512),
        ModelSpec(name: "minilm-l6", layers: 6, hidden: 384, heads: 12, headSize: 32, ffn: 1536, maxPositions: 512),
    ]

    public static func preset(_ name: String) -> ModelSpec? { presets.first { $0.name == name } }

    public static let bertBase = preset("bert-base")!

    /// The `model:` header value: the preset name, or `custom key=value …`.
    public var headerValue: String {
        if Self.preset(name) == self { return name }
        return "custom layers=\(layers) hidden=\(hidden) heads=\(heads) head_size=\(headSize) ffn=\(ffn) max_positions=\(maxPositions)"
    }

    /// Parses a `model:` header value. Throws a message (the caller adds file and line).
    public static func parse(_ text: String) throws(ModelSpecError) -> ModelSpec {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let first = words.first else { throw ModelSpecError("is empty") }
        if first != "custom" {
            guard words.count == 1, let preset = preset(String(first)) else {
                let names = presets.map(\.name).joined(separator: ", ")
                throw ModelSpecError("unknown model '\(text)' (presets: \(names); or 'custom layers=… hidden=… heads=… head_size=… ffn=… max_positions=…')")
            }
            return preset
        }
        var values: [String: Int] = [:]
        let keys = ["layers", "hidden", "heads", "head_size", "ffn", "max_positions"]
        for word in words.dropFirst() {
            let parts = word.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw ModelSpecError("'\(word)' is not key=value") }
            let key = String(parts[0])
            guard keys.contains(key) else { throw ModelSpecError("unknown model dimension '\(key)'") }
            guard values[key] == nil else { throw ModelSpecError("'\(key)' given twice") }
            guard let v = Int(parts[1]), v > 0, v <= 1 << 20 else {
                throw ModelSpecError("\(key) must be an integer in 1...\(1 << 20), not '\(parts[1])'")
            }
            values[key] = v
        }
        for key in keys where values[key] == nil { throw ModelSpecError("custom model lacks \(key)=") }
        let spec = ModelSpec(name: "custom", layers: values["layers"]!, hidden: values["hidden"]!, heads: values["heads"]!,
                             headSize: values["head_size"]!, ffn: values["ffn"]!, maxPositions: values["max_positions"]!)
        guard spec.heads * spec.headSize == spec.hidden else {
            throw ModelSpecError("hidden (\(spec.hidden)) must equal heads × head_size (\(spec.heads) × \(spec.headSize))")
        }
        return spec
    }
}

/// Why a `model:` value was rejected.
public struct ModelSpecError: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
