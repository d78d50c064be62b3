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
