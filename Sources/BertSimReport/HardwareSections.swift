import BertSimModels

/// The report's `resources` section: each resource used and available on the board, and the
/// per-unit estimate behind it (docs/resources.md).
public struct ResourcesSection: Codable, Sendable, Equatable {
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

    public var rows: [(String, Usage)] { [("DSP", dsp), ("BRAM18K", bram18k), ("URAM", uram), ("LUT", lut), ("FF", ff)] }
}

/// The report's `power` section (docs/power.md).
public struct PowerSection: Codable, Sendable, Equatable {
    public var staticW: Double
    public var averageW: Double
    public var energyPerInferenceMJ: Double
    public var inferencesPerSPerW: Double
    public var energy: PowerModel.Energy
    public var coefficients: PowerModel

    enum CodingKeys: String, CodingKey {
        case staticW = "static_w"
        case averageW = "average_w"
        case energyPerInferenceMJ = "energy_per_inference_mj"
        case inferencesPerSPerW = "inferences_per_s_per_w"
        case energy, coefficients
    }
}
