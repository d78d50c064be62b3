/// Which simulation kernel runs the models (`--kernel`; docs/architecture.md, "The two
/// kernels"). Both give the same answer to the cycle.
public enum KernelChoice: String, CaseIterable, Sendable, Codable {
    /// SystemC's scheduler through the C shim (one simulation per process).
    case systemc
    /// The pure-Swift event queue.
    case native
}
