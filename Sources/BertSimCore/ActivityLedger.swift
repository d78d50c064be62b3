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

    /// What a ledger keeps besides its totals, for timelines (`--timeline-detail`, `--html`).
    public enum Recording: Sendable, Equatable, ExpressibleByBooleanLiteral {
        /// Totals only.
        case off
        /// Every interval, exactly (the per-cycle truth; memory grows with every change).
        case intervals
        /// One ``Span`` per item (job or request), or per item and layer: memory grows with
        /// the work, not with every bubble.
        case spans(SpanKey)

        public enum SpanKey: Sendable, Equatable {
            case items, layers
        }

        /// `true` records every interval.
        public init(booleanLiteral value: Bool) { self = value ? .intervals : .off }
    }

    /// Consecutive intervals of one item (or one item's layer) on a stage, as one slice: its
    /// busy cycles and each bubble cause's. Untagged intervals join the span they follow; a
    /// run of untagged `starved` intervals at a span's end (the stage waiting for the next
    /// item) becomes an idle span of its own (tag −1). Spans tile the window, as intervals do.
    public struct Span: Equatable, Sendable {
        public var start: Cycle
        public var end: Cycle
        /// The item's (and, for per-layer spans, the layer's) tag; −1 for idle.
        public var tag: Int
        public var busy: Int
        public var bubbles: [Int]

        public var item: Int? { tag < 0 ? nil : tag >> 16 }
        public var layer: Int? { tag < 0 ? nil : (tag & 0xFFFF) - 1 }
    }

    public private(set) var windowStart: Cycle
    public private(set) var windowEnd: Cycle?
    public private(set) var busy: Cycles = .zero
    public private(set) var bubbleCycles = [Cycles](repeating: .zero, count: BubbleCause.allCases.count)
    /// Number of maximal bubble intervals per cause.
    public private(set) var bubbleIntervals = [Int](repeating: 0, count: BubbleCause.allCases.count)
    public private(set) var current: Activity
    private var currentTag = -1
    private var since: Cycle
    /// Closed intervals, when recording them (for timelines and waveforms).
    public private(set) var intervals: [Interval] = []
    /// Spans, when recording them.
    public private(set) var spans: [Span] = []
    public let recording: Recording
    /// Whether the ledger records anything beyond its totals (stages then tag their work).
    /// Whether anything beyond totals is recorded (stored, not computed: a unit in another
    /// module reads it on every change, and a computed getter there copies the ledger).
    public let recordsIntervals: Bool
    /// The start of the untagged `starved` run at the end of the last span, if any.
    private var trailingIdle: Cycle?

    /// Starts the window at `start` in activity `initial`.
    public init(start: Cycle, initial: Activity = .bubble(.starved), recordsIntervals recording: Recording = .off) {
        windowStart = start
        current = initial
        since = start
        self.recording = recording
        recordsIntervals = recording != .off
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
        switch recording {
        case .off:
            break
        case .intervals:
            if let last = intervals.last, last.activity == current, last.tag == currentTag, last.end == since {
                intervals[intervals.count - 1].end = time
            } else {
                intervals.append(Interval(start: since, end: time, activity: current, tag: currentTag))
            }
        case .spans(let key):
            span(length.count, until: time, key: key)
        }
        lastClosed = current
    }

    /// Adds [since, time) of the current activity to the spans.
    private mutating func span(_ length: Int, until time: Cycle, key: Recording.SpanKey) {
        let tag = currentTag < 0 ? -1 : key == .layers ? currentTag : currentTag & ~0xFFFF
        if spans.isEmpty || (tag >= 0 && spans[spans.count - 1].tag != tag) {
            splitIdle()
            spans.append(Span(start: since, end: since, tag: tag, busy: 0, bubbles: [Int](repeating: 0, count: BubbleCause.allCases.count)))
        }
        let last = spans.count - 1
        switch current {
        case .busy: spans[last].busy += length
        case .bubble(let cause): spans[last].bubbles[cause.index] += length
        }
        spans[last].end = time
        if currentTag < 0, current == .bubble(.starved) {
            if trailingIdle == nil { trailingIdle = since }
        } else {
            trailingIdle = nil
        }
    }

    /// Moves the last span's trailing untagged `starved` run into an idle span of its own.
    private mutating func splitIdle() {
        defer { trailingIdle = nil }
        guard let idle = trailingIdle, let last = spans.last, last.tag >= 0, idle > last.start else { return }
        let cycles = (last.end - idle).count
        spans[spans.count - 1].end = idle
        spans[spans.count - 1].bubbles[BubbleCause.starved.index] -= cycles
        var bubbles = [Int](repeating: 0, count: BubbleCause.allCases.count)
        bubbles[BubbleCause.starved.index] = cycles
        spans.append(Span(start: idle, end: last.end, tag: -1, busy: 0, bubbles: bubbles))
    }

    private var lastClosed: Activity?
    private func lastClosedWasBubble(_ cause: BubbleCause) -> Bool { lastClosed == .bubble(cause) }

    /// Closes the window at `end`.
    public mutating func finish(at end: Cycle) {
        precondition(end >= since, "window ends before the last activity change")
        close(at: end)
        if case .spans = recording { splitIdle() }
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
