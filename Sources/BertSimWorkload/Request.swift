/// One inference request of a trace.
public struct Request: Hashable, Sendable, Codable {
    public var id: Int
    /// Nanoseconds since the start of the trace.
    public var arrivalNs: Int
    /// Sequence length, including `[CLS]` and `[SEP]`.
    public var tokens: Int
    /// An optional tag such as the GLUE task.
    public var task: String?

    public init(id: Int, arrivalNs: Int, tokens: Int, task: String? = nil) {
        self.id = id
        self.arrivalNs = arrivalNs
        self.tokens = tokens
        self.task = task
    }
}

/// The header of a trace: its model, provenance and batching.
public struct TraceHeader: Hashable, Sendable {
    public static let currentVersion = 1

    public var version: Int
    public var model: ModelSpec
    public var source: String?
    /// Closed batches of this many consecutive requests; nil for open arrivals.
    public var batch: Int?
    /// The announced number of requests, checked at the end when present.
    public var requests: Int?

    public init(version: Int = TraceHeader.currentVersion, model: ModelSpec, source: String? = nil,
                batch: Int? = nil, requests: Int? = nil) {
        self.version = version
        self.model = model
        self.source = source
        self.batch = batch
        self.requests = requests
    }
}
