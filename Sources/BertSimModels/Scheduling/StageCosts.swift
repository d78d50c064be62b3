/// How the length-aware pipeline runs its stages' work (`--stage-costs`; docs/length-aware.md §3).
public enum StageCosts: String, CaseIterable, Sendable, Codable {
    /// The stages are partitions of one encoder netlist on the run's kernel: every tile,
    /// transfer and special-unit task is simulated, and concurrent stages contend for the
    /// memory channels (``CosimulatedStages``). The scheduler's decisions use the cost table W.
    case cosimulated
    /// Each beat's stage work is its cost W(i, s, p) from the table: a private simulation of
    /// the stage alone on its static share of the design (p/P of the bandwidth). Fast; the
    /// distance to the cosimulated run is bounded by a test (docs/length-aware.md §3.3).
    case isolated
}
