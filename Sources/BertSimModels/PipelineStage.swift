import BertSimCore
import DequeModule

/// A generic pipelined stage: takes work items from an input fifo, processes each token-serially
/// through a pipeline of fixed latency, and hands results to an output fifo.
///
/// ## Timing model
/// Parameters: latency L (cycles from issuing a beat to its result), initiation interval II
/// (cycles between beats), depth D (items issued but not yet handed downstream), lanes W
/// (tokens per beat).
/// - An item of n tokens takes b = ⌈n ÷ W⌉ beats. Issued at cycle t, it occupies the issue
///   slot for b × II cycles (busy over [t, t + b·II)) and its result is ready at
///   t + (b − 1)·II + L, when the last beat leaves the pipeline.
/// - An item can issue at t when the slot is free, fewer than D items are in flight, and the
///   input holds a committed item. Results leave in order as soon as ready and the output has
///   room; an item issued at t can be handed on at t + L at the earliest (L = 0 passes through
///   in the same cycle).
/// - Fifos add no cycles: a value written at t can be read at t (one delta later).
///
/// Bubbles (the slot is free but nothing issues at t), attributed from the settled state at t:
/// `starved` when no input is committed; when D items are in flight, `blocked` if the oldest
/// is ready but the output is full, else `dependency` (waiting on its own pipeline).
/// Lane utilization is tokens ÷ (beats × W).
public final class PipelineStage: SimProcess {
    public struct Config: Sendable, Equatable, Codable {
        public var name: String
        public var latency: Cycles
        public var initiationInterval: Cycles
        public var depth: Int
        public var lanes: Int

        public init(name: String, latency: Cycles, initiationInterval: Cycles = 1, depth: Int, lanes: Int = 1) {
            self.name = name
            self.latency = latency
            self.initiationInterval = initiationInterval
            self.depth = depth
            self.lanes = lanes
        }

        public init(_ p: ParameterValues) throws(InputError) { self = try Self.parameters.read(p) }
        public func encode(to encoder: any Encoder) throws { try Self.parameters.encode(self, to: encoder) }
        public init(from decoder: any Decoder) throws { self = try Self.parameters.decode(from: decoder) }

        /// Every parameter, declared once (``ParameterTable``).
        public static let parameters = ParameterTable<Config>(
            "pipeline_stage",
            summary: "A pipelined unit: items of n tokens take ⌈n/lanes⌉ beats, one every II cycles, results after a fixed latency.",
            template: Config(name: "", latency: 1, depth: 1), [
                .text("name", \.name, "Stage name in reports (unique in the pipeline)"),
                .cycles("latency_cycles", \.latency, 0...1_000_000, default: .template, "Cycles from issuing a beat to its result"),
                .cycles("initiation_interval_cycles", \.initiationInterval, 1...1_000_000, default: .template,
                        "Cycles between two beats"),
                .integer("depth_items", \.depth, 1...1_000_000, unit: .items, default: .template,
                         "Items issued but not yet handed downstream"),
                .integer("lanes_tokens", \.lanes, 1...1_000_000, unit: .tokens, default: .template, "Tokens processed per beat"),
            ],
            statistics: [
                StatisticSpec("busy", .cycles, "Cycles the issue slot did useful work"),
                StatisticSpec("bubbles.<cause>", .cycles, "Cycles the slot was free but idle, by cause"),
                StatisticSpec("items", .items, "Items processed"),
                StatisticSpec("tokens", .tokens, "Tokens processed"),
                StatisticSpec("beats", .count, "Beats issued"),
                StatisticSpec("lane_utilization", .ratio, "Tokens ÷ (beats × lanes)"),
            ])
    }

    public static var schema: ComponentSchema { Config.parameters.schema }

    public let config: Config
    private let kernel: any SimKernel
    private let input: Fifo<WorkItem>
    private let output: Fifo<WorkItem>
    private var timer: EventID!
    private var inflight = Deque<(item: WorkItem, ready: Cycle)>()
    private var slotFreeAt: Cycle = .zero
    private var busyTrace: TraceID?
    public private(set) var ledger: ActivityLedger
    public private(set) var items = Counter("items", .items, "Items processed")
    public private(set) var tokens = Counter("tokens", .tokens, "Tokens processed")
    public private(set) var beats = Counter("beats", .count, "Beats issued")

    public init(_ config: Config, kernel: any SimKernel, input: Fifo<WorkItem>, output: Fifo<WorkItem>,
                windowStart: Cycle, recordsIntervals: ActivityLedger.Recording = .off) {
        self.config = config
        self.kernel = kernel
        self.input = input
        self.output = output
        ledger = ActivityLedger(start: windowStart, recordsIntervals: recordsIntervals)
        let process = kernel.addProcess(config.name, self)
        timer = kernel.addEvent("\(config.name).timer", triggering: process)
        input.bindReader(process)
        output.bindWriter(process)
        if kernel.isTracing { busyTrace = kernel.addTrace("\(config.name).busy", width: 1) }
    }

    public func evaluate() {
        let now = kernel.now
        retire(now)
        // Issue the next item if the slot is free.
        if slotFreeAt <= now {
            if inflight.count < config.depth, let item = input.peek {
                _ = input.read()
                let b = item.tokens.ceilDiv(config.lanes)
                slotFreeAt = now + config.initiationInterval * b
                inflight.append((item, now + config.initiationInterval * (b - 1) + config.latency))
                items.increment()
                tokens.add(item.tokens)
                beats.add(b)
                if ledger.windowStart <= now { ledger.enter(.busy, at: now) }
                if let busyTrace { kernel.setTrace(busyTrace, 1) }
            } else {
                let cause: BubbleCause
                if inflight.count >= config.depth {
                    cause = inflight.first!.ready <= now ? .blocked : .dependency
                } else {
                    cause = .starved
                }
                if ledger.windowStart <= now { ledger.enter(.bubble(cause), at: now) }
                if let busyTrace { kernel.setTrace(busyTrace, 0) }
            }
        }
        retire(now)   // a pass-through (L = 0) result leaves in the cycle it was issued
        // Wake at the next moment something can change on our own: the slot frees or the
        // oldest result becomes ready. Fifo events cover the rest.
        var next: Cycle?
        if slotFreeAt > now { next = slotFreeAt }
        if let head = inflight.first, head.ready > now { next = min(next ?? head.ready, head.ready) }
        if let next { kernel.notify(timer, after: next - now) }
    }

    /// Hands finished results downstream, in order, while the output has room.
    private func retire(_ now: Cycle) {
        while let head = inflight.first, head.ready <= now, output.canWrite {
            output.write(head.item)
            inflight.removeFirst()
        }
    }

    /// Closes the accounting window at `end`.
    public func finish(at end: Cycle) { ledger.finish(at: end) }
    public func finish(noEarlierThan end: Cycle) { ledger.finish(noEarlierThan: end) }

    /// In flight or waiting work, for deadlock reports.
    public var heldItems: Int { inflight.count }

    public var laneUtilization: Double {
        beats.value == 0 ? 0 : Double(tokens.value) / Double(beats.value * config.lanes)
    }
}
