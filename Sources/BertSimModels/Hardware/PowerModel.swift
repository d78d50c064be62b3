import BertSimCore

/// Energy and power of a run: static power over the run, plus dynamic energy per operation
/// class and per byte moved on and off chip (docs/power.md).
///
/// The coefficients are first-order figures for a 16 nm FPGA, derived in docs/power.md from
/// Horowitz (ISSCC 2014: 45 nm, 8-bit multiply 0.2 pJ, 8 KiB SRAM 32-bit read 5 pJ), the
/// FPGA/ASIC dynamic-power gap of Kuon & Rose (IEEE TCAD 2007, about 7–14×), and DRAM energy
/// per bit of O'Connor et al. (MICRO 2017: HBM2 about 3.9 pJ/bit in the device, DDR4 with its
/// interface about 15–20 pJ/bit). Every one can be overridden in the config's `power:`.
public struct PowerModel: Sendable, Equatable, Codable {
    /// Static power, watts (from the board).
    public var staticW: Double
    /// One 8×4 multiplier-use of the BIM array, with its share of the adder trees (pJ).
    public var multiplierUsePJ: Double
    /// One MAC-cycle of a systolic PE at its width (pJ).
    public var systolicMACPJ: Double
    /// One element through a special-function unit, all passes (pJ).
    public var specialElementPJ: Double
    /// One byte read from or written to an on-chip buffer (pJ).
    public var bufferBytePJ: Double
    /// One byte to or from off-chip memory, with its interface (pJ).
    public var dramBytePJ: Double

    public init(staticW: Double, multiplierUsePJ: Double = 0.9, systolicMACPJ: Double = 1.8, specialElementPJ: Double = 3.0,
                bufferBytePJ: Double = 1.2, dramBytePJ: Double) {
        self.staticW = staticW
        self.multiplierUsePJ = multiplierUsePJ
        self.systolicMACPJ = systolicMACPJ
        self.specialElementPJ = specialElementPJ
        self.bufferBytePJ = bufferBytePJ
        self.dramBytePJ = dramBytePJ
    }

    enum CodingKeys: String, CodingKey {
        case staticW = "static_w"
        case multiplierUsePJ = "multiplier_use_pj"
        case systolicMACPJ = "systolic_mac_pj"
        case specialElementPJ = "special_element_pj"
        case bufferBytePJ = "buffer_byte_pj"
        case dramBytePJ = "dram_byte_pj"
    }

    /// DRAM energy per byte by memory kind: DDR4 20 pJ/bit, HBM2 7 pJ/bit (with interfaces).
    public static func dramBytePJ(kind: String) -> Double { kind == "hbm2" ? 56 : 160 }

    public static let schema = ComponentSchema(
        name: "power",
        summary: "Optional overrides of the energy coefficients (docs/power.md); static power comes from the board.",
        parameters: [
            ParameterSpec("multiplier_use_pj", .decimal(0...1e6), default: "0.9", "One 8×4 multiplier-use of the BIM array, pJ"),
            ParameterSpec("systolic_mac_pj", .decimal(0...1e6), default: "1.8", "One MAC-cycle of a systolic PE, pJ"),
            ParameterSpec("special_element_pj", .decimal(0...1e6), default: "3.0", "One element through softmax, LayerNorm or GELU, pJ"),
            ParameterSpec("buffer_byte_pj", .decimal(0...1e6), default: "1.2", "One on-chip buffer byte, pJ"),
            ParameterSpec("dram_byte_pj", .decimal(0...1e6), default: "", "One off-chip byte, pJ (default by memory kind: DDR4 160, HBM2 56)"),
        ],
        statistics: [])

    /// Energy of a run, by class, in millijoules.
    public struct Energy: Sendable, Equatable, Codable {
        public var staticMJ: Double
        public var arrayMJ: Double
        public var specialUnitsMJ: Double
        public var buffersMJ: Double
        public var offChipMJ: Double

        enum CodingKeys: String, CodingKey {
            case staticMJ = "static_mj"
            case arrayMJ = "array_mj"
            case specialUnitsMJ = "special_units_mj"
            case buffersMJ = "buffers_mj"
            case offChipMJ = "off_chip_mj"
        }

        public var totalMJ: Double { staticMJ + arrayMJ + specialUnitsMJ + buffersMJ + offChipMJ }
    }

    /// The energy of `activity` over `seconds` of run time.
    public func energy(_ activity: Activity, seconds: Double, systolic: Bool) -> Energy {
        let pj = 1e-9   // pJ → mJ
        return Energy(
            staticMJ: staticW * seconds * 1e3,
            arrayMJ: Double(activity.arraySlots) * (systolic ? systolicMACPJ : multiplierUsePJ) * pj,
            specialUnitsMJ: Double(activity.specialElements) * specialElementPJ * pj,
            buffersMJ: Double(activity.bufferBytes) * bufferBytePJ * pj,
            offChipMJ: Double(activity.offChipBytes) * dramBytePJ * pj)
    }

    /// What a run did that costs energy.
    public struct Activity: Sendable, Equatable, Codable {
        /// Multiplier-uses (BIM) or MAC-cycles (systolic).
        public var arraySlots: Int
        public var specialElements: Int
        /// On-chip buffer bytes: compute units' reads and writes, and transfers' writes.
        public var bufferBytes: Int
        public var offChipBytes: Int

        public init(arraySlots: Int, specialElements: Int, bufferBytes: Int, offChipBytes: Int) {
            self.arraySlots = arraySlots
            self.specialElements = specialElements
            self.bufferBytes = bufferBytes
            self.offChipBytes = offChipBytes
        }
    }
}
