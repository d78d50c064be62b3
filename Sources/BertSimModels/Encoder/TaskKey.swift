/// Names one task: job, pseudo-layer (−1 before layer 0, `layers` after the last), unit and
/// index in that unit's program for the layer.
public struct TaskKey: Hashable, Sendable, CustomStringConvertible {
    public var job: Int
    public var layer: Int
    public var unit: EncoderUnit
    public var index: Int

    public init(job: Int, layer: Int, unit: EncoderUnit, index: Int) {
        self.job = job
        self.layer = layer
        self.unit = unit
        self.index = index
    }

    public var description: String { "job \(job) layer \(layer) \(unit.stageName)[\(index)]" }
}

/// When a task's issue ends and when its results are usable (`nil` until known).
public struct TaskTimes: Sendable, Equatable {
    public var issueEnd: Int?
    public var done: Int?
    /// Transfers: transactions expected (0 until known), accepted so far, latest data end.
    var expected = 0
    var accepted = 0
    var latestEnd = 0

    public init(issueEnd: Int? = nil, done: Int? = nil) {
        self.issueEnd = issueEnd
        self.done = done
    }
}
