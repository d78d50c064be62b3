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

    enum CodingKeys: String, CodingKey {
        case rows, columns, dataflow
        case peBits = "pe_bits"
        case outputLatency = "output_latency_cycles"
    }

    public static let schema = ComponentSchema(
        name: "systolic_array",
        summary: "R × C MAC PEs; a tile of C output columns is computed in folds of 2R + C + T − 2 cycles (fill, stream, drain).",
        parameters: [
            ParameterSpec("rows", .integer(1...1024), unit: .count, "R: PE rows"),
            ParameterSpec("columns", .integer(1...1024), unit: .count, "C: PE columns (output columns per tile)"),
            ParameterSpec("dataflow", .choice(Dataflow.allCases.map(\.rawValue)), "output_stationary or weight_stationary"),
            ParameterSpec("pe_bits", .integer(4...32), unit: .bits, default: "8", "Operand width a PE multiplies per cycle"),
            ParameterSpec("output_latency_cycles", .integer(0...1000), unit: .cycles, default: "2",
                          "From the last output leaving the array to a usable result"),
        ],
        statistics: [
            StatisticSpec("tiles", .count, "GEMM tiles issued"),
            StatisticSpec("lane_utilization", .ratio, "MACs ÷ (busy cycles × R × C)"),
        ])

    public init(_ p: ParameterValues) {
        self.init(rows: p.int("rows"), columns: p.int("columns"), dataflow: Dataflow(rawValue: p.string("dataflow"))!,
                  peBits: p.int("pe_bits"), outputLatency: p.int("output_latency_cycles"))
    }

    /// One tile: `rows` activation rows × `width ≤ C` output columns, inner dimension `k`.
    ///
    /// ## Timing model
    /// A fold keeps R × C PEs busy with one block of work and takes `2R + C + T − 2` cycles:
    /// operands enter skewed, one row (column) per cycle, so PE (i, j) does its t-th MAC at
    /// cycle i + j + t; the last at (R−1) + (C−1) + (T−1); then R more cycles to drain (OS:
    /// shift the results out; WS: the last partial sums reach the bottom) — the cycle count of
    /// SCALE-Sim's analytical model. With `p = ⌈a/w⌉·⌈b/w⌉` cycles per MAC:
    /// - output-stationary: PE (i, j) owns output (row i, column j); a fold covers R rows and
    ///   streams `T = k·p`; the tile takes `⌈rows/R⌉` folds.
    /// - weight-stationary: PE (i, j) holds weight (k-index i, column j), loaded during the fold's
    ///   first R cycles; a fold covers R of the k dimension and streams all rows, `T = rows·p`;
    ///   the tile takes `⌈k/R⌉` folds (partial sums over folds add up in the output buffer).
    /// Folds do not overlap. Results are usable `output_latency` cycles after the last fold.
    func tile(rows rowCount: Int, k: Int, width: Int, aBits: Int, bBits: Int) -> TaskCost {
        let p = aBits.ceilDiv(peBits) * bBits.ceilDiv(peBits)
        let (folds, t): (Int, Int) = switch dataflow {
        case .outputStationary: (rowCount.ceilDiv(rows), k * p)
        case .weightStationary: (k.ceilDiv(rows), rowCount * p)
        }
        let issue = folds * (2 * rows + columns + t - 2)
        let macs = rowCount * k * width
        return TaskCost(issue: issue, latency: outputLatency, work: macs, usedSlots: macs * p,
                        laneSlots: issue * rows * columns)
    }
}
