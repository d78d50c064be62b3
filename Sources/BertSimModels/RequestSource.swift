import BertSimCore
import BertSimWorkload

/// Feeds a netlist with the requests of a trace, each at its arrival cycle.
///
/// Requests are pulled one at a time from a stream (the trace reader), so memory does not grow
/// with the trace. A request whose arrival cycle has come is written to the output fifo as
/// soon as it has room; arrivals queue in order behind a full fifo (the queueing delay counts
/// in the request's latency, since latency runs from arrival).
public final class RequestSource: SimProcess {
    public let name: String
    private let kernel: any SimKernel
    private let clock: Clock
    private let stream: () throws -> Request?
    private let output: Fifo<WorkItem>
    private var timer: EventID!
    private var nextRequest: Request?
    private var nextIndex = 0
    /// Arrival cycle of every request, by index.
    public private(set) var arrivals: [Cycle] = []
    /// The first error the stream threw; the simulation stops on it.
    public private(set) var streamError: (any Error)?
    public private(set) var exhausted = false

    public init(_ name: String, kernel: any SimKernel, clock: Clock, output: Fifo<WorkItem>,
                stream: @escaping () throws -> Request?) {
        self.name = name
        self.kernel = kernel
        self.clock = clock
        self.output = output
        self.stream = stream
        let process = kernel.addProcess(name, self)
        timer = kernel.addEvent("\(name).arrival", triggering: process)
        output.bindWriter(process)
        fetch()
        if let first = nextRequest {
            kernel.notify(timer, after: clock.cycle(atNanoseconds: first.arrivalNs) - .zero)
        }
    }

    /// The arrival cycle of the first request, if any: the start of the measured window.
    public var firstArrival: Cycle? { arrivals.first ?? nextRequest.map { clock.cycle(atNanoseconds: $0.arrivalNs) } }

    private func fetch() {
        guard streamError == nil else { return }
        do {
            nextRequest = try stream()
            if nextRequest == nil { exhausted = true }
        } catch {
            streamError = error
            nextRequest = nil
            kernel.stop()
        }
    }

    public func evaluate() {
        let now = kernel.now
        while let r = nextRequest {
            let arrival = clock.cycle(atNanoseconds: r.arrivalNs)
            if arrival > now {
                kernel.notify(timer, after: arrival - now)
                return
            }
            guard output.canWrite else { return }   // woken again when the fifo drains
            output.write(WorkItem(request: nextIndex, tokens: r.tokens))
            arrivals.append(arrival)
            nextIndex += 1
            fetch()
        }
    }

    /// Requests issued so far.
    public var issued: Int { nextIndex }
}
