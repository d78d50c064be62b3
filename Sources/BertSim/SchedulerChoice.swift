import BertSimModels

/// How requests are scheduled onto an encoder design (docs/contract.md `--scheduler`).
public enum SchedulerChoice: String, CaseIterable, Sendable, Codable {
    /// Each closed batch padded to its longest sequence (or `--pad-to`), layer by layer on the
    /// whole array.
    case padded
    /// The length-aware pipeline: layer groups on partitions of the array, no padding.
    case lengthAware = "length-aware"
    /// Both: the padded run's report, with a side-by-side summary of the two.
    case both

    /// The scheduler of the main run (`both` reports the padded run, with the length-aware
    /// one beside it).
    public var main: SchedulerKind { self == .lengthAware ? .lengthAware : .padded }
}
