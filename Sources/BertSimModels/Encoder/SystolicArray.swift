import BertSimCore

/// A systolic array of R × C multiply-accumulate PEs, output- or weight-stationary, as an
/// alternative to the BIM array (docs/encoder-timing.md §2.1).
public struct SystolicArray: Sendable, Equatable, Codable {
    public enum Dataflow: String, Sendable, Codable, CaseIterable {
        case outputStationary = "output_stationary"
        case weightStationary = "weight_stationary"
    }

    public var rows: Int
    public var columns: Int
    public var dataflow: Dataflow
    /// Operand width one PE multiplies in a cycle; wider operands take
    /// `⌈a/w⌉·⌈b/w⌉` cycles per product.
    public var peBits: Int
    /// Cycles from the array's last output to a usable result (output registers, quantization).
    public var outputLatency: Int

    public init(rows: Int, columns: Int, dataflow: Dataflow, peBits: Int = 8, outputLatency: Int = 2) {
        self.rows = rows
        self.columns = columns
        self.dataflow = dataflow
        self.peBits = peBits
        self.outputLatency = outputLatency
    }

    /// Every parameter, declared once (``ParameterTable``).
    public static let parameters = ParameterTable<SystolicArray>(
        "systolic_array",
        summary: "R × C MAC PEs; a tile of C output columns is computed in folds: output-stationary 2R + C + T − 2 cycles, weight-stationary 2R + C + T − 1.",
        template: SystolicArray(rows: 1, columns: 1, dataflow: .outputStationary), [
            .integer("rows", \.rows, 1...1024, unit: .count, "R: PE rows"),
            .integer("columns", \.columns, 1...1024, unit: .count, "C: PE columns (output columns per tile)"),
            .choice("dataflow", \.dataflow, "output_stationary or weight_stationary"),
            .integer("pe_bits", \.peBits, 4...32, unit: .bits, default: .template, "Operand width a PE multiplies per cycle"),
            .integer("output_latency_cycles", \.outputLatency, 0...1000, unit: .cycles, default: .template,
                     "From the last output leaving the array to a usable result"),
        ],
        statistics: [
            StatisticSpec("tiles", .count, "GEMM tiles issued"),
            StatisticSpec("lane_utilization", .ratio, "PE-cycles of MACs (a MAC of wide operands is p of them) ÷ (busy cycles × R × C)"),
        ])

    public static var schema: ComponentSchema { parameters.schema }

    public init(_ p: ParameterValues) throws(InputError) { self = try Self.parameters.read(p) }
    public func encode(to encoder: any Encoder) throws { try Self.parameters.encode(self, to: encoder) }
    public init(from decoder: any Decoder) throws { self = try Self.parameters.decode(from: decoder) }

    /// One tile: `rows` activation rows × `width ≤ C` output columns, inner dimension `k`.
    ///
    /// ## Timing model
    /// Registers are written at the end of a cycle and read in the next; a value has left the
    /// array in the cycle the output port reads it from a bottom-row register. With
    /// `p = ⌈a/w⌉·⌈b/w⌉` cycles per MAC (operands of a and b bits on w-bit PEs):
    /// - output-stationary: PE (i, j) owns output (row i, column j) of a block of R rows; A
    ///   enters from the left and B from the top, skewed one cycle per row and column, so
    ///   PE (i, j) does its t-th MAC at cycle i + j + t, the last at (R−1) + (C−1) + (T−1) with
    ///   `T = k·p`; the accumulators then shift down and out in R cycles: a fold takes
    ///   `2R + C + T − 2` (SCALE-Sim's count); a tile takes `⌈rows/R⌉` folds.
    /// - weight-stationary: a fold holds weights for R k-indices × C columns, pushed in from the
    ///   top in R cycles; the inputs (all rows, `T = rows·p`) then enter skewed and the partial
    ///   sums flow down: the last MAC is at R + (R−1) + (C−1) + (T−1), and its partial sum is
    ///   read out of the bottom row one cycle later: a fold takes `2R + C + T − 1`; a tile takes
    ///   `⌈k/R⌉` folds, their partial sums added in the output buffer.
    /// Every fold is charged as a full R × C block (partial blocks pad with zeros, as SCALE-Sim
    /// does); folds and tiles do not overlap. Results are usable `output_latency` cycles after
    /// the last fold. A per-cycle, data-level reference of both dataflows checks these counts
    /// (BertSimTestSupport/SystolicReference).
    func tile(rows rowCount: Int, k: Int, width: Int, aBits: Int, bBits: Int) -> TaskCost {
        let p = aBits.ceilDiv(peBits) * bBits.ceilDiv(peBits)
        let (folds, fold): (Int, Int) = switch dataflow {
        case .outputStationary: (rowCount.ceilDiv(rows), 2 * rows + columns + k * p - 2)
        case .weightStationary: (k.ceilDiv(rows), 2 * rows + columns + rowCount * p - 1)
        }
        let issue = folds * fold
        let macs = rowCount * k * width
        // Buffer traffic. OS: each fold reads its rows of A and all of B's block; outputs once.
        // WS: the weights once, every row's inputs once (each fold its k-indices), and 32-bit
        // partial sums written every fold and read back from the second on.
        let bits: Int = switch dataflow {
        case .outputStationary: rowCount * k * aBits + folds * k * width * bBits + rowCount * width * aBits
        case .weightStationary: k * width * bBits + rowCount * k * aBits + (2 * folds - 1) * rowCount * width * 32
        }
        return TaskCost(issue: issue, latency: outputLatency, work: macs, usedSlots: macs * p,
                        laneSlots: issue * rows * columns, bufferBytes: bits.ceilDiv(8))
    }
}
