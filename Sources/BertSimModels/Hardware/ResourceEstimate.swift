import BertSimCore

/// The FPGA resources a design needs, estimated from its config (docs/resources.md).
///
/// First-order formulas, per unit: DSP slices from the multipliers (packed by operand width),
/// block RAM and UltraRAM from each buffer's capacity and the width it must deliver per cycle,
/// LUTs and flip-flops from per-unit costs. They are estimates for comparing designs and
/// rejecting ones that cannot fit, not a synthesis result.
public struct ResourceEstimate: Sendable, Equatable, Codable {
    /// One unit's share.
    public struct Part: Sendable, Equatable, Codable {
        public var unit: String
        public var dsp = 0
        public var bram18k = 0
        public var uram = 0
        public var lut = 0
        public var ff = 0
    }

    public var parts: [Part]

    public var dsp: Int { parts.reduce(0) { $0 + $1.dsp } }
    public var bram18k: Int { parts.reduce(0) { $0 + $1.bram18k } }
    public var uram: Int { parts.reduce(0) { $0 + $1.uram } }
    public var lut: Int { parts.reduce(0) { $0 + $1.lut } }
    public var ff: Int { parts.reduce(0) { $0 + $1.ff } }

    /// The resources a config needs and the ones a board has, in order.
    public func usage(on board: Board) -> [(name: String, used: Int, available: Int)] {
        [("dsp", dsp, board.dsp), ("bram18k", bram18k, board.bram18k), ("uram", uram, board.uram),
         ("lut", lut, board.lut), ("ff", ff, board.ff)]
    }

    // MARK: Formulas

    /// Products of `a × b` bits one DSP48E2 (27 × 18 multiplier) computes per cycle: two when
    /// both operands fit 8 bits (the shared-operand INT8 packing of Xilinx WP486; 8×4 fits
    /// too), one up to 18 × 27 bits, else ⌈a/18⌉·⌈b/27⌉ DSPs for one product (as a fraction).
    public static func productsPerDSP(_ a: Int, _ b: Int) -> Double {
        let (hi, lo) = (max(a, b), min(a, b))
        if hi <= 8 { return 2 }
        if lo <= 18 && hi <= 27 { return 1 }
        return 1 / Double(lo.ceilDiv(18) * hi.ceilDiv(27))
    }

    /// 18 Kib block RAMs for one array of `bits` accessed `width` bits per cycle: the array is
    /// `width` bits wide and `⌈bits / width⌉` words deep, built of 512 × 36 blocks (the widest
    /// shape of a RAMB18E2 in simple dual-port mode) side by side and stacked:
    /// `⌈width / 36⌉ × ⌈depth / 512⌉` (as HLS maps an array partitioned to its port width).
    public static func bram18k(bits: Int, width: Int) -> Int {
        let w = max(1, width)
        return w.ceilDiv(36) * bits.ceilDiv(w).ceilDiv(512)
    }

    /// 288 Kib UltraRAMs for one array of `bits` accessed `width` bits per cycle: blocks of
    /// 4,096 × 72, `⌈width / 72⌉ × ⌈depth / 4096⌉`.
    public static func uram(bits: Int, width: Int) -> Int {
        let w = max(1, width)
        return w.ceilDiv(72) * bits.ceilDiv(w).ceilDiv(4096)
    }

    /// Per-unit LUT and flip-flop costs (documented in docs/resources.md).
    public enum Cost {
        /// An 8×4 multiplier in LUTs.
        public static let lutMultiplier = (lut: 24, ff: 12)
        /// A 32-bit accumulator in LUTs (an adder and its register), when the multipliers are.
        public static let lutAccumulator = (lut: 32, ff: 32)
        /// A BIM PE without multipliers: two M/2-input adder trees of 12-bit adders (M − 2 adders),
        /// shift-add, a double-buffered 32-bit accumulator, the quantization unit, control.
        public static func bimPE(multipliers m: Int) -> (lut: Int, ff: Int) { (12 * (m - 2) + 116, 24 * m + 80) }
        /// A systolic PE around a DSP MAC: operand forwarding registers and a 32-bit accumulator.
        public static func systolicPE(bits: Int) -> (lut: Int, ff: Int) { (30, 3 * bits + 32) }
        public static let softmaxLane = (lut: 120, ff: 160)
        public static let layerNormLane = (lut: 150, ff: 200)
        /// GELU: a 256 × 8-bit LUT (read-only, in LUTs) and a register per lane.
        public static let geluLane = (lut: 40, ff: 40)
        /// A sparse-attention estimator lane: a 256 × 8-bit multiply LUT (as LUT ROM) and its
        /// share of the score adder tree.
        public static let estimatorLane = (lut: 40, ff: 16)
        /// A selector comparator (16-bit score) with its insertion mux, and a kept entry
        /// (score and 10-bit index).
        public static let selectorComparator = (lut: 12, ff: 0)
        public static let selectorEntry = (lut: 0, ff: 26)
        /// One memory channel's AXI master, DMA datamover and request queues.
        public static let memoryChannel = (lut: 4_000, ff: 6_000)
        /// Addressing and arbitration of one buffer.
        public static let buffer = (lut: 200, ff: 150)
        /// The task sequencer, scoreboard and control.
        public static let control = (lut: 8_000, ff: 12_000)
    }

    /// Estimates a design's resources. `weightSlotBytes` is the largest weight tile of the
    /// model it runs (a slot of the weight buffer; ``JobPlan/slotBytes(model:config:)``); by
    /// default BERT-base's, the model the shipped designs are built for.
    public init(config: EncoderConfig, weightSlotBytes: Int? = nil) {
        let weightSlotBytes = weightSlotBytes ?? JobPlan.slotBytes(model: .bertBase, config: config)
        var parts: [Part] = []
        let p = config.precision
        // The array.
        var array = Part(unit: "array")
        let activationReadWidth: Int
        let weightReadWidth: Int
        switch config.array {
        case .bim(let pe):
            let multipliers = pe.lanes * pe.multipliersPerPE
            if pe.multipliersInDSP {
                // One 8×4 product per DSP48E2 as HLS maps a multiplication, or two packed (WP486);
                // every PE's 32-bit accumulator in a DSP48E2's post-adder.
                array.dsp += multipliers.ceilDiv(pe.multipliersPerDSP) + pe.lanes
            } else {
                array.lut += multipliers * Cost.lutMultiplier.lut + pe.lanes * Cost.lutAccumulator.lut
                array.ff += multipliers * Cost.lutMultiplier.ff + pe.lanes * Cost.lutAccumulator.ff
            }
            // Each PU's quantization unit: Q requantizers, each a 32-bit accumulator × scale
            // multiply (⌈32/27⌉·⌈scale/18⌉ DSP48E2, two for FQ-BERT's 8-bit scales).
            array.dsp += pe.processingUnits * pe.quantizerOutputsPerCycle * 32.ceilDiv(27) * p.scaleBits.ceilDiv(18)
            let c = Cost.bimPE(multipliers: pe.multipliersPerPE)
            array.lut += pe.lanes * c.lut
            array.ff += pe.lanes * c.ff
            activationReadWidth = pe.multipliersPerPE * 8                 // one row chunk, broadcast to every PE
            weightReadWidth = pe.lanes * pe.multipliersPerPE * 4          // every PE reads M 4-bit multiplier inputs
        case .systolic(let s):
            let pes = s.rows * s.columns
            array.dsp += Int((Double(pes) / Self.productsPerDSP(s.peBits, s.peBits)).rounded(.up)) + 2 * s.columns
            let c = Cost.systolicPE(bits: s.peBits)
            array.lut += pes * c.lut
            array.ff += pes * c.ff
            activationReadWidth = s.rows * p.activationBits               // one element per row enters each cycle
            weightReadWidth = s.columns * p.weightBits                    // one per column
        }
        parts.append(array)
        // Special-function units.
        parts.append(Part(unit: "softmax", dsp: config.softmax.lanes + 4, lut: config.softmax.lanes * Cost.softmaxLane.lut,
                          ff: config.softmax.lanes * Cost.softmaxLane.ff))
        parts.append(Part(unit: "layernorm", dsp: 2 * config.layerNorm.lanes + 4,
                          lut: config.layerNorm.lanes * Cost.layerNormLane.lut, ff: config.layerNorm.lanes * Cost.layerNormLane.ff))
        parts.append(Part(unit: "gelu", lut: config.gelu.lanes * Cost.geluLane.lut, ff: config.gelu.lanes * Cost.geluLane.ff))
        if let sparse = config.sparse {
            parts.append(Part(unit: "estimator", lut: sparse.lutLanes * Cost.estimatorLane.lut,
                              ff: sparse.lutLanes * Cost.estimatorLane.ff))
            // Sized for the largest k (at 512 keys): k comparators for each of the w scores a cycle.
            let k = sparse.keys.requested(for: 512)
            parts.append(Part(unit: "selector", lut: k * sparse.selectorWidth * Cost.selectorComparator.lut,
                              ff: k * Cost.selectorEntry.ff))
        }
        // Buffers.
        let b = config.buffers
        let axi = config.memory.axiWidthBytes * 8
        /// A buffer of `arrays` equal arrays of `bits` each, as wide as its widest port: the
        /// datapath's read width or the AXI width (the DMA writes a beat a cycle).
        func buffer(_ name: String, bits: Int, arrays: Int = 1, width: Int, uram: Bool) -> Part {
            var part = Part(unit: name, lut: Cost.buffer.lut, ff: Cost.buffer.ff)
            let w = max(width, axi)
            if uram {
                part.uram = arrays * Self.uram(bits: bits, width: w)
            } else {
                part.bram18k = arrays * Self.bram18k(bits: bits, width: w)
            }
            return part
        }
        parts.append(buffer("io_buffer", bits: b.ioKiB * 8192, width: activationReadWidth, uram: false))
        // The weight buffer is S ping-pong slots of the largest tile, each its own array (a
        // double buffer as HLS builds it); capacity beyond S slots is not built.
        let slotBits = weightSlotBytes * 8
        let slots = max(1, b.weightKiB * 1024 / max(1, weightSlotBytes))
        parts.append(buffer("weight_buffer", bits: slotBits, arrays: slots, width: weightReadWidth, uram: b.uram.weight))
        parts.append(buffer("intermediate_buffer", bits: b.intermediateKiB * 8192, width: activationReadWidth,
                            uram: b.uram.intermediate))
        parts.append(buffer("parameter_buffer", bits: b.parameterKiB * 8192, width: 64, uram: false))
        if p.weightScales == .perChannel { parts.append(Self.channelScales(config)) }
        // Memory interface and control.
        let channels = config.memory.channels
        parts.append(Part(unit: "memory_interface", lut: channels * Cost.memoryChannel.lut, ff: channels * Cost.memoryChannel.ff))
        parts.append(Part(unit: "control", lut: Cost.control.lut, ff: Cost.control.ff))
        self.parts = parts
    }

    /// Per-output-channel weight scales (`precision.weight_scales: per_channel`; docs/accuracy.md):
    /// every quantization unit (one per column lane: P × N on a BIM array, C on a systolic
    /// array) multiplies by its own column's scale, so at each tile it loads the next column's
    /// `scale_bits`-bit scale from the parameter buffer (all lanes in one cycle) into a
    /// double-buffered register. Charged: the registers (2 × lanes × scale_bits FF) and the block
    /// RAMs the parameter buffer needs beyond its own for that read width. The scales themselves
    /// live in the parameter buffer's configured capacity.
    static func channelScales(_ config: EncoderConfig) -> Part {
        let lanes = switch config.array {
        case .bim(let pe): pe.lanes
        case .systolic(let s): s.columns
        }
        let bits = config.buffers.parameterKiB * 1024 * 8
        let plain = max(64, config.memory.axiWidthBytes * 8)
        let width = max(plain, lanes * config.precision.scaleBits)
        let extra = bram18k(bits: bits, width: width) - bram18k(bits: bits, width: plain)
        return Part(unit: "weight_scales", bram18k: extra, ff: 2 * lanes * config.precision.scaleBits)
    }

    /// Throws a design error for the first resource that does not fit on `board`.
    public func check(on board: Board) throws(DesignError) {
        for r in usage(on: board) where r.used > r.available {
            throw DesignError(field: "board", "the design needs \(r.used) \(r.name.uppercased()) but the \(board.name) (\(board.device)) has \(r.available)")
        }
    }
}
