import BertSimCore
import Foundation

/// Arrival times of a Poisson process, in integer nanoseconds, reproducible from a seed.
///
/// The gaps between arrivals are exponential with mean `1 / rate`: each gap is
/// `-ln(u) / rate` seconds for `u` uniform in (0, 1] (the top 53 bits of a ``SplitMix64`` draw),
/// rounded to the nearest nanosecond; arrival k is the integer sum of the first k gaps (the first
/// request arrives one gap after 0). Summing integers keeps every arrival exact however long
/// the trace. Rounding each gap to the nearest nanosecond shifts the mean gap by about
/// `-1 / (24 m)` ns for a mean gap of `m` ns (a relative error of 2e-15 at 200 req/s); it only
/// matters as the rate approaches ``maximumRate`` (4% at one request per nanosecond).
public struct PoissonArrivals: Sendable {
    /// One request per nanosecond: above this, integer-nanosecond gaps would all be 0.
    public static let maximumRate = 1e9
    /// One request per 11.6 days: below this, a single gap could overflow an `Int` of nanoseconds.
    public static let minimumRate = 1e-6

    /// Requests per second.
    public let rate: Double
    private var random: SplitMix64
    /// The most recent arrival, ns.
    public private(set) var now = 0

    /// `rate` is in requests per second, in `minimumRate...maximumRate`.
    public init(rate: Double, seed: UInt64) {
        precondition(Self.accepts(rate), "rate must be in \(Self.minimumRate)...\(Self.maximumRate)")
        self.rate = rate
        random = SplitMix64(seed: seed)
    }

    /// The next gap, in nanoseconds (rounded to the nearest).
    public mutating func nextGap() -> Int {
        let u = (Double(random.next() >> 11) + 1) * 0x1p-53  // (0, 1]
        // At most -ln(2^-53) ≈ 36.7 mean gaps: below 3.7e16 ns for any accepted rate.
        return Int((-log(u) / rate * 1e9).rounded())
    }

    /// Whether `rate` (requests per second) is in the accepted range.
    public static func accepts(_ rate: Double) -> Bool { rate >= minimumRate && rate <= maximumRate }

    /// The next arrival time in nanoseconds, or nil if it would not fit in an `Int`.
    public mutating func next() -> Int? {
        let (sum, overflow) = now.addingReportingOverflow(nextGap())
        if overflow { return nil }
        now = sum
        return sum
    }
}
