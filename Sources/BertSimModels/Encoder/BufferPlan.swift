import Foundation
import BertSimCore
import BertSimWorkload

/// What a job needs on chip, and the largest sub-batch that fits (docs/encoder-timing.md §6).
public struct BufferPlan: Sendable {
    public let model: ModelSpec
    public let config: EncoderConfig

    public init(model: ModelSpec, config: EncoderConfig) {
        self.model = model
        self.config = config
    }

    /// One buffer's need for a job and its capacity, in bytes.
    public struct Need: Sendable, Equatable {
        public var field: String
        public var bytes: Int
        public var capacity: Int
        public var what: String
        public var fits: Bool { bytes <= capacity }
    }

    public func needs(sequences b: Int, paddedLength lp: Int) -> [Need] {
        let rows = b * lp
        let h = model.hidden, f = model.ffn
        let act = { (r: Int, c: Int) in config.activationBytes(rows: r, cols: c) }
        let kib = 1024
        return [
            Need(field: "encoder.buffers.io_kib", bytes: 2 * act(rows, h), capacity: config.buffers.ioKiB * kib,
                 what: "two \(rows)×\(h) activation blocks (layer input and LayerNorm output)"),
            Need(field: "encoder.buffers.intermediate_kib",
                 bytes: max(4 * act(rows, h) + 2 * config.scoreBytes(rows: lp, cols: lp), act(rows, f)),
                 capacity: config.buffers.intermediateKiB * kib,
                 what: "Q, K, V, attention output and two \(lp)×\(lp) score blocks, or the \(rows)×\(f) FFN intermediate"),
        ]
    }

    /// Needs that do not depend on the job: the parameter buffer and one weight slot.
    public func fixedNeeds() -> [Need] {
        let kib = 1024
        return [
            Need(field: "encoder.buffers.parameter_kib", bytes: 2 * config.parameterBytes(hidden: model.hidden) + 512,
                 capacity: config.buffers.parameterKiB * kib, what: "two layers' parameters and the softmax and GELU LUTs"),
            Need(field: "encoder.buffers.weight_kib", bytes: JobPlan.slotBytes(model: model, config: config),
                 capacity: config.buffers.weightKiB * kib,
                 what: "one weight tile of \(max(model.hidden, model.ffn)) × \(config.array.lanes) weights and biases"),
        ]
    }

    /// Weight-buffer slots: ⌊capacity ÷ largest tile⌋.
    public var weightSlots: Int { config.buffers.weightKiB * 1024 / JobPlan.slotBytes(model: model, config: config) }

    /// Throws if a fixed need does not fit.
    public func checkFixed() throws(DesignError) {
        for n in fixedNeeds() where !n.fits { throw Self.error(n) }
    }

    /// The largest number of sequences of padded length `lp` that fits, up to `limit`;
    /// throws if not even one does.
    public func maxSequences(paddedLength lp: Int, limit: Int) throws(DesignError) -> Int {
        for n in needs(sequences: 1, paddedLength: lp) where !n.fits {
            throw DesignError(field: n.field, Self.message(n) + " for one sequence of \(lp) tokens")
        }
        var b = 1
        while b < limit && needs(sequences: b + 1, paddedLength: lp).allSatisfy(\.fits) { b += 1 }
        return b
    }

    static func error(_ n: Need) -> DesignError { DesignError(field: n.field, message(n)) }

    static func message(_ n: Need) -> String {
        "\(kib(n.capacity)) is too small: \(n.what) need \(kib(n.bytes))"
    }

    static func kib(_ bytes: Int) -> String {
        bytes % 1024 == 0 ? "\(bytes / 1024) KiB" : String(format: "%.1f KiB", Double(bytes) / 1024)
    }
}
