import BertSimCore
import BertSimWorkload

/// The walking-skeleton accelerator: a request source feeding a chain of pipelined stages
/// through bounded fifos, ending in a sink.
///
/// ```
/// source → fifo₀ → stage₀ → fifo₁ → … → stageₙ₋₁ → fifoₙ → sink
/// ```
/// Every fifo holds `fifo_depth_items` items. The measured window runs from the first arrival
/// to the last completion; the simulation stops at the last completion.
public final class PipelineNetlist {
    public struct Config: Sendable, Equatable, Codable {
        public var fifoDepth: Int
        public var stages: [PipelineStage.Config]

        public init(fifoDepth: Int, stages: [PipelineStage.Config]) {
            self.fifoDepth = fifoDepth
            self.stages = stages
        }

        public func encode(to encoder: any Encoder) throws { try Self.parameters.encode(self, to: encoder) }
        public init(from decoder: any Decoder) throws { self = try Self.parameters.decode(from: decoder) }

        /// Every parameter, declared once (``ParameterTable``); `stages` are read with
        /// ``PipelineStage/Config/parameters``.
        public static let parameters = ParameterTable<Config>(
            "pipeline",
            summary: "A chain of pipelined stages joined by bounded fifos (the walking-skeleton design).",
            template: Config(fifoDepth: 2, stages: []), [
                .integer("fifo_depth_items", \.fifoDepth, 1...1_000_000, unit: .items, default: .template,
                         "Capacity of each fifo between stages"),
                .section("stages", \.stages, "List of pipeline_stage mappings, in dataflow order"),
            ],
            statistics: [
                StatisticSpec("fifo<i>.peak", .items, "Most items fifo i held at once"),
            ])
    }

    public static var schema: ComponentSchema { Config.parameters.schema }

    public let config: Config
    public let kernel: any SimKernel
    public let source: RequestSource
    public let stages: [PipelineStage]
    public let sink: RequestSink
    private let fifos: [Fifo<WorkItem>]

    /// Builds the netlist on `kernel` (elaboration). `stream` yields the trace's requests.
    public init(_ config: Config, kernel: any SimKernel, clock: Clock, recordsIntervals: ActivityLedger.Recording = .off,
                stream: @escaping () throws -> Request?) {
        precondition(!config.stages.isEmpty, "a pipeline needs at least one stage")
        self.config = config
        self.kernel = kernel
        let fifos = (0...config.stages.count).map {
            Fifo<WorkItem>("fifo\($0)", capacity: config.fifoDepth, kernel: kernel, traced: true)
        }
        self.fifos = fifos
        source = RequestSource("source", kernel: kernel, clock: clock, output: fifos[0], stream: stream)
        let start = source.firstArrival ?? .zero
        stages = config.stages.enumerated().map { i, c in
            PipelineStage(c, kernel: kernel, input: fifos[i], output: fifos[i + 1], windowStart: start,
                          recordsIntervals: recordsIntervals)
        }
        let source = self.source
        sink = RequestSink("sink", kernel: kernel, input: fifos[config.stages.count]) { completed in
            source.exhausted && completed == source.issued
        }
        for f in fifos { precondition(f.isBound, "fifo \(f.name) is not connected at both ends") }
    }

    /// Runs to completion (or until a limit ends it: then the result is partial) and returns
    /// what happened.
    /// `progress` sees the simulated time and the requests completed now and then.
    public func run(limits: RunLimits = .none, progress: ((Cycle, Int) -> Void)? = nil) throws -> SimulationResult {
        let sink = self.sink
        let hit = try kernel.run(limits: limits, observe: progress.map { report in { now in report(now, sink.completed) } })
        if let error = source.streamError { throw error }
        var held: [String] = []
        for s in stages where s.heldItems > 0 { held.append("\(s.config.name) holds \(s.heldItems) item(s)") }
        let start = source.firstArrival ?? .zero
        var partial: PartialRun?
        let end: Cycle
        if let hit {
            end = max(kernel.now, start)
            partial = PartialRun(reason: hit.description, cycle: end.value, requestsCompleted: sink.completed,
                                 requestsUnfinished: source.issued - sink.completed, held: held)
            for s in stages { s.finish(noEarlierThan: end) }
        } else {
            guard source.exhausted, sink.completed == source.issued else {
                throw SimulationError(.deadlock, "nothing can move at cycle \(kernel.now.value) with \(source.issued - sink.completed) request(s) unfinished" + (held.isEmpty ? "" : ": " + held.joined(separator: ", ")))
            }
            end = sink.lastCompletion ?? start
            for s in stages { s.finish(at: end) }
        }
        let done = sink.completions.indices.filter { sink.completions[$0] != nil }
        var statistics: [StatEntry] = []
        for (i, f) in fifos.enumerated() {
            statistics.append(StatEntry("pipeline.fifo\(i).peak", f.peakOccupancy, .items, "Most items fifo \(i) held at once"))
        }
        for s in stages {
            let p = "pipeline.\(s.config.name)"
            statistics.append(s.items.entry(prefix: p))
            statistics.append(s.tokens.entry(prefix: p))
            statistics.append(s.beats.entry(prefix: p))
        }
        var result = SimulationResult(
            windowStart: start, windowEnd: end, arrivals: done.map { source.arrivals[$0] },
            completions: done.map { sink.completions[$0]! }, tokens: stages.first?.tokens.value ?? 0,
            stages: stages.map { StageSummary(name: $0.config.name, ledger: $0.ledger, laneUtilization: $0.laneUtilization) },
            statistics: statistics, deltaCycles: kernel.deltaCount, evaluations: kernel.evaluationCount)
        result.partial = partial
        return result
    }
}
