/// What the sparse engine did for one layer of a job, or summed over a run (docs/pruning.md).
public struct PruningAccounting: Sendable, Equatable, Codable {
    /// Per matrix class (``MatrixClass`` order): engine cycles, cycles lost to bank conflicts
    /// (beyond the longest lane), to row-length imbalance (longest lane beyond a balanced
    /// share), lane-cycles stalled on a bank port, and weight bytes loaded (HP) and dense.
    public var cycles = [Int](repeating: 0, count: MatrixClass.allCases.count)
    public var conflictCycles = [Int](repeating: 0, count: MatrixClass.allCases.count)
    public var rowImbalanceCycles = [Int](repeating: 0, count: MatrixClass.allCases.count)
    public var stalls = [Int](repeating: 0, count: MatrixClass.allCases.count)
    public var bytes = [Int](repeating: 0, count: MatrixClass.allCases.count)
    public var denseBytes = [Int](repeating: 0, count: MatrixClass.allCases.count)

    public init() {}

    mutating func add(_ m: MatrixClass, schedule s: SparseEngine.Schedule, blocks: Int, bytes b: Int, denseBytes d: Int) {
        let i = m.rawValue
        cycles[i] += blocks * s.cycles
        conflictCycles[i] += blocks * s.conflictCycles
        rowImbalanceCycles[i] += blocks * s.rowImbalanceCycles
        stalls[i] += blocks * s.stalls
        bytes[i] += b
        denseBytes[i] += d
    }

    /// Adds `other` `times` times (a layer's counts over the layers of a job).
    public mutating func add(_ other: PruningAccounting, times: Int = 1) {
        for i in cycles.indices {
            cycles[i] += times * other.cycles[i]
            conflictCycles[i] += times * other.conflictCycles[i]
            rowImbalanceCycles[i] += times * other.rowImbalanceCycles[i]
            stalls[i] += times * other.stalls[i]
            bytes[i] += times * other.bytes[i]
            denseBytes[i] += times * other.denseBytes[i]
        }
    }
}
