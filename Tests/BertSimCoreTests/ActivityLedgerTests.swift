import Testing
@testable import BertSimCore

@Suite struct ActivityLedgerTests {
    @Test func countsEveryCycleOnceByCause() {
        var l = ActivityLedger(start: Cycle(10), recordsIntervals: true)
        l.enter(.busy, at: Cycle(12))             // starved 10..<12
        l.enter(.bubble(.blocked), at: Cycle(15)) // busy 12..<15
        l.enter(.bubble(.blocked), at: Cycle(16)) // same state: no new interval
        l.enter(.busy, at: Cycle(20))             // blocked 15..<20
        l.finish(at: Cycle(21))                   // busy 20..<21
        #expect(l.busy == 4)
        #expect(l.bubbles(.starved) == 2)
        #expect(l.bubbles(.blocked) == 5)
        #expect(l.elapsed == 11)
        #expect(l.busy + l.totalBubbles == l.elapsed)
        #expect(l.bubbleIntervals[BubbleCause.blocked.index] == 1)
        #expect(l.intervals.count == 4)
    }

    @Test func sameCycleChangesKeepTheLastAndMergeIntervals() {
        var l = ActivityLedger(start: .zero, recordsIntervals: true)
        l.enter(.bubble(.starved), at: Cycle(3))
        l.enter(.busy, at: Cycle(3))                // zero-length: dropped
        l.enter(.bubble(.starved), at: Cycle(3))
        l.enter(.busy, at: Cycle(6))
        l.finish(at: Cycle(8))
        #expect(l.bubbles(.starved) == 6)
        #expect(l.bubbleIntervals[BubbleCause.starved.index] == 1)
        #expect(l.intervals == [
            .init(start: .zero, end: Cycle(6), activity: .bubble(.starved)),
            .init(start: Cycle(6), end: Cycle(8), activity: .busy),
        ])
    }

    @Test func percentilesAreNearestRank() {
        let v = Array(1...10)
        #expect(nearestRankPercentile(v, 50) == 5)
        #expect(nearestRankPercentile(v, 90) == 9)
        #expect(nearestRankPercentile(v, 99) == 10)
        #expect(nearestRankPercentile([Int](), 50) == nil)
        #expect(nearestRankPercentile([4], 1) == 4)
    }

    @Test func clockConvertsNanosecondsUpToTheNextEdge() {
        let c = Clock(kilohertz: 214_000)
        #expect(c.cycle(atNanoseconds: 0) == .zero)
        #expect(c.cycle(atNanoseconds: 1) == Cycle(1))        // 0.214 cycles → edge 1
        #expect(c.cycle(atNanoseconds: 1000) == Cycle(214))
        #expect(c.cycle(atNanoseconds: 1001) == Cycle(215))
        #expect(abs(c.milliseconds(Cycles(214_000)) - 1.0) < 1e-12)
    }
}

/// Spans (`--timeline-detail jobs|layers`): intervals folded per item or per item and layer, idle
/// gaps apart, every cycle still counted once.
@Suite struct ActivityLedgerSpanTests {
    static func record(_ recording: ActivityLedger.Recording) -> ActivityLedger {
        let a0 = ActivityLedger.tag(item: 3, layer: 0), a1 = ActivityLedger.tag(item: 3, layer: 1)
        let b0 = ActivityLedger.tag(item: 4, layer: 0)
        var l = ActivityLedger(start: Cycle(0), recordsIntervals: recording)
        l.enter(.busy, at: Cycle(5), tag: a0)              // [0, 5) starved, untagged
        l.enter(.bubble(.dependency), at: Cycle(10))       // [5, 10) busy item 3 layer 0
        l.enter(.busy, at: Cycle(12), tag: a1)             // [10, 12) dependency, untagged
        l.enter(.bubble(.starved), at: Cycle(20))          // [12, 20) busy item 3 layer 1
        l.enter(.busy, at: Cycle(30), tag: b0)             // [20, 30) starved: idle before item 4
        l.enter(.bubble(.starved), at: Cycle(40))          // [30, 40) busy item 4
        l.finish(at: Cycle(45))                            // [40, 45) starved: idle at the end
        return l
    }

    static func span(_ start: Int, _ end: Int, tag: Int, busy: Int, starved: Int = 0, dependency: Int = 0) -> ActivityLedger.Span {
        var bubbles = [Int](repeating: 0, count: BubbleCause.allCases.count)
        bubbles[BubbleCause.starved.index] = starved
        bubbles[BubbleCause.dependency.index] = dependency
        return ActivityLedger.Span(start: Cycle(start), end: Cycle(end), tag: tag, busy: busy, bubbles: bubbles)
    }

    @Test func byItem() {
        let l = Self.record(.spans(.items))
        let item3 = ActivityLedger.tag(item: 3, layer: -1), item4 = ActivityLedger.tag(item: 4, layer: -1)
        #expect(l.spans == [
            Self.span(0, 5, tag: -1, busy: 0, starved: 5),
            Self.span(5, 20, tag: item3, busy: 13, dependency: 2),
            Self.span(20, 30, tag: -1, busy: 0, starved: 10),
            Self.span(30, 40, tag: item4, busy: 10),
            Self.span(40, 45, tag: -1, busy: 0, starved: 5),
        ])
        #expect(l.intervals.isEmpty)
        #expect(l.busy == Cycles(23) && l.bubbles(.starved) == Cycles(20) && l.bubbles(.dependency) == Cycles(2))
    }

    @Test func byLayer() {
        let l = Self.record(.spans(.layers))
        #expect(l.spans.map(\.tag) == [-1, ActivityLedger.tag(item: 3, layer: 0), ActivityLedger.tag(item: 3, layer: 1), -1,
                                       ActivityLedger.tag(item: 4, layer: 0), -1])
        // The untagged dependency bubble joins the span it follows (layer 0's).
        #expect(l.spans[1] == Self.span(5, 12, tag: ActivityLedger.tag(item: 3, layer: 0), busy: 5, dependency: 2))
        #expect(l.spans[2] == Self.span(12, 20, tag: ActivityLedger.tag(item: 3, layer: 1), busy: 8))
    }

    /// Spans tile the window and their counters add up to the ledger's totals.
    @Test func spansTileAndAddUp() {
        for recording in [ActivityLedger.Recording.spans(.items), .spans(.layers)] {
            let l = Self.record(recording)
            var t = Cycle(0)
            for s in l.spans {
                #expect(s.start == t)
                #expect((s.end - s.start).count == s.busy + s.bubbles.reduce(0, +))
                t = s.end
            }
            #expect(t == Cycle(45))
        }
    }
}
