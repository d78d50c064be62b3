import Testing
@testable import BertSimWorkload

/// The Poisson arrivals match the requested rate.
///
/// Tolerance: over N gaps, the span T = Σ gaps of a Poisson process at rate λ has mean N/λ and
/// standard deviation √N/λ (gaps are exponential: mean = standard deviation = 1/λ), so
/// `λT/N` has mean 1 and standard error 1/√N. With N = 20,000 the test accepts
/// `|λT/N − 1| ≤ 4/√N ≈ 2.8%`: a correct generator fails for only 6 seeds in 100,000 (normal
/// tail beyond 4 standard errors), while a wrong unit (ms vs s) or a wrong mean is off by far more.
/// The squared coefficient of variation of the gaps (1 for exponential gaps, 0 for periodic
/// ones) has standard error √(4/N) by the delta method, so it must be within 4 × √(4/N) ≈ 5.7% of 1.
@Suite struct PoissonArrivalsTests {
    static let n = 20_000

    @Test(arguments: [(200.0, UInt64(1)), (200.0, 2), (10_000.0, 3), (1_000_000.0, 4), (0.5, 5)])
    func empiricalRateMatchesTheRequestedOne(rate: Double, seed: UInt64) {
        var arrivals = PoissonArrivals(rate: rate, seed: seed)
        var previous = 0
        var sum = 0.0
        var sumOfSquares = 0.0
        for _ in 0..<Self.n {
            guard let t = arrivals.next() else {
                Issue.record("arrival \(previous) ns overflowed")
                return
            }
            #expect(t >= previous)
            let gap = Double(t - previous)
            sum += gap
            sumOfSquares += gap * gap
            previous = t
        }
        let n = Double(Self.n)
        let spanRatio = rate * Double(previous) / 1e9 / n
        #expect(abs(spanRatio - 1) <= 4 / n.squareRoot(), "λT/N = \(spanRatio)")
        let mean = sum / n
        let cv2 = (sumOfSquares / n - mean * mean) / (mean * mean)
        #expect(abs(cv2 - 1) <= 4 * (4 / n).squareRoot(), "CV² = \(cv2)")
    }

    @Test func sameSeedSameArrivalsOtherSeedOtherArrivals() {
        var a = PoissonArrivals(rate: 200, seed: 7)
        var b = PoissonArrivals(rate: 200, seed: 7)
        var c = PoissonArrivals(rate: 200, seed: 8)
        let xa = (0..<100).map { _ in a.next()! }
        #expect(xa == (0..<100).map { _ in b.next()! })
        #expect(xa != (0..<100).map { _ in c.next()! })
    }

    @Test func acceptedRates() {
        #expect(PoissonArrivals.accepts(200))
        #expect(PoissonArrivals.accepts(1e9))
        #expect(!PoissonArrivals.accepts(0))
        #expect(!PoissonArrivals.accepts(-1))
        #expect(!PoissonArrivals.accepts(.infinity))
        #expect(!PoissonArrivals.accepts(.nan))
        #expect(!PoissonArrivals.accepts(1e-7))
    }
}
