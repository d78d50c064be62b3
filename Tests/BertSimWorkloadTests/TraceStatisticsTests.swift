import BertSimCore
import Foundation
import Testing
@testable import BertSimWorkload

func statistics(_ lengths: [Int], padTo: Int, batch: Int?) -> TraceStatistics {
    var s = TraceStatistics(padTo: padTo, batch: batch)
    for (i, t) in lengths.enumerated() { s.record(Request(id: i, arrivalNs: i * 10, tokens: t)) }
    return s
}

@Suite struct TraceStatisticsTests {
    @Test func handWorkedExample() {
        // Lengths 3 5 10 2, pad to 8, batches of 2.
        let s = statistics([3, 5, 10, 2], padTo: 8, batch: 2)
        #expect(s.count == 4)
        #expect(s.tokens == 20)
        #expect(s.mean == 5)
        #expect(s.minimum == 2)
        #expect(s.maximum == 10)
        #expect(s.percentile(25) == 2)  // rank ⌈1.0⌉ = 1 of 2 3 5 10
        #expect(s.percentile(50) == 3)  // rank 2
        #expect(s.percentile(90) == 10) // rank ⌈3.6⌉ = 4
        #expect(s.firstArrivalNs == 0)
        #expect(s.lastArrivalNs == 30)
        // Fixed: 8 + 8 + 10 (longer than 8: its own length) + 8 = 34 slots for 20 tokens.
        #expect(s.paddedToLength == TraceStatistics.PaddingWaste(tokens: 20, slots: 34, longer: 1, batches: 0))
        #expect(s.paddedToLength.padding == 14)
        // Batches [3 5] and [10 2]: 2 × 5 + 2 × 10 = 30 slots.
        #expect(s.paddedPerBatch == TraceStatistics.PaddingWaste(tokens: 20, slots: 30, longer: 0, batches: 2))
        #expect(s.paddedPerBatch?.fraction == 10.0 / 30.0)
    }

    @Test func partialLastBatchCounts() {
        // Batches [3 5 10] and [2]: 3 × 10 + 1 × 2 = 32 slots.
        let s = statistics([3, 5, 10, 2], padTo: 8, batch: 3)
        #expect(s.paddedPerBatch == TraceStatistics.PaddingWaste(tokens: 20, slots: 32, longer: 0, batches: 2))
        #expect(statistics([3, 5, 10, 2], padTo: 8, batch: nil).paddedPerBatch == nil)
        #expect(statistics([3, 5, 10, 2], padTo: 8, batch: 1).paddedPerBatch?.padding == 0)
    }

    @Test func percentilesMatchNearestRankOnSortedValues() {
        var random = SplitMix64(seed: 5)
        for n in [1, 2, 7, 100, 1001] {
            let lengths = (0..<n).map { _ in 1 + Int(random.next() % 300) }
            let s = statistics(lengths, padTo: 128, batch: nil)
            let sorted = lengths.sorted()
            for p in [0.0, 1, 10, 25, 50, 75, 90, 99, 99.9, 100] {
                #expect(s.percentile(p) == nearestRankPercentile(sorted, p), "n \(n) p \(p)")
            }
            #expect(s.maximum == sorted.last)
            #expect(s.minimum == sorted.first)
        }
    }

    @Test func histogramBuckets() {
        let s = statistics([3, 5, 10, 2], padTo: 8, batch: nil)
        let h = s.histogram(bucketWidth: 4)
        #expect(h.upperBounds == [4, 8])
        #expect(h.counts == [2, 1, 1])
        #expect(s.histogram(bucketWidth: 16).counts == [4])
        #expect(statistics([67], padTo: 1, batch: nil).bucketWidth() == 8)
        #expect(statistics([250], padTo: 1, batch: nil).bucketWidth() == 16)
        #expect(statistics([16], padTo: 1, batch: nil).bucketWidth() == 1)
        #expect(statistics([17], padTo: 1, batch: nil).bucketWidth() == 2)
    }

    @Test func emptyTrace() {
        let s = TraceStatistics(padTo: 8, batch: 4)
        #expect(s.count == 0)
        #expect(s.mean == nil)
        #expect(s.percentile(50) == nil)
        #expect(s.maximum == nil)
        #expect(s.paddedPerBatch?.slots == 0)
        #expect(s.paddedToLength.fraction == 0)
    }

    @Test func readsATraceWithItsOwnBatchUnlessOverridden() throws {
        let path = traceFile("bertsim-trace 1\nmodel: custom layers=1 hidden=8 heads=1 head_size=8 ffn=8 max_positions=32\nbatch: 2\n0 0 3\n1 0 5\n2 0 10\n3 0 2\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (header, s) = try TraceStatistics.read(path: path)
        #expect(header.batch == 2)
        #expect(s.padTo == 32)
        #expect(s.paddedPerBatch?.slots == 30)
        #expect(s.paddedToLength.slots == 128)
        let (_, t) = try TraceStatistics.read(path: path, padTo: 8, batch: 3)
        #expect(t.paddedPerBatch?.slots == 32)
        #expect(t.paddedToLength.slots == 34)
    }

    @Test func theShippedSST2Trace() throws {
        let (header, s) = try TraceStatistics.read(path: repositoryPath("traces/sst2.trace"), padTo: 128)
        #expect(header.batch == 1)
        #expect(s.count == 8741)
        #expect(String(format: "%.1f", s.mean!) == "23.3")
        #expect([50.0, 90, 99].map { s.percentile($0) } == [22, 38, 52])
        #expect(s.maximum == 67)
    }
}
