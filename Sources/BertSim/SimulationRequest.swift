import BertSimCore

/// One simulation to run: a trace, a config and every option, as a value (docs/architecture.md,
/// "One run"). `simulate` builds one from its flags; `compare`, `select` and `sweep` send one
/// to each child process (`bertsim _run` reads it as JSON on stdin).
public struct SimulationRequest: Sendable, Equatable, Codable {
    /// Where the hardware config comes from.
    public enum Config: Sendable, Equatable, Codable {
        /// A YAML file.
        case file(String)
        /// YAML text (a sweep point: the base config with overrides); `path` names it in
        /// errors and reports.
        case yaml(String, path: String)

        /// The path that names the config in errors and reports.
        public var path: String {
            switch self {
            case .file(let path): path
            case .yaml(_, let path): path
            }
        }
    }

    /// Files a run writes while it simulates (reports are rendered from its outcome).
    public struct Outputs: Sendable, Equatable, Codable {
        /// A VCD waveform of busy signals, fifo depths and the scheduler's state (`--vcd`).
        public var vcd: String?
        /// A Perfetto / Chrome trace-event timeline (`--timeline`; records intervals).
        public var timeline: String?
        /// Keep every stage's intervals for the report's timeline overview (`--html`).
        public var intervals: Bool
        /// Write the run's progress (``RunProgress`` as JSON) here now and then, for a parent
        /// process's progress line; never part of the report.
        public var progress: String?

        public init(vcd: String? = nil, timeline: String? = nil, intervals: Bool = false, progress: String? = nil) {
            self.vcd = vcd
            self.timeline = timeline
            self.intervals = intervals
            self.progress = progress
        }

        /// Whether the run records every stage's intervals.
        public var recordsIntervals: Bool { intervals || timeline != nil }
    }

    public var trace: String
    public var config: Config
    public var kernel: KernelChoice
    public var scheduler: SchedulerChoice
    /// The padded scheduler pads every sequence to at least this length (`--pad-to`).
    public var padTo: Int?
    /// Simulate only the first N requests (`--limit`).
    public var limit: Int?
    /// `--max-cycles` / `--max-seconds`: a run that reaches one ends with a partial report.
    public var limits: RunLimits
    public var outputs: Outputs
    /// Same-delta order on the native kernel (tests use `.random` to show it does not matter).
    public var tieBreak: EventQueueKernel.TieBreak

    public init(trace: String, config: Config, kernel: KernelChoice = .systemc, scheduler: SchedulerChoice = .padded,
                padTo: Int? = nil, limit: Int? = nil, limits: RunLimits = .none, outputs: Outputs = .init(),
                tieBreak: EventQueueKernel.TieBreak = .insertion) {
        self.trace = trace
        self.config = config
        self.kernel = kernel
        self.scheduler = scheduler
        self.padTo = padTo
        self.limit = limit
        self.limits = limits
        self.outputs = outputs
        self.tieBreak = tieBreak
    }

    /// A request for a config file.
    public init(trace: String, config path: String, kernel: KernelChoice = .systemc, scheduler: SchedulerChoice = .padded,
                padTo: Int? = nil, limit: Int? = nil, limits: RunLimits = .none, outputs: Outputs = .init(),
                tieBreak: EventQueueKernel.TieBreak = .insertion) {
        self.init(trace: trace, config: .file(path), kernel: kernel, scheduler: scheduler, padTo: padTo, limit: limit,
                  limits: limits, outputs: outputs, tieBreak: tieBreak)
    }
}
