import BertSimConfig
import BertSimCore
import BertSimModels
import BertSimReport
import BertSimWorkload

/// A request with its config loaded and its trace checked: the first step of a run.
struct LoadedRun {
    let request: SimulationRequest
    let config: ConfigLoader.Loaded
    let trace: TraceHeader
    let tracePath: String

    /// Loads the config (first, so that its errors come first), opens the trace, and checks the
    /// options against the design and the model.
    init(_ request: SimulationRequest) throws(InputError) {
        self.request = request
        switch request.config {
        case .file(let path): config = try ConfigLoader.load(path: path)
        case .yaml(let text, let path): config = try ConfigLoader.load(text: text, path: path)
        }
        let reader = try TraceReader(path: request.trace)
        trace = reader.header
        tracePath = reader.path
        if request.scheduler != .padded, case .pipeline = config.config.design {
            throw InputError(file: "--scheduler", "the length-aware scheduler needs an encoder design; \(config.path) is the walking-skeleton pipeline")
        }
        if request.padTo != nil && request.scheduler == .lengthAware {
            throw InputError(file: "--pad-to", "pads the padded scheduler's batches; the length-aware scheduler does not pad")
        }
        if let padTo = request.padTo, padTo > trace.model.maxPositions {
            throw InputError(file: "--pad-to", "\(padTo) is longer than \(trace.model.name)'s \(trace.model.maxPositions) positions")
        }
    }

    var hardware: HardwareConfig { config.config }

    /// The requests the run will simulate when the trace's header says how many it holds.
    var announcedRequests: Int? { trace.requests.map { min($0, request.limit ?? Int.max) } }

    /// The report's `config` section.
    var configSection: RunReport.ConfigSection {
        RunReport.ConfigSection(path: config.path, hash: config.hash, resolved: config.config)
    }

    /// The trace's requests, the first `--limit` of them, from a new reader.
    func requests() throws(InputError) -> RequestStream {
        RequestStream(reader: try TraceReader(path: request.trace), limit: request.limit)
    }

    /// A design error as bad input located in the config file.
    func located<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DesignError {
            throw config.error(error)
        }
    }
}

/// The requests of a trace, stopping after `limit` of them: the stream a netlist pulls from.
final class RequestStream {
    let reader: TraceReader
    private var remaining: Int

    init(reader: TraceReader, limit: Int?) {
        self.reader = reader
        remaining = limit ?? Int.max
    }

    /// The next request, or nil at the end of the trace or the limit.
    func next() throws -> Request? {
        guard remaining > 0 else { return nil }
        remaining -= 1
        return try reader.next()
    }

    /// Whether the limit cut the trace short (the limit was reached).
    func reachedLimit(_ limit: Int?) -> Bool { limit.map { reader.requestsRead >= $0 } ?? false }
}
