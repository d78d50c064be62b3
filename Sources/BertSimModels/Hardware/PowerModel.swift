import BertSimCore

/// The coefficients of the power model (docs/power.md), in the style of the FPGA vendors'
/// early power estimators (Xilinx Power Estimator, UG440): dynamic power per resource per MHz
/// at a unit's activity, clock-tree power per MHz by clocked resource, and the memory
/// interface and DRAM per channel by memory kind. The device's and board's figures (static
/// power, processing system, board baseline, regulator efficiency) are the ``Board``'s.
///
/// The UltraScale+ per-resource and clock coefficients are first-order priors from switched
/// capacitance and energy per access (docs/power.md, "Coefficients") scaled by one factor,
/// 1.69, fitted to FQ-BERT's measured 9.8 W (Liu, Li, Cheng, DATE 2021, Table III); the memory
/// figures come from DDR4 data-sheet currents and HBM2 energy per bit. Every one can be
/// overridden in the config's `power:` section.
public struct PowerModel: Sendable, Equatable {
    /// Dynamic power of one DSP48E2 at activity 1 (busy every cycle), µW per MHz.
    public var dspUWPerMHz: Double
    /// Dynamic power of one 18 Kib block RAM with both ports enabled every cycle, µW per MHz.
    public var bram18kUWPerMHz: Double
    /// Dynamic power of one UltraRAM with both ports enabled every cycle, µW per MHz.
    public var uramUWPerMHz: Double
    /// Dynamic power of one LUT with its output net at activity 1, µW per MHz.
    public var lutUWPerMHz: Double
    /// Dynamic power of one flip-flop with its output net at activity 1, µW per MHz.
    public var ffUWPerMHz: Double
    /// The clock network itself (global buffers, spines and row buffers), mW per MHz.
    public var clockNetworkMWPerMHz: Double
    /// Clock load of one flip-flop (leaf wiring and clock pin), µW per MHz.
    public var clockFFUWPerMHz: Double
    /// Clock load of one DSP48E2 (its pipeline registers), µW per MHz.
    public var clockDSPUWPerMHz: Double
    /// Clock load of one 18 Kib block RAM, µW per MHz.
    public var clockBRAM18kUWPerMHz: Double
    /// Clock load of one UltraRAM, µW per MHz.
    public var clockURAMUWPerMHz: Double
    /// One memory channel's controller and PHY when idle (clocking, calibration, I/O bias and
    /// termination), watts.
    public var memoryInterfaceW: Double
    /// What one channel's controller and PHY add when data moves every cycle, watts (scaled by
    /// the channel's data-phase share).
    public var memoryInterfaceActiveW: Double
    /// One channel's DRAM devices in the background (standby, refresh), watts.
    public var dramBackgroundW: Double
    /// One byte read from or written to the DRAM devices (core, activations, their I/O), pJ.
    public var dramBytePJ: Double

    /// The defaults for memory kind `memoryKind` (`ddr4`, `hbm2`) on `board` (its DRAM
    /// background when it sets one).
    public init(memoryKind: String = "ddr4", board: Board? = nil) {
        dspUWPerMHz = 6.8
        bram18kUWPerMHz = 13.5
        uramUWPerMHz = 34
        lutUWPerMHz = 0.17
        ffUWPerMHz = 0.085
        clockNetworkMWPerMHz = 1.7
        clockFFUWPerMHz = 0.034
        clockDSPUWPerMHz = 0.51
        clockBRAM18kUWPerMHz = 0.51
        clockURAMUWPerMHz = 1.0
        let memory = Self.memory(kind: memoryKind)
        memoryInterfaceW = memory.interfaceW
        memoryInterfaceActiveW = memory.interfaceActiveW
        dramBackgroundW = board?.dramBackgroundW ?? memory.dramBackgroundW
        dramBytePJ = memory.dramBytePJ
    }

    /// One memory channel's figures by kind (docs/power.md): DDR4, a 64-bit channel of four ×16
    /// DDR4-2400 devices on an UltraScale+ memory controller; HBM2, one pseudo-channel of an
    /// HBM2 stack on the hardened controller.
    public static func memory(kind: String) -> (interfaceW: Double, interfaceActiveW: Double, dramBackgroundW: Double, dramBytePJ: Double) {
        kind == "hbm2" ? (0.1, 0.25, 0.06, 31) : (0.6, 0.8, 0.3, 56)
    }

    /// The `power:` section's parameters, each declared once. The memory parameters have no
    /// fixed default: `encoder.memory.kind` (and the board) decide them.
    public static let parameters = ParameterTable<PowerModel>(
        "power",
        summary: "Optional overrides of the power model's coefficients (docs/power.md); the device's and board's figures are the board's.",
        template: PowerModel(), [
            .decimal("dsp_uw_per_mhz", \.dspUWPerMHz, 0...1e4, unit: .microwattsPerMegahertz, default: .template,
                     "One DSP48E2 busy every cycle (fitted to FQ-BERT)"),
            .decimal("bram18k_uw_per_mhz", \.bram18kUWPerMHz, 0...1e4, unit: .microwattsPerMegahertz, default: .template,
                     "One 18 Kib block RAM with both ports enabled every cycle (fitted to FQ-BERT)"),
            .decimal("uram_uw_per_mhz", \.uramUWPerMHz, 0...1e4, unit: .microwattsPerMegahertz, default: .template,
                     "One UltraRAM with both ports enabled every cycle (fitted to FQ-BERT)"),
            .decimal("lut_uw_per_mhz", \.lutUWPerMHz, 0...1e3, unit: .microwattsPerMegahertz, default: .template,
                     "One LUT and its output net of a busy unit (fitted to FQ-BERT)"),
            .decimal("ff_uw_per_mhz", \.ffUWPerMHz, 0...1e3, unit: .microwattsPerMegahertz, default: .template,
                     "One flip-flop and its output net of a busy unit (fitted to FQ-BERT)"),
            .decimal("clock_network_mw_per_mhz", \.clockNetworkMWPerMHz, 0...1e3, unit: .milliwattsPerMegahertz, default: .template,
                     "The clock network: global buffers, spines, row buffers (fitted to FQ-BERT)"),
            .decimal("clock_ff_uw_per_mhz", \.clockFFUWPerMHz, 0...1e3, unit: .microwattsPerMegahertz, default: .template,
                     "Clock load of one flip-flop (fitted to FQ-BERT)"),
            .decimal("clock_dsp_uw_per_mhz", \.clockDSPUWPerMHz, 0...1e3, unit: .microwattsPerMegahertz, default: .template,
                     "Clock load of one DSP48E2 (fitted to FQ-BERT)"),
            .decimal("clock_bram18k_uw_per_mhz", \.clockBRAM18kUWPerMHz, 0...1e3, unit: .microwattsPerMegahertz, default: .template,
                     "Clock load of one 18 Kib block RAM (fitted to FQ-BERT)"),
            .decimal("clock_uram_uw_per_mhz", \.clockURAMUWPerMHz, 0...1e3, unit: .microwattsPerMegahertz, default: .template,
                     "Clock load of one UltraRAM (fitted to FQ-BERT)"),
            byKind("memory_interface_w", \.memoryInterfaceW, .watts,
                   "One channel's memory controller and PHY, idle; default by memory kind: DDR4 0.6, HBM2 0.1"),
            byKind("memory_interface_active_w", \.memoryInterfaceActiveW, .watts,
                   "What one channel's controller and PHY add with data on the bus every cycle; default by memory kind: DDR4 0.8, HBM2 0.25"),
            byKind("dram_background_w", \.dramBackgroundW, .watts,
                   "One channel's DRAM devices in the background; default: the board's, else by memory kind: DDR4 0.3, HBM2 0.06"),
            byKind("dram_byte_pj", \.dramBytePJ, .picojoulesPerByte,
                   "One byte read from or written to DRAM, in the devices; default by memory kind: DDR4 56, HBM2 31"),
        ])

    public static var schema: ComponentSchema { parameters.schema }

    /// A memory parameter: read when given, else the default of the memory kind (set before
    /// reading, ``ParameterTable/read(_:from:context:)``); always in the resolved config.
    private static func byKind(_ key: String, _ path: WritableKeyPath<PowerModel, Double> & Sendable, _ unit: StatUnit,
                               _ description: String) -> Parameter<PowerModel> {
        Parameter(key, .decimal(0...1e4), unit: unit, .optional, description,
                  read: { (m: inout PowerModel, v: ParameterValues, _: ParameterContext) throws(InputError) in m[keyPath: path] = v.double(key) },
                  encode: { m, c in try c.encode(m[keyPath: path], forKey: ParameterKey(key)) },
                  decode: { m, c in m[keyPath: path] = try c.decode(Double.self, forKey: ParameterKey(key)) })
    }

    /// What a run did that costs power, from the simulation: each compute unit's busy cycles
    /// (its stage ledger), the memory channels' data-phase cycles, and bytes moved on and off
    /// chip.
    public struct Activity: Sendable, Equatable, Codable {
        /// Busy cycles of each compute unit by stage name (`pe_array`, `softmax`, `layernorm`,
        /// `gelu`, `estimator`, `selector`), counted at the whole unit's size (a run on a
        /// partition of a unit counts its busy cycles at the partition's share).
        public var busyCycles: [String: Double]
        /// Data-phase cycles of the memory channels, summed over channels, at each channel's
        /// full bandwidth.
        public var channelBusyCycles: Double
        /// On-chip buffer bytes: compute units' reads and writes, and transfers' writes.
        public var bufferBytes: Int
        /// Bytes to and from off-chip memory.
        public var offChipBytes: Int

        public init(busyCycles: [String: Double], channelBusyCycles: Double, bufferBytes: Int, offChipBytes: Int) {
            self.busyCycles = busyCycles
            self.channelBusyCycles = channelBusyCycles
            self.bufferBytes = bufferBytes
            self.offChipBytes = offChipBytes
        }

        /// Nothing done.
        public static let none = Activity(busyCycles: [:], channelBusyCycles: 0, bufferBytes: 0, offChipBytes: 0)

        /// Adds `other`, a run on a share of the design: each unit's busy cycles scaled by
        /// `unitShare(stage)`, the channels' by `channelShare`; bytes as they are.
        public mutating func add(_ other: Activity, unitShare: (String) -> Double = { _ in 1 }, channelShare: Double = 1) {
            for (stage, busy) in other.busyCycles { busyCycles[stage, default: 0] += busy * unitShare(stage) }
            channelBusyCycles += other.channelBusyCycles * channelShare
            bufferBytes += other.bufferBytes
            offChipBytes += other.offChipBytes
        }
    }

    /// How a resource-estimate part's activity is found (``ResourceEstimate/Part/unit``).
    public enum PartRole: Sendable, Equatable {
        /// A compute unit: its stage's busy share.
        case compute(stage: String)
        /// An on-chip buffer: the buffers' bytes over their ports.
        case buffer
        /// The AXI masters and datamovers: the channels' data-phase share.
        case memoryInterface
        /// Control and any part the model does not know: always on.
        case control

        public init(part: String) {
            switch part {
            case "array": self = .compute(stage: "pe_array")
            case "softmax", "layernorm", "gelu", "estimator", "selector": self = .compute(stage: part)
            case "memory_interface": self = .memoryInterface
            default: self = part.hasSuffix("_buffer") ? .buffer : .control
            }
        }
    }

    /// Bytes per cycle the ports of a buffer block move when both are enabled: an 18 Kib block
    /// RAM has a 36-bit read and a 36-bit write port (simple dual port), an UltraRAM two 72-bit
    /// ports.
    public static let bram18kPortBytes = 9.0
    /// Bytes per cycle an UltraRAM's two 72-bit ports move.
    public static let uramPortBytes = 18.0

    /// Each part's activity over a run of `cycles` on `channels` memory channels: compute units
    /// their busy share, buffers their bytes per cycle over all buffer ports, the memory
    /// interface its channels' data-phase share, control 1; each at most 1.
    public static func activities(parts: [ResourceEstimate.Part], activity: Activity, cycles: Int, channels: Int) -> [Double] {
        guard cycles > 0 else { return parts.map { PartRole(part: $0.unit) == .control ? 1 : 0 } }
        let window = Double(cycles)
        let ports = parts.filter { PartRole(part: $0.unit) == .buffer }
            .reduce(0.0) { $0 + Double($1.bram18k) * bram18kPortBytes + Double($1.uram) * uramPortBytes }
        return parts.map { part in
            let share: Double = switch PartRole(part: part.unit) {
            case .compute(let stage): (activity.busyCycles[stage] ?? 0) / window
            case .buffer: ports > 0 ? Double(activity.bufferBytes) / (window * ports) : 0
            case .memoryInterface: channels > 0 ? activity.channelBusyCycles / (window * Double(channels)) : 0
            case .control: 1
            }
            return min(1, share)
        }
    }

    /// Dynamic power of `part` at `activity` and `megahertz`, watts: clock × activity × Σ
    /// resources × coefficient.
    public func dynamicW(_ part: ResourceEstimate.Part, activity: Double, megahertz: Double) -> Double {
        let uwPerMHz = Double(part.dsp) * dspUWPerMHz + Double(part.bram18k) * bram18kUWPerMHz + Double(part.uram) * uramUWPerMHz
            + Double(part.lut) * lutUWPerMHz + Double(part.ff) * ffUWPerMHz
        return megahertz * activity * uwPerMHz * 1e-6
    }

    /// Clock-tree power of a design of `resources` at `megahertz`, watts: the network plus every
    /// clocked resource's load, every cycle (no clock gating).
    public func clockTreeW(_ resources: ResourceEstimate, megahertz: Double) -> Double {
        let loads = Double(resources.ff) * clockFFUWPerMHz + Double(resources.dsp) * clockDSPUWPerMHz
            + Double(resources.bram18k) * clockBRAM18kUWPerMHz + Double(resources.uram) * clockURAMUWPerMHz
        return megahertz * (clockNetworkMWPerMHz * 1e-3 + loads * 1e-6)
    }

    /// Memory-interface power of `channels` channels whose data phases fill `share` of the
    /// run, watts.
    public func memoryInterfaceW(channels: Int, share: Double) -> Double {
        Double(channels) * (memoryInterfaceW + memoryInterfaceActiveW * share)
    }

    /// DRAM power of `channels` channels moving `bytes` in `seconds`, watts.
    public func dramW(channels: Int, bytes: Int, seconds: Double) -> Double {
        Double(channels) * dramBackgroundW + (seconds > 0 ? Double(bytes) * dramBytePJ * 1e-12 / seconds : 0)
    }
}

/// The resolved `power:` section as reports carry it (`config.resolved.power`).
extension PowerModel: Codable {
    public func encode(to encoder: any Encoder) throws { try Self.parameters.encode(self, to: encoder) }
    public init(from decoder: any Decoder) throws { self = try Self.parameters.decode(from: decoder) }
}
