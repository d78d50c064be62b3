import BertSimCore
import BertSimModels

/// How finely a timeline shows each stage (`--timeline-detail`; docs/reports.md, "Timeline").
public enum TimelineDetail: String, CaseIterable, Sendable, Codable {
    /// One slice per stage per job (padded) or request (length-aware), and one per idle gap:
    /// whole shipped traces stay in the tens of MB.
    case jobs
    /// One slice per stage per job and layer.
    case layers
    /// One slice per interval of activity (every tile, burst and bubble): exact, and large.
    case intervals
}

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
        /// How finely `timeline` shows each stage (`--timeline-detail`).
        public var timelineDetail: TimelineDetail
        /// Keep every stage's intervals for the report's timeline overview (`--html`).
        public var intervals: Bool
        /// Write the run's progress (``RunProgress`` as JSON) here now and then, for a parent
        /// process's progress line; never part of the report.
        public var progress: String?

        public init(vcd: String? = nil, timeline: String? = nil, timelineDetail: TimelineDetail = .jobs, intervals: Bool = false,
                    progress: String? = nil) {
            self.vcd = vcd
            self.timeline = timeline
            self.timelineDetail = timelineDetail
            self.intervals = intervals
            self.progress = progress
        }

        /// What every stage's ledger records: every interval for the HTML report or a
        /// timeline at interval detail, spans for a timeline by job or layer, else nothing.
        public var recording: ActivityLedger.Recording {
            if intervals || (timeline != nil && timelineDetail == .intervals) { return .intervals }
            guard timeline != nil else { return .off }
            return .spans(timelineDetail == .layers ? .layers : .items)
        }
    }

    public var trace: String
    public var config: Config
    public var kernel: KernelChoice
    public var scheduler: SchedulerChoice
    /// How the length-aware scheduler runs its stages (`--stage-costs`).
    public var stageCosts: StageCosts = .cosimulated
    /// The padded scheduler pads every sequence to at least this length (`--pad-to`).
    public var padTo: Int?
    /// Simulate only the first N requests (`--limit`).
    public var limit: Int?
    /// `--max-cycles` / `--max-seconds`: a run that reaches one ends with a partial report.
    public var limits: RunLimits
    public var outputs: Outputs
    /// Same-delta order on the native kernel (tests use `.random` to show it does not matter).
    public var tieBreak: EventQueueKernel.TieBreak
    /// Run the twins the report compares against (dense attention, dense weights, the other
    /// scheduler). Off for a twin run in a child process, which only needs its own totals.
    public var twins: Bool = true

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
