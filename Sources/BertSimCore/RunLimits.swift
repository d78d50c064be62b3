import Foundation

/// User limits on one simulation (`--max-cycles`, `--max-seconds`): a runaway run ends at the
/// first one reached, with a partial report (docs/robustness.md).
public struct RunLimits: Sendable, Equatable, Codable {
    /// Stop once simulated time reaches this cycle (counted from cycle 0).
    public var maxCycles: Int?
    /// Stop once the simulation has run this many wall-clock seconds.
    public var maxSeconds: Double?

    public static let none = RunLimits()

    public init(maxCycles: Int? = nil, maxSeconds: Double? = nil) {
        self.maxCycles = maxCycles
        self.maxSeconds = maxSeconds
    }

    /// Which limit ended a run.
    public enum Hit: Sendable, Equatable, CustomStringConvertible {
        case cycles(Int)
        case seconds(Double)

        /// The flag that set the limit.
        public var flag: String {
            switch self {
            case .cycles: "--max-cycles"
            case .seconds: "--max-seconds"
            }
        }

        public var description: String {
            switch self {
            case .cycles(let n): "\(flag) \(n) reached"
            case .seconds(let s): "\(flag) \(s) reached"
            }
        }
    }
}

/// A run that a limit (`--max-cycles`, `--max-seconds`) ended before every request finished.
public struct PartialRun: Sendable, Equatable, Codable {
    /// The flag that ended the run and its value, e.g. "--max-cycles 1000000".
    public var reason: String
    /// Simulated time when the run ended.
    public var cycle: Int
    public var requestsCompleted: Int
    /// Requests read from the trace and not finished (those not yet read are not counted).
    public var requestsUnfinished: Int
    /// What each component held or waited for when the run ended.
    public var held: [String]

    public init(reason: String, cycle: Int, requestsCompleted: Int, requestsUnfinished: Int, held: [String]) {
        self.reason = reason
        self.cycle = cycle
        self.requestsCompleted = requestsCompleted
        self.requestsUnfinished = requestsUnfinished
        self.held = held
    }

    enum CodingKeys: String, CodingKey {
        case reason, cycle, held
        case requestsCompleted = "requests_completed"
        case requestsUnfinished = "requests_unfinished"
    }
}

extension SimKernel {
    /// Runs like ``run(until:)`` with no limit, but in slices of simulated time so that the
    /// limits can be checked between slices; returns the limit that ended the run (the kernel
    /// is then paused with work pending) or nil when the simulation ran out of events or was
    /// stopped; a run a limit ended has its trace completed (``finishTracing()``). Without
    /// `maxSeconds` this is one `run(until:)` (to `maxCycles`, if set). With
    /// it, slices start at 2¹⁶ cycles and double while a slice takes under 10 ms of wall time,
    /// so the checks cost nothing measurable; an event-driven kernel skips empty time within a
    /// slice as it always does.
    ///
    /// With `observe`, the run is sliced the same way and `observe` sees the simulated time
    /// after every slice (a progress line; slicing changes no result: the kernel pauses between
    /// events and resumes where it stopped).
    public func run(limits: RunLimits, observe: ((Cycle) -> Void)? = nil) throws -> RunLimits.Hit? {
        guard limits.maxSeconds != nil || observe != nil else {
            let outcome = try run(until: limits.maxCycles.map { Cycle($0) })
            guard outcome == .paused, let maxCycles = limits.maxCycles else { return nil }
            try finishTracing()
            return .cycles(maxCycles)
        }
        let started = DispatchTime.now().uptimeNanoseconds
        var slice = 1 << 16
        while true {
            var target = now.value.addingReportingOverflow(slice).overflow ? Int.max : now.value + slice
            if let maxCycles = limits.maxCycles { target = min(target, maxCycles) }
            let sliceStarted = DispatchTime.now().uptimeNanoseconds
            if try run(until: Cycle(target)) != .paused { return nil }
            // A paused kernel has reached the slice's end (the SimKernel contract); never spin.
            guard now.value >= target else {
                throw SimulationError(.kernel, "\(name) kernel paused at cycle \(now.value) before the requested \(target)")
            }
            let finished = DispatchTime.now().uptimeNanoseconds
            observe?(now)
            if let maxCycles = limits.maxCycles, now.value >= maxCycles {
                try finishTracing()
                return .cycles(maxCycles)
            }
            if let maxSeconds = limits.maxSeconds, Double(finished &- started) / 1e9 >= maxSeconds {
                try finishTracing()
                return .seconds(maxSeconds)
            }
            if finished &- sliceStarted < 10_000_000, slice < 1 << 61 { slice *= 2 }
        }
    }
}
