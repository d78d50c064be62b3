/// An impossible design, found by a model: a buffer too small for what the workload needs, a
/// unit that cannot hold one tile. It names the config field (a key path such as
/// `encoder.buffers.weight_kib`); the facade adds the config file and the field's line.
public struct DesignError: Error, Equatable, Sendable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
