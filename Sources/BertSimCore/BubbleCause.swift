/// Why an issue slot of a stage did no useful work. Names are part of the user contract.
public enum BubbleCause: String, CaseIterable, Codable, Sendable, Comparable {
    /// No input was ready.
    case starved
    /// The result could not leave: downstream was full.
    case blocked
    /// Waiting for off-chip data.
    case memory
    /// Waiting on another stage's (or the stage's own earlier) result.
    case dependency
    /// The slot computed pad tokens only.
    case padding
    /// Lanes idle from sparsity imbalance or bank conflicts.
    case imbalance
    /// The slot spent on control rather than data: a loop pipeline's fill and drain at the
    /// end of an output row, the host's command that starts a layer, a DMA descriptor's setup.
    case control

    /// Position in ``allCases``, for array-indexed accounting.
    @inlinable public var index: Int {
        switch self {
        case .starved: 0
        case .blocked: 1
        case .memory: 2
        case .dependency: 3
        case .padding: 4
        case .imbalance: 5
        case .control: 6
        }
    }

    public static func < (a: BubbleCause, b: BubbleCause) -> Bool { a.index < b.index }

    public var meaning: String {
        switch self {
        case .starved: "no input ready"
        case .blocked: "downstream full"
        case .memory: "waiting for off-chip data"
        case .dependency: "waiting on another result"
        case .padding: "computing pad tokens only"
        case .imbalance: "lanes idle from imbalance or bank conflicts"
        case .control: "control: pipeline fill and drain, host commands, DMA descriptors"
        }
    }
}

/// What a stage is doing over an interval of cycles: useful work, or a bubble with its cause.
public enum Activity: Hashable, Sendable {
    case busy
    case bubble(BubbleCause)
}
