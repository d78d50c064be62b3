/// The unit of a parameter or statistic, printed next to its value.
public enum StatUnit: String, Codable, Sendable {
    case cycles, count, bytes, tokens, requests, items, lanes, ratio, megahertz, nanoseconds
    case bits, percent, events, kibibytes
    /// Power model coefficients (docs/power.md).
    case watts
    case milliwattsPerMegahertz = "milliwatts_per_megahertz"
    case microwattsPerMegahertz = "microwatts_per_megahertz"
    case picojoulesPerByte = "picojoules_per_byte"
}

/// One named statistic in a flat, ordered snapshot, e.g. `accelerator.stage.load.busy`.
public struct StatEntry: Codable, Equatable, Sendable {
    public var name: String
    public var value: Double
    public var unit: StatUnit
    public var description: String

    public init(_ name: String, _ value: Double, _ unit: StatUnit, _ description: String) {
        self.name = name
        self.value = value
        self.unit = unit
        self.description = description
    }

    public init(_ name: String, _ value: Int, _ unit: StatUnit, _ description: String) {
        self.init(name, Double(value), unit, description)
    }
}

/// A counter with its unit and description (gem5's `ADD_STAT`).
public struct Counter: Sendable {
    public let name: String
    public let unit: StatUnit
    public let description: String
    public private(set) var value: Int = 0

    public init(_ name: String, _ unit: StatUnit, _ description: String) {
        self.name = name
        self.unit = unit
        self.description = description
    }

    public mutating func add(_ n: Int) { value += n }
    public mutating func increment() { value += 1 }

    public func entry(prefix: String) -> StatEntry { StatEntry("\(prefix).\(name)", value, unit, description) }
}

/// A histogram over fixed, sorted bucket upper bounds (the last bucket is open-ended).
public struct Histogram: Sendable, Codable, Equatable {
    public let upperBounds: [Int]
    public private(set) var counts: [Int]
    public private(set) var total = 0

    public init(upperBounds: [Int]) {
        precondition(upperBounds == upperBounds.sorted(), "histogram bounds must be sorted")
        self.upperBounds = upperBounds
        counts = [Int](repeating: 0, count: upperBounds.count + 1)
    }

    public mutating func record(_ value: Int) {
        var i = 0
        while i < upperBounds.count && value > upperBounds[i] { i += 1 }
        counts[i] += 1
        total += 1
    }
}

/// Nearest-rank percentile of sorted values: the ⌈p/100 × n⌉-th smallest (1-based).
public func nearestRankPercentile<T>(_ sorted: [T], _ p: Double) -> T? {
    guard !sorted.isEmpty else { return nil }
    let rank = max(1, Int((p / 100 * Double(sorted.count)).rounded(.up)))
    return sorted[min(rank, sorted.count) - 1]
}
