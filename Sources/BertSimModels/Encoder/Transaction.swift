import BertSimCore

/// One memory transaction: a burst of a transfer, requested by an engine at a cycle.
public struct Transaction {
    public var job: EncoderJob
    public var transfer: TaskKey
    public var bytes: Int
    public var requestedAt: Int
    /// The read engine's requests win ties at a channel.
    public var fromReadEngine: Bool
    /// The channel port (a partition's pair of request queues) it came through; the lower
    /// port wins ties at a channel.
    public var port: Int = 0
}
