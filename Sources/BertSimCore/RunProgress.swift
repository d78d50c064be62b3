import Foundation

/// Where a running simulation stands, for a progress line (`simulate` on a terminal; a child of
/// `compare` or `select` reports it to its parent through a file). Never part of a report.
public struct RunProgress: Sendable, Equatable, Codable {
    /// Requests completed so far, and the trace's total when its header announces it (capped
    /// by `--limit`).
    public var requestsDone: Int
    public var requestsTotal: Int?
    /// Simulated time reached.
    public var cycle: Int
    /// Wall-clock seconds since the run started.
    public var seconds: Double

    public init(requestsDone: Int, requestsTotal: Int?, cycle: Int, seconds: Double) {
        self.requestsDone = requestsDone
        self.requestsTotal = requestsTotal
        self.cycle = cycle
        self.seconds = seconds
    }

    /// Simulated cycles per wall-clock second.
    public var rate: Double { seconds > 0 ? Double(cycle) / seconds : 0 }

    /// Seconds left at the rate requests complete so far, when the total is known.
    public var eta: Double? {
        guard let total = requestsTotal, requestsDone > 0, seconds > 0 else { return nil }
        return Double(max(0, total - requestsDone)) * seconds / Double(requestsDone)
    }

    /// `128/408 requests · 1.25e+09 cycles · 2.1e+08 cycles/s · ETA 12s`.
    public var description: String {
        var s = "\(requestsDone)/\(requestsTotal.map(String.init) ?? "?") requests · "
            + String(format: "%.3g cycles · %.3g cycles/s", Double(cycle), rate)
        s += " · ETA " + (eta.map(Self.duration) ?? "?")
        return s
    }

    /// `45s`, `3m05s`, `1h02m`.
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, s % 3600 / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
