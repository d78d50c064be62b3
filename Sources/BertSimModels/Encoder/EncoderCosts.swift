import BertSimCore

/// The closed-form cost of one task on one unit (docs/encoder-timing.md §2, §5): cycles of
/// issue, cycles from the end of issue to the result, and the work done.
public struct TaskCost: Sendable, Equatable {
    /// Cycles the unit's issue slot is occupied.
    public var issue: Int
    /// Cycles from the end of issue until the results are usable.
    public var latency: Int
    /// Operations (MACs or elements, on real and pad tokens).
    public var work: Int
    /// Lane-slots the work used (a product using q multipliers uses q), and lane-slots offered
    /// while issuing: lane utilization is their ratio.
    public var usedSlots: Int
    public var laneSlots: Int
    /// Bytes read from and written to on-chip buffers (for energy).
    public var bufferBytes: Int
    /// Issue cycles spent on control rather than data (the PE array's row overhead, §8); the
    /// task's data cycles are `issue − control`.
    public var control: Int

    /// The cost without buffer traffic: what a per-cycle reading of the unit gives.
    public var timing: TaskCost {
        TaskCost(issue: issue, latency: latency, work: work, usedSlots: usedSlots, laneSlots: laneSlots, control: control)
    }

    public init(issue: Int, latency: Int, work: Int, usedSlots: Int? = nil, laneSlots: Int, bufferBytes: Int = 0, control: Int = 0) {
        self.issue = issue
        self.latency = latency
        self.work = work
        self.usedSlots = usedSlots ?? work
        self.laneSlots = laneSlots
        self.bufferBytes = bufferBytes
        self.control = control
    }
}

extension EncoderConfig {
    /// One GEMM tile: `rows` activation rows against one column group of `width` columns
    /// with inner dimension `k`, on the design's array (its Timing model: ``ComputeArray``).
    /// Activation × weight multiplies activations by weights; activation × activation (Q·Kᵀ)
    /// multiplies activations; attention × V multiplies softmax outputs by activations.
    public func gemmTile(rows: Int, k: Int, width: Int, mode: MultiplyMode) -> TaskCost {
        let (a, b): (Int, Int) = switch mode {
        case .activationWeight: (precision.activationBits, precision.weightBits)
        case .activationActivation: (precision.activationBits, precision.activationBits)
        case .probabilityActivation: (precision.softmaxBits, precision.activationBits)
        }
        return array.tile(rows: rows, k: k, width: width, aBits: a, bBits: b)
    }

    /// A three-pass row pipeline (softmax or LayerNorm) over `rows` rows of `n` elements of
    /// `bits` bits, reading `inputs` operands per element (LayerNorm's residual add reads two)
    /// and writing one; a row stays in the unit across its passes.
    ///
    /// ## Timing model
    /// Each pass takes c = ⌈n / lanes⌉ cycles per row; rows enter every c cycles, so passes 1,
    /// 2, 3 of consecutive rows overlap. The middle latency (reciprocal, inverse square root)
    /// separates passes 2 and 3: `issue = rows × c`, results `2c + L_mid + L_out` after issue.
    public func rowPipeline(_ unit: SpecialUnit, rows: Int, n: Int, inputs: Int = 1, bits: Int = 8) -> TaskCost {
        let c = n.ceilDiv(unit.lanes)
        return TaskCost(issue: rows * c, latency: 2 * c + unit.middleLatency + unit.outputLatency,
                        work: rows * n, laneSlots: rows * c * unit.lanes,
                        bufferBytes: ((inputs + 1) * rows * n * bits).ceilDiv(8))
    }

    /// GELU over `elements` values through the LUT: `issue = ⌈elements / lanes⌉`, result after
    /// `L_out`.
    public func elementwise(_ unit: SpecialUnit, elements: Int) -> TaskCost {
        let issue = elements.ceilDiv(unit.lanes)
        return TaskCost(issue: issue, latency: unit.outputLatency, work: elements, laneSlots: issue * unit.lanes,
                        bufferBytes: (2 * elements * precision.activationBits).ceilDiv(8))
    }

    /// Cycles of a transaction's data phase: `max(⌈bytes / AXI width⌉, ⌈bytes × f / BW⌉)`.
    public func dataCycles(bytes: Int, clock: Clock) -> Int {
        let axi = bytes.ceilDiv(memory.axiWidthBytes)
        let bandwidth = (bytes * clock.kilohertz).ceilDiv(memory.bandwidthMBps * 1000)
        return max(axi, bandwidth)
    }

    /// Bytes of a weight tile: `k × width` weights and `width` biases.
    public func weightTileBytes(k: Int, width: Int) -> (weights: Int, biases: Int) {
        ((k * width * precision.weightBits).ceilDiv(8), (width * precision.biasBits).ceilDiv(8))
    }

    /// Bytes of a layer's parameters: LayerNorm γ and β for two LayerNorms and eight scales.
    public func parameterBytes(hidden: Int) -> Int {
        (4 * hidden * precision.layerNormParameterBits).ceilDiv(8) + (8 * precision.scaleBits).ceilDiv(8)
    }

    /// Bytes of `rows × cols` softmax scores or probabilities.
    public func scoreBytes(rows: Int, cols: Int) -> Int { (rows * cols * precision.softmaxBits).ceilDiv(8) }

    /// Bytes of `rows × cols` activations.
    public func activationBytes(rows: Int, cols: Int) -> Int { (rows * cols * precision.activationBits).ceilDiv(8) }
}
