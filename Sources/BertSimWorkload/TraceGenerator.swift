import BertSimCore

/// Generates a trace (docs/workloads.md, "Generating traces"): lengths from an empirical
/// length list or one fixed length, arrivals as closed batches or a Poisson process, a count and
/// a seed. The same generator gives the same requests, and ``write(to:)`` the same bytes.
///
/// - Lengths from a list are taken in file order, cycling back to the first when `count`
///   exceeds the list, so `count == list.count` reproduces the list exactly. With `shuffled`,
///   every pass through the list is a fresh permutation drawn from the seed.
/// - Lengths above the model's max positions are truncated to it and counted
///   (``Summary/truncated``).
/// - Closed batches put every arrival at 0 ns; Poisson arrivals come from ``PoissonArrivals``.
/// - Arrivals and shuffling use separate ``SplitMix64`` streams (seeds `seed` and
///   `seed ^ shuffleSeedMask`), so shuffling does not change the arrival times.
public struct TraceGenerator: Hashable, Sendable {
    /// Where the lengths come from.
    public enum Lengths: Hashable, Sendable {
        /// An empirical list, in order (or shuffled per pass), cycled.
        case empirical(LengthList, shuffled: Bool)
        /// Every request has this many tokens.
        case fixed(Int)
    }

    /// When the requests arrive.
    public enum Arrivals: Hashable, Sendable {
        /// Closed batches of this many consecutive requests, every arrival at 0 ns.
        case closedBatches(Int)
        /// Open arrivals, Poisson at this many requests per second.
        case poisson(rate: Double)
    }

    /// What a generation produced.
    public struct Summary: Hashable, Sendable {
        /// Requests written.
        public var requests: Int
        /// Lengths that were above the model's max positions and were truncated to it.
        public var truncated: Int
    }

    /// Mixed into the seed of the shuffling stream (the bytes of "SHUFFLE!").
    public static let shuffleSeedMask: UInt64 = 0x5348_5546_464C_4521

    public var model: ModelSpec
    public var lengths: Lengths
    public var arrivals: Arrivals
    public var count: Int
    public var seed: UInt64
    /// The task tag of every request, if any (`[A-Za-z0-9_.-]+`).
    public var task: String?
    /// The `source:` header (provenance); nil writes ``defaultSource``.
    public var source: String?

    public init(model: ModelSpec = .bertBase, lengths: Lengths, arrivals: Arrivals, count: Int, seed: UInt64,
                task: String? = nil, source: String? = nil) {
        self.model = model
        self.lengths = lengths
        self.arrivals = arrivals
        self.count = count
        self.seed = seed
        self.task = task
        self.source = source
    }

    /// Checks the settings; each problem names the `bertsim trace generate` flag that sets it.
    public func validate() throws(InputError) {
        guard count >= 1 else { throw InputError(file: "--count", "must be at least 1, not \(count)") }
        if case .fixed(let length) = lengths, !(1...LengthList.maximumLength).contains(length) {
            throw InputError(file: "--length", "must be in 1...\(LengthList.maximumLength), not \(length)")
        }
        switch arrivals {
        case .closedBatches(let b):
            guard b >= 1 && b <= 1 << 20 else { throw InputError(file: "--batch", "must be in 1...\(1 << 20), not \(b)") }
        case .poisson(let rate):
            guard PoissonArrivals.accepts(rate) else {
                throw InputError(file: "--rate", "must be from 1e-6 to 1e9 requests per second, not \(Self.format(rate))")
            }
        }
        if let task, task.isEmpty || !task.utf8.allSatisfy(TraceReader.isTaskByte) {
            throw InputError(file: "--task", "'\(task)' must match [A-Za-z0-9_.-]+")
        }
        if let source {
            guard !source.isEmpty, source.trimmingWhitespace() == source,
                  !source.contains(where: { $0.isNewline || $0 == "\0" })
            else {
                throw InputError(file: "--source", "must be one non-empty line without leading or trailing blanks")
            }
        }
    }

    /// The provenance written when ``source`` is nil.
    public var defaultSource: String {
        switch lengths {
        case .empirical(let list, _): "token counts from \(list.origin)"
        case .fixed(let length): "fixed length of \(length) tokens"
        }
    }

    /// The header of the generated trace.
    public var header: TraceHeader {
        var batch: Int?
        if case .closedBatches(let b) = arrivals { batch = b }
        return TraceHeader(model: model, source: source ?? defaultSource, batch: batch, requests: count)
    }

    /// The comment lines that say how the trace was made (they hold no host, path of the output,
    /// date or version, so regenerating gives the same bytes).
    public var comments: [String] {
        let lengthText: String
        switch lengths {
        case .empirical(let list, let shuffled):
            lengthText = "\(list.origin) (\(list.count) values), "
                + (shuffled ? "shuffled per pass with seed \(seed)" : "in file order")
                + (count > list.count ? ", cycled" : "")
        case .fixed(let length):
            lengthText = "fixed, \(length) tokens"
        }
        let arrivalText: String
        switch arrivals {
        case .closedBatches(let b): arrivalText = "closed batches of \(b), every request at 0 ns"
        case .poisson(let rate): arrivalText = "Poisson at \(Self.format(rate)) requests/s, seed \(seed)"
        }
        return [
            "generated by `bertsim trace generate` (docs/workloads.md): \(count) requests",
            "lengths: \(lengthText)",
            "arrivals: \(arrivalText)",
        ]
    }

    /// The requests, one at a time.
    public func makeRequests() throws(InputError) -> Requests {
        try validate()
        return Requests(self)
    }

    /// Writes the trace to `path` (atomically: a reader never sees half of it). Throws an
    /// ``InputError`` for settings that cannot generate a trace, an ``OutputError`` when the
    /// file cannot be written; either way `path` is left as it was.
    @discardableResult
    public func write(to path: String) throws -> Summary {
        var requests = try makeRequests()
        let writer = try TraceWriter(path: path, header: header, comments: comments)
        do {
            while let r = try requests.next() { writer.write(r) }
            try writer.finish()
        } catch {
            writer.discard()
            throw error
        }
        return Summary(requests: writer.written, truncated: requests.truncated)
    }

    /// A number as written by hand: `200`, `0.5`.
    static func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    }

    /// The generated requests, in order; bounded memory (the length list and a few counters).
    public struct Requests {
        private let generator: TraceGenerator
        private var order: [Int] = []
        private var position = 0
        private var shuffle: SplitMix64
        private var poisson: PoissonArrivals?
        public private(set) var produced = 0
        /// Lengths truncated to the model's max positions so far.
        public private(set) var truncated = 0

        init(_ generator: TraceGenerator) {
            self.generator = generator
            shuffle = SplitMix64(seed: generator.seed ^ TraceGenerator.shuffleSeedMask)
            if case .poisson(let rate) = generator.arrivals { poisson = PoissonArrivals(rate: rate, seed: generator.seed) }
            if case .empirical(let list, _) = generator.lengths {
                order = list.lengths
                position = order.count  // start a pass on the first call
            }
        }

        /// The next request, or nil after `count` of them. Throws if an arrival time would not
        /// fit in 64 bits of nanoseconds.
        public mutating func next() throws(InputError) -> Request? {
            guard produced < generator.count else { return nil }
            var length: Int
            switch generator.lengths {
            case .fixed(let l):
                length = l
            case .empirical(_, let shuffled):
                if position == order.count {
                    position = 0
                    if shuffled { Self.permute(&order, using: &shuffle) }
                }
                length = order[position]
                position += 1
            }
            if length > generator.model.maxPositions {
                length = generator.model.maxPositions
                truncated += 1
            }
            var arrival = 0
            if poisson != nil {
                guard let a = poisson!.next() else {
                    throw InputError(file: "--rate", "request \(produced) would arrive after \(Int.max) ns: raise the rate or lower the count")
                }
                arrival = a
            }
            let request = Request(id: produced, arrivalNs: arrival, tokens: length, task: generator.task)
            produced += 1
            return request
        }

        /// Fisher–Yates with Lemire's unbiased bounded draw. Written out rather than using
        /// `shuffle(using:)`, whose algorithm the standard library does not promise to keep, so
        /// that a seed gives the same trace with every toolchain.
        static func permute(_ values: inout [Int], using random: inout SplitMix64) {
            var i = values.count - 1
            while i > 0 {
                let j = uniform(below: UInt64(i + 1), using: &random)
                values.swapAt(i, Int(j))
                i -= 1
            }
        }

        /// A uniform integer in `0..<bound` (Lemire 2019, "Fast random integer generation in an interval").
        static func uniform(below bound: UInt64, using random: inout SplitMix64) -> UInt64 {
            let threshold = (0 &- bound) % bound
            while true {
                let (high, low) = random.next().multipliedFullWidth(by: bound)
                if low >= threshold { return high }
            }
        }
    }
}
