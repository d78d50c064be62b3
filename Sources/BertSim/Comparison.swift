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
        public var config: String
        /// The child's exit status: 2 bad input, 3 the simulation could not finish, another
        /// value when the child crashed.
        public var status: Int32
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
        let outcomes = try children.run(tracePath: tracePath, configPaths: configPaths, kernel: kernel, limit: limit,
                                        stopAtFailure: true)
        var reports: [RunReport] = []
        for (config, outcome) in zip(configPaths, outcomes) {
            switch outcome {
            case .report(let report)?:
                reports.append(report)
            case .failed(let status, let message)?:
                throw Failure(config: config, status: status, message: message, skipped: outcomes.filter { $0 == nil }.count)
            case nil:
                continue
            }
        }
        return reports
    }
}
