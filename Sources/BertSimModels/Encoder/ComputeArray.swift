import BertSimCore

/// The GEMM engine of the encoder: FQ-BERT's array of bit-split inner-product PEs, or a
/// systolic array. Either way a GEMM is cut into tiles of ``lanes`` output columns over all
/// rows (docs/encoder-timing.md §2.1), and each tile has a closed-form cost.
public enum ComputeArray: Sendable, Equatable {
    case bim(EncoderConfig.PEArray)
    case systolic(SystolicArray)

    /// Output columns one tile covers.
    public var lanes: Int {
        switch self {
        case .bim(let p): p.lanes
        case .systolic(let s): s.columns
        }
    }

    /// The cost of one tile: `rows` activation rows against `width ≤ lanes` columns with inner
    /// dimension `k`, where operands have `aBits` and `bBits` bits.
    public func tile(rows: Int, k: Int, width: Int, aBits: Int, bBits: Int) -> TaskCost {
        switch self {
        case .bim(let p): p.tile(rows: rows, k: k, width: width, aBits: aBits, bBits: bBits)
        case .systolic(let s): s.tile(rows: rows, k: k, width: width, aBits: aBits, bBits: bBits)
        }
    }

    /// Lane-slots offered per issue cycle: P·N·M multipliers, or R·C PEs.
    public var slotsPerCycle: Int {
        switch self {
        case .bim(let p): p.lanes * p.multipliersPerPE
        case .systolic(let s): s.rows * s.columns
        }
    }

    /// Multipliers (BIM) or PEs (systolic), for resources.
    public var multipliers: Int {
        switch self {
        case .bim(let p): p.lanes * p.multipliersPerPE
        case .systolic(let s): s.rows * s.columns
        }
    }
}

extension EncoderConfig.PEArray {
    /// 8×4 multipliers one product of `aBits × bBits` takes: ⌈aBits/8⌉ × ⌈bBits/4⌉ (an 8×8
    /// product pairs two; wider operands split further, as bit-split multiplication does).
    public static func multipliersPerProduct(aBits: Int, bBits: Int) -> Int { aBits.ceilDiv(8) * bBits.ceilDiv(4) }

    /// One tile on the BIM array.
    ///
    /// ## Timing model
    /// Each of the `width ≤ P×N` PEs holds the `k` weights of one output column; the N PEs of
    /// a PU share each activation row. A product takes `q = ⌈a/8⌉·⌈b/4⌉` of the PE's M 8×4
    /// multipliers, so a row's inner products take `c = ⌈k·q / M⌉` cycles (W4/A8: `⌈k/M⌉`;
    /// 8×8: `⌈k/(M/2)⌉`). A row then occupies the array for `t = max(c + r, ⌈N/Q⌉)` cycles
    /// (``rowCycles(chunks:)``): the row overhead `r` (the inner-product loop's fill and drain
    /// per output row) and the quantization unit's throughput (`Q` outputs per cycle per PU) are
    /// control, not data (and offer no lane-slots). Rows follow back to back: `issue = rows × t`,
    /// of which `rows × (t − c)` are control; the last result leaves the multiplier, adder trees,
    /// shift-add, accumulator and quantization unit `L_pe` cycles after the last row's last chunk,
    /// so `latency = max(0, L_pe − (t − c))` after the end of issue.
    func tile(rows: Int, k: Int, width: Int, aBits: Int, bBits: Int) -> TaskCost {
        let q = Self.multipliersPerProduct(aBits: aBits, bBits: bBits)
        let chunks = (k * q).ceilDiv(multipliersPerPE)
        let period = rowCycles(chunks: chunks)
        let issue = rows * period
        // Buffer traffic: each row's activations once (broadcast), every PE's k weights for
        // every row (the BIM keeps no weights between rows), the outputs once.
        let bytes = (rows * k * aBits + rows * k * width * bBits + rows * width * aBits).ceilDiv(8)
        return TaskCost(issue: issue, latency: max(0, pipelineLatency - (period - chunks)), work: rows * k * width,
                        usedSlots: rows * k * width * q, laneSlots: rows * chunks * lanes * multipliersPerPE, bufferBytes: bytes,
                        control: rows * (period - chunks))
    }
}
