import BertSimCore
import BertSimReport

/// What one ``SimulationRequest`` produced: a report (partial when a run limit ended it), or
/// the error that stopped it. `bertsim _run` writes it as JSON on stdout.
public enum SimulationOutcome: Sendable, Equatable, Codable {
    case report(RunReport)
    /// Bad input: the trace, the config, an option, or a design the hardware cannot run.
    case inputError(InputError)
    /// A simulation that could not finish (deadlock, kernel error).
    case simulationError(SimulationError)

    /// The report, or the error thrown.
    public func get() throws -> RunReport {
        switch self {
        case .report(let report): return report
        case .inputError(let error): throw error
        case .simulationError(let error): throw error
        }
    }
}
