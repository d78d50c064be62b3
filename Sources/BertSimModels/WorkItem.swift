/// A unit of work flowing through a netlist: (part of) one request.
public struct WorkItem: Sendable, Equatable {
    /// Index of the request in arrival order (0-based).
    public var request: Int
    /// Tokens to process.
    public var tokens: Int

    public init(request: Int, tokens: Int) {
        self.request = request
        self.tokens = tokens
    }
}
