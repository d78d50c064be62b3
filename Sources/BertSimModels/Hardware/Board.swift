import BertSimCore

/// An FPGA board: the device's resource budget, its static power, and its off-chip memory.
public struct Board: Sendable, Equatable, Codable {
    public var name: String
    public var device: String
    public var dsp: Int
    public var bram18k: Int
    public var uram: Int
    public var lut: Int
    public var ff: Int
    /// Static (leakage and always-on) power of the device and board, watts.
    public var staticPowerW: Double
    /// Relative price class, for choosing the cheapest board that meets a constraint: 1 (entry
    /// embedded) … 5 (data-center accelerator card). See `presets` for the basis.
    public var costTier: Int
    /// Where the numbers come from.
    public var source: String

    public init(name: String, device: String, dsp: Int, bram18k: Int, uram: Int, lut: Int, ff: Int, staticPowerW: Double,
                costTier: Int = 3, source: String) {
        self.costTier = costTier
        self.name = name
        self.device = device
        self.dsp = dsp
        self.bram18k = bram18k
        self.uram = uram
        self.lut = lut
        self.ff = ff
        self.staticPowerW = staticPowerW
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case name, device, dsp, bram18k, uram, lut, ff
        case staticPowerW = "static_power_w"
        case costTier = "cost_tier"
        case source
    }

    /// Cost tiers order the boards by their vendors' list prices as evaluation kits or cards:
    /// ZCU102 (about US$2.5k) 2, ZCU111 (about US$10k, an RFSoC kit) 4, U200 (about US$6–9k) 3,
    /// U280 (about US$7–9k, HBM) 4; tier 1 is kept for entry boards (ZCU104-class).
    ///
    /// Static power: a first-order figure for the programmable logic at a moderate junction
    /// temperature, in the range the vendor's power estimator gives for these devices; the
    /// board's DRAM, regulators and processors are not included. Override with
    /// `board.static_power_w` when a measurement is at hand.
    public static let presets: [Board] = [
        Board(name: "zcu102", device: "XCZU9EG", dsp: 2_520, bram18k: 1_824, uram: 0, lut: 274_080, ff: 548_160,
              staticPowerW: 0.9, costTier: 2,
              source: "FQ-BERT (DATE 2021) board totals; Zynq UltraScale+ ZU9EG has no UltraRAM"),
        Board(name: "zcu111", device: "XCZU28DR", dsp: 4_272, bram18k: 2_160, uram: 80, lut: 425_280, ff: 850_560,
              staticPowerW: 1.3, costTier: 4,
              source: "FQ-BERT (DATE 2021) board totals; 80 UltraRAM blocks per the Zynq UltraScale+ RFSoC ZU28DR product table"),
        Board(name: "u200", device: "XCVU9P", dsp: 6_833, bram18k: 3_792, uram: 960, lut: 1_047_139, ff: 2_186_064,
              staticPowerW: 3.5, costTier: 3,
              source: "Vitis resource-availability example for the U200 shell (user region): 1,047,139 LUT, 2,186,064 FF, 1,896 BRAM36, 6,833 DSP; 960 URAM of the XCVU9P (UltraScale+ product table; the shell's URAM use is not subtracted)"),
        Board(name: "u280", device: "XCU280", dsp: 9_024, bram18k: 4_032, uram: 960, lut: 1_303_680, ff: 2_607_360,
              staticPowerW: 4.0, costTier: 4,
              source: "Alveo U280 data sheet totals (9,024 DSP, 2,016 BRAM36, 960 URAM, 1,303,680 LUT, 2,607,360 FF); the shell's share is not subtracted"),
    ]

    public static func preset(_ name: String) -> Board? { presets.first { $0.name == name } }

    public static let schema = ComponentSchema(
        name: "board",
        summary: "The FPGA board: a preset name (\(presets.map(\.name).joined(separator: ", "))) or a mapping with the device's budgets.",
        parameters: [
            ParameterSpec("name", .text, "Board name"),
            ParameterSpec("device", .text, default: "custom", "FPGA device"),
            ParameterSpec("dsp", .integer(0...1_000_000), unit: .count, "DSP slices available"),
            ParameterSpec("bram18k", .integer(0...1_000_000), unit: .count, "18 Kib block RAMs available"),
            ParameterSpec("uram", .integer(0...100_000), unit: .count, default: "0", "288 Kib UltraRAMs available"),
            ParameterSpec("lut", .integer(0...100_000_000), unit: .count, "LUTs available"),
            ParameterSpec("ff", .integer(0...100_000_000), unit: .count, "Flip-flops available"),
            ParameterSpec("static_power_w", .decimal(0...1000), default: "1.0", "Static power, watts"),
            ParameterSpec("cost_tier", .integer(1...10), unit: .count, default: "3", "Relative price class (1 entry … 5 data center)"),
            ParameterSpec("source", .text, default: "", "Where the numbers come from"),
        ],
        statistics: [])

    public init(_ p: ParameterValues) {
        self.init(name: p.string("name"), device: p.string("device"), dsp: p.int("dsp"), bram18k: p.int("bram18k"),
                  uram: p.int("uram"), lut: p.int("lut"), ff: p.int("ff"), staticPowerW: p.double("static_power_w"),
                  costTier: p.int("cost_tier"), source: p.string("source"))
    }
}
