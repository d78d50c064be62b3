import BertSim
import BertSimCore
import BertSimModels
import BertSimReport
import BertSimWorkload
import Foundation

/// The closed-loop device choice of the HP framework (papers.md §2): simulate a trace on every
/// candidate design, keep those that meet the latency constraint (and, given an accuracy
/// table, the accuracy constraint), and choose the cheapest (docs/selection.md).
///
/// A candidate fits when its run's p99 request latency is at most the limit, its board is
/// known (cost tier and energy need one), and, with an accuracy constraint, its model variant
/// (``ModelVariant``: the trace's model, the datapath's quantization, the pruning of its
/// weights, the sparsity of its attention) has a table entry of at least the minimum; a
/// variant missing from the table is rejected, never substituted. Fitting candidates are
/// ranked by board cost tier, then energy per inference (`power.energy_per_inference_mj`), then
/// throughput (higher first), then config path; the first is the choice. Every other
/// candidate gets its reasons.
public struct DeviceSelection: Sendable {
    /// What a device must meet.
    public struct Constraints: Sendable {
        /// The largest acceptable p99 request latency.
        public var maxLatencyMs: Double
        /// The accuracy constraint, when there is one.
        public var accuracy: AccuracyConstraint?

        public init(maxLatencyMs: Double, accuracy: AccuracyConstraint? = nil) {
            self.maxLatencyMs = maxLatencyMs
            self.accuracy = accuracy
        }
    }

    /// The smallest acceptable accuracy, in percent, and the table that gives each variant's.
    public struct AccuracyConstraint: Sendable {
        public var table: AccuracyTable
        public var minimum: Double

        public init(table: AccuracyTable, minimum: Double) {
            self.table = table
            self.minimum = minimum
        }
    }

    /// One design, as the selection sees it.
    public struct Candidate: Sendable, Equatable {
        public var config: String
        public var board: String?
        public var device: String?
        public var costTier: Int?
        public var averageW: Double?
        public var energyPerInferenceMJ: Double?
        public var throughputPerS: Double?
        public var p99Ms: Double?
        public var variant: ModelVariant?
        public var accuracy: Double?
        /// Why the candidate does not fit, every reason; empty when it fits.
        public var rejections: [String]

        public var fits: Bool { rejections.isEmpty }
    }

    public var constraints: Constraints
    /// Every candidate, in config path order.
    public var candidates: [Candidate]
    /// The fitting candidates, best first.
    public var ranking: [Candidate]

    /// The cheapest fitting device, if any fits.
    public var choice: Candidate? { ranking.first }

    /// Judges every simulated candidate against the constraints.
    public init(outcomes: [(config: String, outcome: ChildSimulations.Outcome)], constraints: Constraints) {
        self.constraints = constraints
        candidates = outcomes.map { Self.judge(config: $0.config, outcome: $0.outcome, constraints: constraints) }
            .sorted { $0.config < $1.config }
        ranking = candidates.filter(\.fits).sorted { a, b in
            if a.costTier! != b.costTier! { return a.costTier! < b.costTier! }
            if a.energyPerInferenceMJ! != b.energyPerInferenceMJ! { return a.energyPerInferenceMJ! < b.energyPerInferenceMJ! }
            if a.throughputPerS! != b.throughputPerS! { return a.throughputPerS! > b.throughputPerS! }
            return a.config < b.config
        }
    }

    /// Simulates `tracePath` on every `*.yaml` in `directory` (not its subdirectories), each
    /// in a child process, and judges them.
    public static func run(tracePath: String, directory: String, constraints: Constraints, kernel: KernelChoice,
                           limit: Int?, children: ChildSimulations) throws -> DeviceSelection {
        let configs = try candidateConfigs(in: directory)
        _ = try TraceReader(path: tracePath)
        let requests = configs.map { SimulationRequest(trace: tracePath, config: $0, kernel: kernel, limit: limit) }
        let outcomes = try children.run(requests, stopAtFailure: false)
        return DeviceSelection(outcomes: zip(configs, outcomes).map { ($0, $1!) }, constraints: constraints)
    }

    /// The `*.yaml` files directly in `directory`, sorted; at least one.
    public static func candidateConfigs(in directory: String) throws(InputError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw InputError(file: "--configs", "\(directory): no such directory")
        }
        guard isDirectory.boolValue else { throw InputError(file: "--configs", "\(directory) is a file, not a directory") }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let configs = names.filter { $0.hasSuffix(".yaml") && !$0.hasPrefix(".") }.sorted()
            .map { directory.hasSuffix("/") ? directory + $0 : directory + "/" + $0 }
        guard !configs.isEmpty else { throw InputError(file: "--configs", "\(directory) holds no .yaml configs") }
        return configs
    }

    /// One candidate's facts and every reason it does not fit.
    static func judge(config: String, outcome: ChildSimulations.Outcome, constraints: Constraints) -> Candidate {
        var c = Candidate(config: config, rejections: [])
        let report: RunReport
        switch outcome {
        case .finished(.report(let r)):
            report = r
        case .finished(.inputError(let error)):
            c.rejections.append("does not run: \(error)")
            return c
        case .finished(.simulationError(let error)):
            c.rejections.append("simulation failed: \(error)")
            return c
        case .crashed(let termination):
            c.rejections.append("simulation failed: \(termination)")
            return c
        }
        c.p99Ms = report.latency.p99Ms
        if let resources = report.resources {
            c.board = resources.board
            c.device = resources.device
        }
        c.costTier = report.config.resolved.board?.costTier
        c.averageW = report.power?.averageW
        c.energyPerInferenceMJ = report.power?.energyPerInferenceMJ
        c.throughputPerS = report.totals.throughputPerS
        if c.board == nil || c.costTier == nil {
            c.rejections.append("no board in the config (its cost and energy are unknown)")
        } else if c.energyPerInferenceMJ == nil {
            c.rejections.append("no power estimate for this design")
        }
        if c.p99Ms! > constraints.maxLatencyMs {
            c.rejections.append("latency p99 \(ms(c.p99Ms!)) ms > \(number(constraints.maxLatencyMs)) ms")
        }
        if let constraint = constraints.accuracy {
            let (table, minimum) = (constraint.table, constraint.minimum)
            if let encoder = report.config.resolved.encoder {
                let variant = ModelVariant(model: report.workload.model.name, config: encoder)
                c.variant = variant
                if let accuracy = table[variant] {
                    c.accuracy = accuracy
                    if accuracy < minimum {
                        c.rejections.append("accuracy \(number(accuracy)) < \(number(minimum)) (\(variant))")
                    }
                } else {
                    c.rejections.append("no accuracy for \(variant) in \(table.path)")
                }
            } else {
                c.rejections.append("no datapath in the config, so no model variant to look up in \(table.path)")
            }
        }
        return c
    }

    /// The choice and a line for every other candidate (docs/selection.md, "Output").
    public func explanation() -> String {
        var out = ""
        let limits = "p99 latency ≤ \(Self.number(constraints.maxLatencyMs)) ms"
            + (constraints.accuracy.map { ", accuracy ≥ \(Self.number($0.minimum)) (\($0.table.path))" } ?? "")
        if let choice {
            out += "chosen: \(choice.config): \(facts(choice))\n"
            out += "constraints: \(limits); order: board cost tier, then energy per inference, then throughput, then config path\n"
            for (rank, c) in ranking.enumerated().dropFirst() {
                out += "\(c.config): not chosen (rank \(rank + 1) of \(ranking.count) that fit): \(whyNotChosen(c, choice))\n"
            }
        } else {
            out += "no device fits: all \(candidates.count) candidates rejected (\(limits))\n"
        }
        for c in candidates where !c.fits {
            out += "\(c.config): rejected: \(c.rejections.joined(separator: "; "))\n"
        }
        return out
    }

    private func facts(_ c: Candidate) -> String {
        var parts = ["\(c.board ?? "?") (\(c.device ?? "?")), cost tier \(c.costTier.map(String.init) ?? "?")",
                     "\(c.energyPerInferenceMJ.map { String(format: "%.3f", $0) } ?? "?") mJ per inference",
                     "\(c.throughputPerS.map { String(format: "%.1f", $0) } ?? "?") requests/s",
                     "\(c.averageW.map { String(format: "%.3f", $0) } ?? "?") W average",
                     "latency p99 \(c.p99Ms.map(Self.ms) ?? "?") ms ≤ \(Self.number(constraints.maxLatencyMs)) ms"]
        if let accuracy = c.accuracy, let variant = c.variant, let minimum = constraints.accuracy?.minimum {
            parts.append("accuracy \(Self.number(accuracy)) ≥ \(Self.number(minimum)) (\(variant))")
        }
        return parts.joined(separator: ", ")
    }

    private func whyNotChosen(_ c: Candidate, _ choice: Candidate) -> String {
        let (tier, chosenTier) = (c.costTier!, choice.costTier!)
        let (energy, chosenEnergy) = (c.energyPerInferenceMJ!, choice.energyPerInferenceMJ!)
        let (rate, chosenRate) = (c.throughputPerS!, choice.throughputPerS!)
        if tier != chosenTier { return "fits, but board cost tier \(tier) (\(c.board!)) > \(chosenTier) (\(choice.board!))" }
        if energy != chosenEnergy {
            return "fits, but \(String(format: "%.3f", energy)) mJ per inference > \(String(format: "%.3f", chosenEnergy)) mJ at the same cost tier \(tier)"
        }
        if rate != chosenRate {
            return "fits, but \(String(format: "%.1f", rate)) requests/s < \(String(format: "%.1f", chosenRate)) requests/s at the same cost tier and energy"
        }
        return "fits, ties with \(choice.config) on cost tier \(tier), \(String(format: "%.3f", energy)) mJ per inference and \(String(format: "%.1f", rate)) requests/s; its path sorts after"
    }

    static func ms(_ x: Double) -> String { String(format: "%.3f", x) }

    /// A user's number as they would write it: `20`, `91.5`.
    static func number(_ x: Double) -> String { CSVRenderer.number(x) }
}
