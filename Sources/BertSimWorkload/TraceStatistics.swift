import BertSimCore

/// The length statistics of a trace, gathered one request at a time: count, mean, nearest-rank
/// percentiles, arrival span, padding waste, and a histogram (docs/workloads.md, "Trace statistics").
///
/// Memory is bounded by the longest length, not the number of requests: lengths are counted per
/// value (at most the model's max positions), so percentiles are exact on any trace.
///
/// Padding waste is the share of token slots that hold padding:
/// - at a fixed length L (`padTo`): each request takes `max(L, tokens)` slots (a request longer
///   than L is counted at its own length, without padding, and reported in ``PaddingWaste/longer``);
/// - per closed batch of B (`batch`): each batch of B consecutive requests (the last may be
///   smaller) takes `size × longest` slots, as when a batch is padded to its longest sequence.
public struct TraceStatistics: Hashable, Sendable {
    /// Token slots spent on padding under one padding scheme.
    public struct PaddingWaste: Hashable, Sendable {
        /// Useful tokens.
        public var tokens = 0
        /// Token slots computed (useful plus padding).
        public var slots = 0
        /// Requests longer than the fixed pad length (counted at their own length).
        public var longer = 0
        /// Batches formed (for per-batch padding).
        public var batches = 0

        /// Pad tokens.
        public var padding: Int { slots - tokens }
        /// Pad tokens as a fraction of all slots (0 when there are none).
        public var fraction: Double { slots == 0 ? 0 : Double(padding) / Double(slots) }
    }

    /// The fixed pad length of ``paddedToLength``.
    public let padTo: Int
    /// The batch size of ``paddedPerBatch``; nil when requests are not batched.
    public let batch: Int?

    /// `requestsByLength[t]` requests have `t` tokens.
    public private(set) var requestsByLength: [Int] = []
    public private(set) var count = 0
    public private(set) var tokens = 0
    public private(set) var firstArrivalNs: Int?
    public private(set) var lastArrivalNs: Int?
    /// Waste when every request is padded to ``padTo``.
    public private(set) var paddedToLength = PaddingWaste()
    private var closedBatches = PaddingWaste()
    private var batchFill = 0
    private var batchLongest = 0

    public init(padTo: Int, batch: Int?) {
        precondition(padTo >= 1, "the pad length is positive")
        precondition(batch.map { $0 >= 1 } ?? true, "the batch size is positive")
        self.padTo = padTo
        self.batch = batch
    }

    /// Reads every request of the trace at `path` (streaming) and gathers its statistics.
    /// `padTo` defaults to the model's max positions, `batch` to the trace's own `batch:`.
    public static func read(path: String, padTo: Int? = nil, batch: Int? = nil) throws(InputError) -> (header: TraceHeader, statistics: TraceStatistics) {
        let reader = try TraceReader(path: path)
        var statistics = TraceStatistics(padTo: padTo ?? reader.header.model.maxPositions, batch: batch ?? reader.header.batch)
        while let r = try reader.next() { statistics.record(r) }
        return (reader.header, statistics)
    }

    public mutating func record(_ r: Request) {
        precondition(r.tokens >= 1, "lengths are positive")
        if r.tokens >= requestsByLength.count {
            requestsByLength.append(contentsOf: repeatElement(0, count: r.tokens + 1 - requestsByLength.count))
        }
        requestsByLength[r.tokens] += 1
        count += 1
        tokens += r.tokens
        if firstArrivalNs == nil { firstArrivalNs = r.arrivalNs }
        lastArrivalNs = r.arrivalNs

        paddedToLength.tokens += r.tokens
        paddedToLength.slots += max(padTo, r.tokens)
        if r.tokens > padTo { paddedToLength.longer += 1 }

        if let batch {
            closedBatches.tokens += r.tokens
            batchFill += 1
            batchLongest = max(batchLongest, r.tokens)
            if batchFill == batch { closeBatch() }
        }
    }

    private mutating func closeBatch() {
        closedBatches.slots += batchFill * batchLongest
        closedBatches.batches += 1
        batchFill = 0
        batchLongest = 0
    }

    /// Waste when each closed batch of ``batch`` is padded to its longest request (the last,
    /// partial batch included); nil without a batch size.
    public var paddedPerBatch: PaddingWaste? {
        guard batch != nil else { return nil }
        var copy = self
        if copy.batchFill > 0 { copy.closeBatch() }
        return copy.closedBatches
    }

    public var mean: Double? { count == 0 ? nil : Double(tokens) / Double(count) }
    public var minimum: Int? { requestsByLength.firstIndex { $0 > 0 } }
    public var maximum: Int? { count == 0 ? nil : requestsByLength.count - 1 }

    /// The nearest-rank percentile (the same definition as ``nearestRankPercentile(_:_:)``):
    /// the ⌈p/100 × n⌉-th smallest length.
    public func percentile(_ p: Double) -> Int? {
        guard count > 0 else { return nil }
        let rank = min(count, max(1, Int((p / 100 * Double(count)).rounded(.up))))
        var seen = 0
        for (length, n) in requestsByLength.enumerated() where n > 0 {
            seen += n
            if seen >= rank { return length }
        }
        return maximum
    }

    /// The lengths in buckets of `width` tokens (`1...width`, `width+1...2·width`, …) up to the
    /// longest request.
    public func histogram(bucketWidth width: Int) -> Histogram {
        precondition(width >= 1, "a bucket holds at least one length")
        let buckets = max(1, ((maximum ?? 1) + width - 1) / width)
        var histogram = Histogram(upperBounds: (1..<buckets).map { $0 * width })
        for (length, n) in requestsByLength.enumerated() {
            for _ in 0..<n { histogram.record(length) }
        }
        return histogram
    }

    /// The smallest power-of-two bucket width that covers the longest request in at most
    /// `buckets` buckets.
    public func bucketWidth(atMost buckets: Int = 16) -> Int {
        var width = 1
        while width * buckets < (maximum ?? 1) { width *= 2 }
        return width
    }
}
