import BertSimCore

/// Takes finished work at the end of a netlist and records each request's completion cycle.
public final class RequestSink: SimProcess {
    public let name: String
    private let kernel: any SimKernel
    private let input: Fifo<WorkItem>
    /// Completion cycle by request index (nil while in flight).
    public private(set) var completions: [Cycle?] = []
    public private(set) var completed = 0
    public private(set) var lastCompletion: Cycle?

    /// Asked after each completion: whether all work is done, which ends the simulation
    /// (so the measured window closes at the last completion).
    private let isDone: (_ completed: Int) -> Bool

    public init(_ name: String, kernel: any SimKernel, input: Fifo<WorkItem>,
                isDone: @escaping (_ completed: Int) -> Bool) {
        self.name = name
        self.isDone = isDone
        self.kernel = kernel
        self.input = input
        let process = kernel.addProcess(name, self)
        input.bindReader(process)
    }

    public func evaluate() {
        let now = kernel.now
        while input.canRead {
            let item = input.read()
            if item.request >= completions.count {
                completions.append(contentsOf: repeatElement(nil, count: item.request - completions.count + 1))
            }
            precondition(completions[item.request] == nil, "request \(item.request) completed twice")
            completions[item.request] = now
            completed += 1
            lastCompletion = now
        }
        if isDone(completed) { kernel.stop() }
    }
}
