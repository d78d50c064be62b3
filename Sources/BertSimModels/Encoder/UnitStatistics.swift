import BertSimCore

/// What a unit did: tasks, useful work, lane-slots offered, and transfers' bytes.
public struct UnitStatistics: Sendable, Equatable {
    public var tasks = 0
    public var work = 0
    public var usedSlots = 0
    public var laneSlots = 0
    public var bufferBytes = 0
    public var bytes = [Int](repeating: 0, count: ByteClass.allCases.count)
    public var transactions = 0

    public init() {}

    /// A compute task issued.
    mutating func add(_ task: PlannedTask) {
        tasks += 1
        work += task.cost.work
        usedSlots += task.cost.usedSlots
        laneSlots += task.cost.laneSlots
        bufferBytes += task.cost.bufferBytes
    }

    public var laneUtilization: Double { laneSlots == 0 ? 0 : Double(usedSlots) / Double(laneSlots) }
}
