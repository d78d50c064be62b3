/// The busy/bubble account of one stage over a window of cycles.
///
/// A stage reports each change of what it is doing (``enter(_:at:)``); the ledger closes the
/// previous interval and adds its length to busy or to the bubble's cause. Several changes at
/// the same cycle (from successive delta cycles) keep only the last, so an interval's cause
/// is the stage's settled state at its first cycle. Every cycle of the window is counted
/// exactly once, which gives the contract's identity
/// `busy + Σ bubbles = elapsed`; per-cause values are what the tests check by hand.
public struct ActivityLedger: Sendable {
    /// A closed interval [start, end) of one activity, with what it worked on (``tag(item:layer:)``;
    /// −1 when untagged).
    public struct Interval: Equatable, Sendable {
        public var start: Cycle
        public var end: Cycle
        public var activity: Activity
        public var tag: Int

        public init(start: Cycle, end: Cycle, activity: Activity, tag: Int = -1) {
            self.start = start
            self.end = end
            self.activity = activity
            self.tag = tag
        }

        /// The item (job or request) and layer of a tagged interval.
        public var item: Int? { tag < 0 ? nil : tag >> 16 }
        public var layer: Int? { tag < 0 ? nil : (tag & 0xFFFF) - 1 }
    }

    /// A tag naming an item (a job or a request) and a layer (−1 … 65534) for timelines.
    public static func tag(item: Int, layer: Int) -> Int { item << 16 | (layer + 1) }

    public private(set) var windowStart: Cycle
    public private(set) var windowEnd: Cycle?
    public private(set) var busy: Cycles = .zero
    public private(set) var bubbleCycles = [Cycles](repeating: .zero, count: BubbleCause.allCases.count)
    /// Number of maximal bubble intervals per cause.
    public private(set) var bubbleIntervals = [Int](repeating: 0, count: BubbleCause.allCases.count)
    public private(set) var current: Activity
    private var currentTag = -1
    private var since: Cycle
    /// Closed intervals, when recording is on (for timelines and waveforms).
    public private(set) var intervals: [Interval] = []
    public let recordsIntervals: Bool

    /// Starts the window at `start` in activity `initial`.
    public init(start: Cycle, initial: Activity = .bubble(.starved), recordsIntervals: Bool = false) {
        windowStart = start
        current = initial
        since = start
        self.recordsIntervals = recordsIntervals
    }

    /// The stage does `activity` from cycle `time` on, working on `tag` (recorded only with
    /// intervals; a new tag starts a new interval of the same activity).
    public mutating func enter(_ activity: Activity, at time: Cycle, tag: Int = -1) {
        precondition(windowEnd == nil, "ledger already finished")
        precondition(time >= since, "activity change goes back in time")
        if activity == current && (!recordsIntervals || tag == currentTag) { return }
        close(at: time)
        current = activity
        currentTag = tag
        since = time
    }

    private mutating func close(at time: Cycle) {
        let length = time - since
        guard length.count > 0 else { return }
        switch current {
        case .busy:
            busy += length
        case .bubble(let cause):
            bubbleCycles[cause.index] += length
            if !lastClosedWasBubble(cause) { bubbleIntervals[cause.index] += 1 }
        }
        if recordsIntervals {
            if let last = intervals.last, last.activity == current, last.tag == currentTag, last.end == since {
                intervals[intervals.count - 1].end = time
            } else {
                intervals.append(Interval(start: since, end: time, activity: current, tag: currentTag))
            }
        }
        lastClosed = current
    }

    private var lastClosed: Activity?
    private func lastClosedWasBubble(_ cause: BubbleCause) -> Bool { lastClosed == .bubble(cause) }

    /// Closes the window at `end`.
    public mutating func finish(at end: Cycle) {
        precondition(end >= since, "window ends before the last activity change")
        close(at: end)
        since = end
        windowEnd = end
    }

    /// Closes the window at `end` or, when an activity already entered starts later (work a
    /// stage committed to before a run was cut short), there.
    public mutating func finish(noEarlierThan end: Cycle) { finish(at: max(end, since)) }

    public func bubbles(_ cause: BubbleCause) -> Cycles { bubbleCycles[cause.index] }

    public var totalBubbles: Cycles { bubbleCycles.reduce(.zero, +) }

    /// The window's length; valid once finished.
    public var elapsed: Cycles { (windowEnd ?? since) - windowStart }
}
