import BertSimCore

/// A unit suffix of power-report keys: `_w` for watts, `_mj` for millijoules.
public protocol PowerQuantity: Sendable {
    static var suffix: String { get }
}

/// Watts.
public enum Watts: PowerQuantity {
    public static let suffix = "_w"
}

/// Millijoules.
public enum Millijoules: PowerQuantity {
    public static let suffix = "_mj"
}

/// A run's power or energy by term (docs/power.md): static, processing system, clock tree,
/// the units' dynamic power, memory interface, DRAM, and the board (baseline and regulator
/// losses); keys carry the quantity's suffix (`static_w`, `static_mj`, …, `total_w`).
public struct PowerTerms<Quantity: PowerQuantity>: Sendable, Equatable, Codable {
    public var staticPower: Double
    public var processingSystem: Double
    public var clockTree: Double
    public var dynamic: Double
    public var memoryInterface: Double
    public var dram: Double
    public var board: Double

    public init(staticPower: Double, processingSystem: Double, clockTree: Double, dynamic: Double, memoryInterface: Double,
                dram: Double, board: Double) {
        self.staticPower = staticPower
        self.processingSystem = processingSystem
        self.clockTree = clockTree
        self.dynamic = dynamic
        self.memoryInterface = memoryInterface
        self.dram = dram
        self.board = board
    }

    /// The sum of every term.
    public var total: Double { staticPower + processingSystem + clockTree + dynamic + memoryInterface + dram + board }

    /// Every term scaled by `factor` (watts × seconds × 1000 = millijoules).
    public func scaled<Other: PowerQuantity>(by factor: Double) -> PowerTerms<Other> {
        PowerTerms<Other>(staticPower: staticPower * factor, processingSystem: processingSystem * factor,
                          clockTree: clockTree * factor, dynamic: dynamic * factor, memoryInterface: memoryInterface * factor,
                          dram: dram * factor, board: board * factor)
    }

    /// The terms in report order with their names (without the suffix).
    public var named: [(name: String, value: Double)] {
        [("static", staticPower), ("processing_system", processingSystem), ("clock_tree", clockTree), ("dynamic", dynamic),
         ("memory_interface", memoryInterface), ("dram", dram), ("board", board)]
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: ParameterKey.self)
        for (name, value) in named + [("total", total)] { try c.encode(value, forKey: ParameterKey(name + Quantity.suffix)) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ParameterKey.self)
        func value(_ name: String) throws -> Double { try c.decode(Double.self, forKey: ParameterKey(name + Quantity.suffix)) }
        self.init(staticPower: try value("static"), processingSystem: try value("processing_system"), clockTree: try value("clock_tree"),
                  dynamic: try value("dynamic"), memoryInterface: try value("memory_interface"), dram: try value("dram"),
                  board: try value("board"))
    }
}

/// A run's power and energy on its board (docs/power.md), the report's `power` section:
/// static power, the processing system, the clock tree, each unit's dynamic power at its
/// activity, the memory interface and the DRAM, and the board's baseline and regulator losses,
/// averaged over the run; energy is power × time.
public struct PowerEstimate: Codable, Sendable, Equatable {
    /// One unit's dynamic power: its resource part, its activity over the run, watts and
    /// millijoules.
    public struct UnitPower: Codable, Sendable, Equatable {
        public var unit: String
        public var activity: Double
        public var watts: Double
        public var millijoules: Double

        enum CodingKeys: String, CodingKey {
            case unit, activity
            case watts = "w"
            case millijoules = "mj"
        }
    }

    /// The static term, watts.
    public var staticW: Double
    /// Every term averaged over the run time.
    public var averageW: Double
    public var energyPerInferenceMJ: Double
    public var inferencesPerSPerW: Double
    /// Each term's average power over the run.
    public var watts: PowerTerms<Watts>
    /// Each term's energy over the run (power × run time).
    public var energy: PowerTerms<Millijoules>
    /// The dynamic term by unit (the resource estimate's parts).
    public var units: [UnitPower]
    /// The coefficients used (the resolved `power:` section).
    public var coefficients: PowerModel
    /// The board's figures used.
    public var board: Board.PowerFigures

    enum CodingKeys: String, CodingKey {
        case staticW = "static_w"
        case averageW = "average_w"
        case energyPerInferenceMJ = "energy_per_inference_mj"
        case inferencesPerSPerW = "inferences_per_s_per_w"
        case watts, energy, units, coefficients, board
    }

    /// The power of a run of `cycles` at `clock` that completed `requests` inferences, of a
    /// design of `resources` on `board` with `channels` memory channels, doing `activity`.
    public init(model: PowerModel, board: Board, resources: ResourceEstimate, activity: PowerModel.Activity, clock: Clock,
                cycles: Cycles, channels: Int, requests: Int) {
        let seconds = clock.seconds(cycles)
        let mhz = clock.megahertz
        let shares = PowerModel.activities(parts: resources.parts, activity: activity, cycles: cycles.count, channels: channels)
        let unitWatts = zip(resources.parts, shares).map { model.dynamicW($0, activity: $1, megahertz: mhz) }
        let channelShare = cycles.count > 0 && channels > 0
            ? min(1, activity.channelBusyCycles / (Double(cycles.count) * Double(channels))) : 0
        var w = PowerTerms<Watts>(
            staticPower: board.staticPowerW, processingSystem: board.processingSystemW,
            clockTree: model.clockTreeW(resources, megahertz: mhz), dynamic: unitWatts.reduce(0, +),
            memoryInterface: model.memoryInterfaceW(channels: channels, share: channelShare),
            dram: model.dramW(channels: channels, bytes: activity.offChipBytes, seconds: seconds), board: 0)
        w.board = board.baselineW + w.total * (1 / board.regulatorEfficiency - 1)
        let toMJ = seconds * 1e3
        watts = w
        energy = w.scaled(by: toMJ)
        units = zip(resources.parts, zip(shares, unitWatts)).map { part, su in
            UnitPower(unit: part.unit, activity: su.0, watts: su.1, millijoules: su.1 * toMJ)
        }
        staticW = w.staticPower
        averageW = w.total
        let total = energy.total
        energyPerInferenceMJ = requests == 0 ? 0 : total / Double(requests)
        inferencesPerSPerW = total > 0 ? Double(requests) / (total / 1e3) : 0
        coefficients = model
        self.board = board.powerFigures
    }
}

extension HardwareConfig {
    /// The design's resources on its board; nil without a board or for a design without a
    /// resource model.
    public var resourceUsage: ResourceUsage? {
        guard let board, let estimate = resources else { return nil }
        return ResourceUsage(estimate: estimate, board: board)
    }

    /// The power and energy of a run of `cycles` that completed `requests` inferences; nil
    /// without a board, a power model, or the run's activity.
    public func power(cycles: Cycles, requests: Int, activity: PowerModel.Activity?) -> PowerEstimate? {
        guard let board, let resources, let encoder, let model = power, let activity else { return nil }
        return PowerEstimate(model: model, board: board, resources: resources, activity: activity, clock: clock, cycles: cycles,
                             channels: encoder.memory.channels, requests: requests)
    }
}
