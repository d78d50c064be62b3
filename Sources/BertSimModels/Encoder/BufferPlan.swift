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
                 bytes: 4 * act(rows, h) + 2 * config.scoreBytes(rows: lp, cols: lp) + act(rows, f),
                 capacity: config.buffers.intermediateKiB * kib,
                 what: "Q, K, V, attention output, two \(lp)×\(lp) score blocks and the \(rows)×\(f) FFN intermediate (each its own array)"),
        ]
    }

    /// Bytes of the softmax and GELU LUTs (two 256-entry byte tables) in the parameter buffer.
    public static let lutBytes = 512

    /// Layers' parameter slots in the whole parameter buffer: ⌊(capacity − LUTs) ÷ a layer's
    /// parameters⌋ (§6).
    public var parameterPool: Int {
        max(0, config.buffers.parameterKiB * 1024 - Self.lutBytes) / config.parameterBytes(hidden: model.hidden)
    }

    /// The parameter slots this netlist uses: two (the next layer's parameters load while the
    /// current layer runs) when its share of the pool has two, else one (the next layer's load
    /// waits for the current layer's end, and is placed later in the read program, §4). A
    /// length-aware stage whose share is less than one slot time-shares one with other stages.
    public var parameterSlots: Int { min(2, max(1, parameterPool / max(1, config.buffers.parameterSharers))) }

    /// Needs that do not depend on the job: the parameter buffer and one weight slot.
    public func fixedNeeds() -> [Need] {
        let kib = 1024
        return [
            Need(field: "encoder.buffers.parameter_kib", bytes: config.parameterBytes(hidden: model.hidden) + Self.lutBytes,
                 capacity: config.buffers.parameterKiB * kib, what: "a layer's parameters and the softmax and GELU LUTs"),
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

    /// The largest number of sequences of padded length `lp` that fits, up to `limit`: one
    /// when not even one fits (it spills, §6). Throws only when a buffer cannot hold even
    /// the rows one token needs (``minimumNeeds``), naming it and the smallest size that works.
    public func maxSequences(paddedLength lp: Int, limit: Int) throws(DesignError) -> Int {
        for n in minimumNeeds(paddedLength: lp) where !n.fits {
            throw DesignError(field: n.field, "\(Self.kib(n.capacity)) is too small: \(n.what) need \(Self.kib(n.bytes)) "
                              + "(the smallest that works: \(Self.kib(n.bytes.ceilDiv(1024) * 1024)), spilling the rest to DRAM)")
        }
        var b = 1
        while b < limit && needs(sequences: b + 1, paddedLength: lp).allSatisfy(\.fits) { b += 1 }
        return b
    }

    /// What a buffer must hold however much spills (§6): the I/O buffer a token's row of the
    /// layer input and of the LayerNorm output; the intermediate buffer a token's rows of Q,
    /// K, V, attention output and FFN intermediate, and a row of each score block.
    public func minimumNeeds(paddedLength lp: Int) -> [Need] {
        let h = model.hidden, f = model.ffn
        let act = { (r: Int, c: Int) in config.activationBytes(rows: r, cols: c) }
        return [
            Need(field: "encoder.buffers.io_kib", bytes: 2 * act(1, h), capacity: config.buffers.ioKiB * 1024,
                 what: "a token's rows of the layer input and the LayerNorm output"),
            Need(field: "encoder.buffers.intermediate_kib",
                 bytes: 4 * act(1, h) + 2 * config.scoreBytes(rows: 1, cols: lp) + act(1, f),
                 capacity: config.buffers.intermediateKiB * 1024,
                 what: "a token's rows of Q, K, V, attention output, scores and FFN intermediate"),
        ]
    }

    /// Bytes of a job of `sequences` × `lp` that do not fit, per buffer: the I/O buffer's and
    /// the intermediate buffer's overflow (§6).
    public func overflow(sequences: Int, paddedLength lp: Int) -> (io: Int, intermediate: Int) {
        let n = needs(sequences: sequences, paddedLength: lp)
        return (max(0, n[0].bytes - n[0].capacity), max(0, n[1].bytes - n[1].capacity))
    }

    static func error(_ n: Need) -> DesignError { DesignError(field: n.field, message(n)) }

    static func message(_ n: Need) -> String {
        "\(kib(n.capacity)) is too small: \(n.what) need \(kib(n.bytes))"
    }

    static func kib(_ bytes: Int) -> String {
        bytes % 1024 == 0 ? "\(bytes / 1024) KiB" : String(format: "%.1f KiB", Double(bytes) / 1024)
    }
}
