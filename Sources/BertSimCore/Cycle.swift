/// A point in simulated time, counted in cycles of the accelerator clock since the start.
///
/// `Cycle` (a point) and ``Cycles`` (a duration) are distinct types, so a time and a
/// duration cannot be mixed up, and neither mixes with a bare `Int` without saying so.
public struct Cycle: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Cycles since time zero; never negative.
    public let value: Int

    @inlinable public init(_ value: Int) {
        precondition(value >= 0, "a cycle is never negative")
        self.value = value
    }

    public static let zero = Cycle(0)

    @inlinable public static func < (lhs: Cycle, rhs: Cycle) -> Bool { lhs.value < rhs.value }
    @inlinable public static func + (lhs: Cycle, rhs: Cycles) -> Cycle { Cycle(lhs.value + rhs.count) }
    @inlinable public static func += (lhs: inout Cycle, rhs: Cycles) { lhs = lhs + rhs }
    /// The span from `rhs` to `lhs`; `lhs` must not be earlier.
    @inlinable public static func - (lhs: Cycle, rhs: Cycle) -> Cycles { Cycles(lhs.value - rhs.value) }

    public var description: String { "@\(value)" }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(Int.self))
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}

/// A duration in cycles of the accelerator clock; never negative.
public struct Cycles: Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    public let count: Int

    @inlinable public init(_ count: Int) {
        precondition(count >= 0, "a duration in cycles is never negative")
        self.count = count
    }
    @inlinable public init(integerLiteral value: Int) { self.init(value) }

    public static let zero = Cycles(0)

    @inlinable public static func < (lhs: Cycles, rhs: Cycles) -> Bool { lhs.count < rhs.count }
    @inlinable public static func + (lhs: Cycles, rhs: Cycles) -> Cycles { Cycles(lhs.count + rhs.count) }
    @inlinable public static func += (lhs: inout Cycles, rhs: Cycles) { lhs = lhs + rhs }
    @inlinable public static func - (lhs: Cycles, rhs: Cycles) -> Cycles { Cycles(lhs.count - rhs.count) }
    @inlinable public static func * (lhs: Cycles, rhs: Int) -> Cycles { Cycles(lhs.count * rhs) }
    @inlinable public static func * (lhs: Int, rhs: Cycles) -> Cycles { Cycles(lhs * rhs.count) }

    public var description: String { "\(count) cycles" }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(Int.self))
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(count)
    }
}

extension Int {
    /// `⌈self / divisor⌉` for non-negative `self` and positive `divisor`, in integer arithmetic.
    @inlinable public func ceilDiv(_ divisor: Int) -> Int {
        precondition(self >= 0 && divisor > 0)
        return (self + divisor - 1) / divisor
    }
}
