import BertSimCore

/// A design's resources on its board: each resource used and available, and the per-unit
/// estimate behind it (docs/resources.md). The report's `resources` section.
public struct ResourceUsage: Codable, Sendable, Equatable {
    public struct Usage: Codable, Sendable, Equatable {
        public var used: Int
        public var available: Int
    }

    public var board: String
    public var device: String
    public var dsp: Usage
    public var bram18k: Usage
    public var uram: Usage
    public var lut: Usage
    public var ff: Usage
    public var byUnit: [ResourceEstimate.Part]

    enum CodingKeys: String, CodingKey {
        case board, device, dsp, bram18k, uram, lut, ff
        case byUnit = "by_unit"
    }

    public init(estimate: ResourceEstimate, board: Board) {
        self.board = board.name
        device = board.device
        dsp = Usage(used: estimate.dsp, available: board.dsp)
        bram18k = Usage(used: estimate.bram18k, available: board.bram18k)
        uram = Usage(used: estimate.uram, available: board.uram)
        lut = Usage(used: estimate.lut, available: board.lut)
        ff = Usage(used: estimate.ff, available: board.ff)
        byUnit = estimate.parts
    }

    /// The resources in report order, with their display names.
    public var rows: [(String, Usage)] { [("DSP", dsp), ("BRAM18K", bram18k), ("URAM", uram), ("LUT", lut), ("FF", ff)] }
}
