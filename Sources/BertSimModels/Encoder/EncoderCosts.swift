import BertSimCore

/// The closed-form cost of one task on one unit (docs/encoder-timing.md §2, §5): cycles of
/// issue, cycles from the end of issue to the result, and the work done.
public struct TaskCost: Sendable, Equatable {
    /// Cycles the unit's issue slot is occupied.
    public var issue: Int
    /// Cycles from the end of issue until the results are usable.
    public var latency: Int
    /// Useful operations (MACs or elements) and the lane-slots offered while issuing.
    public var work: Int
    public var laneSlots: Int

    public init(issue: Int, latency: Int, work: Int, laneSlots: Int) {
        self.issue = issue
        self.latency = latency
        self.work = work
        self.laneSlots = laneSlots
    }
}

extension EncoderConfig {
    /// One GEMM tile: `rows` activation rows against one column group of `width` columns
    /// with inner dimension `k`.
    ///
    /// ## Timing model
    /// Each of the `width ≤ P×N` PEs holds the `k` weights of one output column; the N PEs of
    /// a PU share each activation row. A row takes ⌈k/m⌉ cycles (m products per PE-cycle:
    /// M in 8×4 mode, M/2 in 8×8), rows follow back to back at initiation interval 1:
    /// `issue = rows × ⌈k/m⌉`; the last result leaves the multiplier, adder trees, shift-add,
    /// accumulator and quantization unit `L_pe` cycles later.
    public func gemmTile(rows: Int, k: Int, width: Int, mode: MultiplyMode) -> TaskCost {
        let m = peArray.macsPerCycle(mode)
        let issue = rows * k.ceilDiv(m)
        return TaskCost(issue: issue, latency: peArray.pipelineLatency, work: rows * k * width,
                        laneSlots: issue * peArray.lanes * m)
    }

    /// A three-pass row pipeline (softmax or LayerNorm) over `rows` rows of `n` elements.
    ///
    /// ## Timing model
    /// Each pass takes c = ⌈n / lanes⌉ cycles per row; rows enter every c cycles, so passes 1,
    /// 2, 3 of consecutive rows overlap. The middle latency (reciprocal, inverse square root)
    /// separates passes 2 and 3: `issue = rows × c`, results `2c + L_mid + L_out` after issue.
    public func rowPipeline(_ unit: SpecialUnit, rows: Int, n: Int) -> TaskCost {
        let c = n.ceilDiv(unit.lanes)
        return TaskCost(issue: rows * c, latency: 2 * c + unit.middleLatency + unit.outputLatency,
                        work: rows * n, laneSlots: rows * c * unit.lanes)
    }

    /// GELU over `elements` values through the LUT: `issue = ⌈elements / lanes⌉`, result after
    /// `L_out`.
    public func elementwise(_ unit: SpecialUnit, elements: Int) -> TaskCost {
        let issue = elements.ceilDiv(unit.lanes)
        return TaskCost(issue: issue, latency: unit.outputLatency, work: elements, laneSlots: issue * unit.lanes)
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

    /// Bytes of a layer's parameters: LayerNorm γ and β for two LayerNorms (8 bits) and eight
    /// 8-bit scales.
    public func parameterBytes(hidden: Int) -> Int { 4 * hidden + 8 }

    /// Bytes of `rows × cols` activations.
    public func activationBytes(rows: Int, cols: Int) -> Int { (rows * cols * precision.activationBits).ceilDiv(8) }
}
