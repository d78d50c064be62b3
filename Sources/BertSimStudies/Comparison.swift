import BertSim
import BertSimCore
import BertSimReport
import BertSimWorkload
import Foundation

/// `bertsim compare`: one trace on several configs, each simulated alone in a child process
/// (docs/reports.md, "compare").
///
/// All or nothing: when a child fails, no new child starts, and the comparison fails naming
/// the first failed config in the order given, with the child's reason and exit status; the
/// reports of the configs that did run are not printed (a partial table is easy to mistake
/// for a whole one).
public enum Comparison {
    /// A config whose simulation failed.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Why a config did not give a report.
        public enum Kind: Sendable, Equatable {
            /// Bad input: the config, or a design the hardware cannot run.
            case input
            /// The simulation could not finish, or the child crashed.
            case simulation
        }

        public var config: String
        public var kind: Kind
        /// The child's reason.
        public var message: String
        /// Configs that were never started because of the failure.
        public var skipped: Int

        public var description: String {
            "compare: \(config) failed: \(message)" + (skipped > 0 ? " (\(skipped) more config\(skipped == 1 ? "" : "s") not run)" : "")
        }
    }

    /// Simulates `tracePath` on every config; the reports come in the order of `configPaths`.
    /// The trace is opened here first, so a bad trace fails once, as bad input.
    public static func run(tracePath: String, configPaths: [String], kernel: KernelChoice, limit: Int?,
                           children: ChildSimulations) throws -> [RunReport] {
        _ = try TraceReader(path: tracePath)
        let requests = configPaths.map { SimulationRequest(trace: tracePath, config: $0, kernel: kernel, limit: limit) }
        let outcomes = try children.run(requests, stopAtFailure: true)
        var reports: [RunReport] = []
        for (config, outcome) in zip(configPaths, outcomes) {
            let skipped = outcomes.filter { $0 == nil }.count
            switch outcome {
            case .finished(.report(let report))?:
                reports.append(report)
            case .finished(.inputError(let error))?:
                throw Failure(config: config, kind: .input, message: error.description, skipped: skipped)
            case .finished(.simulationError(let error))?:
                throw Failure(config: config, kind: .simulation, message: error.description, skipped: skipped)
            case .crashed(let termination)?:
                throw Failure(config: config, kind: .simulation, message: termination.description, skipped: skipped)
            case nil:
                continue
            }
        }
        return reports
    }
}
