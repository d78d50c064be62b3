/// Which scheduler ran an encoder design (the report's `scheduler.name`; docs/length-aware.md).
public enum SchedulerKind: String, CaseIterable, Sendable, Codable {
    /// Each closed batch padded to its longest sequence (or a fixed length), layer by layer on
    /// the whole array.
    case padded
    /// The length-aware pipeline: layer groups on partitions of the array, no padding.
    case lengthAware = "length-aware"
}
