/// What a component declares about itself, once, for the config reader and `describe`:
/// its parameters (key, unit, default, allowed range, meaning) and its statistics.
public struct ComponentSchema: Sendable {
    public var name: String
    public var summary: String
    public var parameters: [ParameterSpec]
    public var statistics: [StatisticSpec]

    public init(name: String, summary: String, parameters: [ParameterSpec], statistics: [StatisticSpec]) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.statistics = statistics
    }
}

/// One configuration parameter: its YAML key (`snake_case`, unit in the name), its unit, its
/// default (nil when required), its allowed integer range, and what it means.
public struct ParameterSpec: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case integer(ClosedRange<Int>)
        case decimal(ClosedRange<Double>)
        case text
        case choice([String])
    }

    public var key: String
    public var unit: StatUnit?
    public var kind: Kind
    public var defaultValue: String?
    public var description: String

    public init(_ key: String, _ kind: Kind, unit: StatUnit? = nil, default defaultValue: String? = nil,
                _ description: String) {
        self.key = key
        self.unit = unit
        self.kind = kind
        self.defaultValue = defaultValue
        self.description = description
    }

    public var isRequired: Bool { defaultValue == nil }
}

/// One statistic a component reports.
public struct StatisticSpec: Sendable, Equatable {
    public var name: String
    public var unit: StatUnit
    public var description: String

    public init(_ name: String, _ unit: StatUnit, _ description: String) {
        self.name = name
        self.unit = unit
        self.description = description
    }
}
