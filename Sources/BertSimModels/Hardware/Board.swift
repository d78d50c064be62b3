import BertSimCore

/// An FPGA board: the device's resource budget, the power figures of the device and the board
/// (docs/power.md), and a price class.
public struct Board: Sendable, Equatable {
    public var name: String
    public var device: String
    public var dsp: Int
    public var bram18k: Int
    public var uram: Int
    public var lut: Int
    public var ff: Int
    /// Static power of the programmable logic (the whole device on a card without a processing
    /// system), watts, at the junction temperature of a board in use (docs/power.md).
    public var staticPowerW: Double
    /// Zynq processing system, watts: its static power and always-on domains (interconnect,
    /// PLLs, on-chip memory, peripherals).
    public var psBaseW: Double
    /// Zynq processing system, watts: the application processor running the host's part of an
    /// inference (embedding, task head, driving the accelerator).
    public var psAPUW: Double
    /// Zynq processing system, watts: the PS DDR controller and PHY, and the host memory's DRAM
    /// in the background.
    public var psDDRW: Double
    /// Board power counted in the measurement besides the device and its memory (an Alveo
    /// card's shell and housekeeping), watts.
    public var baselineW: Double
    /// Efficiency of the regulators between the measurement point and the rails (1: the
    /// measurement is at the rails).
    public var regulatorEfficiency: Double
    /// Background power of one memory channel's DRAM when the board's memory differs from the
    /// memory kind's default (for instance registered DIMMs), watts; nil: the kind's default.
    public var dramBackgroundW: Double?
    /// Relative price class, for choosing the cheapest board that meets a constraint: 1 (entry
    /// embedded) … 5 (data-center accelerator card). See `presets` for the basis.
    public var costTier: Int
    /// Where the numbers come from.
    public var source: String

    public init(name: String, device: String, dsp: Int, bram18k: Int, uram: Int, lut: Int, ff: Int, staticPowerW: Double,
                psBaseW: Double = 0, psAPUW: Double = 0, psDDRW: Double = 0, baselineW: Double = 0, regulatorEfficiency: Double = 1,
                dramBackgroundW: Double? = nil, costTier: Int = 3, source: String) {
        self.costTier = costTier
        self.name = name
        self.device = device
        self.dsp = dsp
        self.bram18k = bram18k
        self.uram = uram
        self.lut = lut
        self.ff = ff
        self.staticPowerW = staticPowerW
        self.psBaseW = psBaseW
        self.psAPUW = psAPUW
        self.psDDRW = psDDRW
        self.baselineW = baselineW
        self.regulatorEfficiency = regulatorEfficiency
        self.dramBackgroundW = dramBackgroundW
        self.source = source
    }

    /// The processing system's power, watts (zero on a board without one).
    public var processingSystemW: Double { psBaseW + psAPUW + psDDRW }

    /// Cost tiers order the boards by their vendors' list prices as evaluation kits or cards:
    /// ZCU102 (about US$2.5k) 2, ZCU111 (about US$10k, an RFSoC kit) 4, U200 (about US$6–9k) 3,
    /// U280 (about US$7–9k, HBM) 4; tier 1 is kept for entry boards (ZCU104-class).
    ///
    /// Power (docs/power.md, where each figure's basis and range are given): on the Zynq kits
    /// the measurement is taken as the device's and the DRAM's rails (no board baseline, no
    /// regulator losses); the ZU9EG and ZU28DR have the same processing system (four Cortex-A53,
    /// a 64-bit PS DDR4 with a SODIMM). On the Alveo cards it is the card at its inputs: the
    /// shell and housekeeping as a baseline, 90% efficient regulators; the U200's memory is four
    /// registered DIMMs. Static power: the vendor estimator's range for each device at a junction
    /// temperature of about 50–60 °C, typical silicon. Every figure can be overridden with a
    /// `board:` mapping that starts from the preset (`preset: zcu102`).
    public static let presets: [Board] = [
        Board(name: "zcu102", device: "XCZU9EG", dsp: 2_520, bram18k: 1_824, uram: 0, lut: 274_080, ff: 548_160,
              staticPowerW: 0.9, psBaseW: 0.7, psAPUW: 0.6, psDDRW: 1.1, costTier: 2,
              source: "FQ-BERT (DATE 2021) board totals; Zynq UltraScale+ ZU9EG has no UltraRAM; power figures docs/power.md"),
        Board(name: "zcu111", device: "XCZU28DR", dsp: 4_272, bram18k: 2_160, uram: 80, lut: 425_280, ff: 850_560,
              staticPowerW: 1.3, psBaseW: 0.7, psAPUW: 0.6, psDDRW: 1.1, costTier: 4,
              source: "FQ-BERT (DATE 2021) board totals; 80 UltraRAM blocks per the Zynq UltraScale+ RFSoC ZU28DR product table; power figures docs/power.md"),
        Board(name: "u200", device: "XCVU9P", dsp: 6_833, bram18k: 3_792, uram: 960, lut: 1_047_139, ff: 2_186_064,
              staticPowerW: 3.5, baselineW: 8, regulatorEfficiency: 0.9, dramBackgroundW: 1.2, costTier: 3,
              source: "Vitis resource-availability example for the U200 shell (user region): 1,047,139 LUT, 2,186,064 FF, 1,896 BRAM36, 6,833 DSP; 960 URAM of the XCVU9P (UltraScale+ product table; the shell's URAM use is not subtracted); power figures docs/power.md"),
        Board(name: "u280", device: "XCU280", dsp: 9_024, bram18k: 4_032, uram: 960, lut: 1_303_680, ff: 2_607_360,
              staticPowerW: 4.0, baselineW: 8, regulatorEfficiency: 0.9, costTier: 4,
              source: "Alveo U280 data sheet totals (9,024 DSP, 2,016 BRAM36, 960 URAM, 1,303,680 LUT, 2,607,360 FF); the shell's share is not subtracted; power figures docs/power.md"),
    ]

    public static func preset(_ name: String) -> Board? { presets.first { $0.name == name } }

    /// A board mapping without a preset: the budgets must be given, the power figures default
    /// to a device without a processing system measured at its rails.
    static let custom = Board(name: "", device: "custom", dsp: 0, bram18k: 0, uram: 0, lut: 0, ff: 0, staticPowerW: 1.0, source: "")

    /// The `board:` mapping's parameters, each declared once; with a preset, every parameter
    /// defaults to the preset's value.
    public static func parameters(preset: Board?) -> ParameterTable<Board> {
        let budget: ParameterDefault = preset == nil ? .required : .template
        return ParameterTable<Board>(
            "board",
            summary: "The FPGA board: a preset name (\(presets.map(\.name).joined(separator: ", "))) or a mapping with the device's budgets "
                + "and power figures; a mapping with `preset:` starts from that preset's values (docs/power.md).",
            template: preset ?? custom, [
                .readOnly("preset", .choice(presets.map(\.name)), .optional,
                          "Start from this preset: every other key defaults to its value"),
                .text("name", \.name, default: budget, "Board name"),
                .text("device", \.device, default: .template, "FPGA device"),
                .integer("dsp", \.dsp, 0...1_000_000, unit: .count, default: budget, "DSP slices available"),
                .integer("bram18k", \.bram18k, 0...1_000_000, unit: .count, default: budget, "18 Kib block RAMs available"),
                .integer("uram", \.uram, 0...100_000, unit: .count, default: .template, "288 Kib UltraRAMs available"),
                .integer("lut", \.lut, 0...100_000_000, unit: .count, default: budget, "LUTs available"),
                .integer("ff", \.ff, 0...100_000_000, unit: .count, default: budget, "Flip-flops available"),
                .decimal("static_power_w", \.staticPowerW, 0...1000, unit: .watts, default: .template,
                         "Static power of the programmable logic (of the whole device without a processing system)"),
                .decimal("ps_base_w", \.psBaseW, 0...100, unit: .watts, default: .template,
                         "Zynq processing system: static power and always-on domains (0 without one)"),
                .decimal("ps_apu_w", \.psAPUW, 0...100, unit: .watts, default: .template,
                         "Zynq processing system: the Cortex-A53 cluster running the host's part of an inference"),
                .decimal("ps_ddr_w", \.psDDRW, 0...100, unit: .watts, default: .template,
                         "Zynq processing system: the PS DDR controller and PHY, and the host DRAM's background"),
                .decimal("baseline_w", \.baselineW, 0...1000, unit: .watts, default: .template,
                         "Board power in the measurement besides the device and its memory (an Alveo card's shell and housekeeping)"),
                .decimal("regulator_efficiency", \.regulatorEfficiency, 0.1...1, unit: .ratio, default: .template,
                         "Regulator efficiency from the measurement point to the rails (1: measured at the rails)"),
                Parameter("dram_background_w", .decimal(0...100), unit: .watts, .optional,
                          "Background power of one memory channel's DRAM on this board; default: the memory kind's (power.dram_background_w)",
                          read: { (b: inout Board, v: ParameterValues, _: ParameterContext) throws(InputError) in
                              b.dramBackgroundW = v.double("dram_background_w")
                          },
                          encode: { b, c in try c.encodeIfPresent(b.dramBackgroundW, forKey: ParameterKey("dram_background_w")) },
                          decode: { b, c in b.dramBackgroundW = try c.decodeIfPresent(Double.self, forKey: ParameterKey("dram_background_w")) }),
                .integer("cost_tier", \.costTier, 1...10, unit: .count, default: .template, "Relative price class (1 entry … 5 data center)"),
                .text("source", \.source, default: .template, "Where the numbers come from"),
            ])
    }

    /// The parameters of a mapping without a preset (the schema `bertsim describe` prints).
    public static let parameters = parameters(preset: nil)

    public static var schema: ComponentSchema { parameters.schema }

    /// The board's power figures as the power report shows them.
    public struct PowerFigures: Sendable, Equatable, Codable {
        public var staticPowerW: Double
        public var psBaseW: Double
        public var psAPUW: Double
        public var psDDRW: Double
        public var baselineW: Double
        public var regulatorEfficiency: Double

        enum CodingKeys: String, CodingKey {
            case staticPowerW = "static_power_w"
            case psBaseW = "ps_base_w"
            case psAPUW = "ps_apu_w"
            case psDDRW = "ps_ddr_w"
            case baselineW = "baseline_w"
            case regulatorEfficiency = "regulator_efficiency"
        }
    }

    /// The board's power figures, for the report.
    public var powerFigures: PowerFigures {
        PowerFigures(staticPowerW: staticPowerW, psBaseW: psBaseW, psAPUW: psAPUW, psDDRW: psDDRW, baselineW: baselineW,
                     regulatorEfficiency: regulatorEfficiency)
    }
}

/// The resolved board as reports carry it (`config.resolved.board`).
extension Board: Codable {
    public func encode(to encoder: any Encoder) throws { try Self.parameters.encode(self, to: encoder) }
    public init(from decoder: any Decoder) throws { self = try Self.parameters.decode(from: decoder) }
}
