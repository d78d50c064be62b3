import BertSimModels
import Foundation

extension RunReport {
    /// The `resources` section as its type; nil without a board.
    public var resourcesSection: ResourcesSection? { Self.decodeSection(resources) }

    /// The `power` section as its type; nil without a board.
    public var powerSection: PowerSection? { Self.decodeSection(power) }

    /// The `memory` section as its type; nil when the design does not model memory.
    public var memoryTraffic: MemoryTraffic? { Self.decodeSection(memory) }

    /// The resolved config's design name (`name:`), or the config path when it has none.
    public var designName: String {
        if case .string(let name)? = config.resolved["name"] { return name }
        return config.path
    }

    private static func decodeSection<T: Decodable>(_ value: JSONValue) -> T? {
        if value == .null { return nil }
        guard let data = try? JSONEncoder().encode(value) else { return nil }
        return try? JSONDecoder().decode(T.self, from: data)
    }
}
