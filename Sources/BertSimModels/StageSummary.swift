import BertSimCore

/// What a simulation says about one stage: its busy/bubble account and lane utilization.
public struct StageSummary: Sendable, Equatable {
    public var name: String
    public var ledger: ActivityLedger
    public var laneUtilization: Double

    public init(name: String, ledger: ActivityLedger, laneUtilization: Double) {
        self.name = name
        self.ledger = ledger
        self.laneUtilization = laneUtilization
    }

    public var busy: Cycles { ledger.busy }
    public var elapsed: Cycles { ledger.elapsed }
    public func bubbles(_ cause: BubbleCause) -> Cycles { ledger.bubbles(cause) }
}

extension ActivityLedger: Equatable {
    public static func == (a: ActivityLedger, b: ActivityLedger) -> Bool {
        a.windowStart == b.windowStart && a.windowEnd == b.windowEnd && a.busy == b.busy
            && a.bubbleCycles == b.bubbleCycles && a.bubbleIntervals == b.bubbleIntervals
    }
}
