/// A config value's parameters, each declared once: the schema that `bertsim describe` prints
/// and the YAML reader checks against, the reading of a checked YAML value into the typed
/// property, and the property's key and value in the resolved config (JSON) all come from the
/// same ``Parameter`` (docs/architecture.md, "Config parameters").
///
/// A table starts from a template (the value with every default applied; required
/// parameters hold placeholders that reading always overwrites), so the defaults a schema
/// shows are the template's: they are written once, in the type's initializer.
public struct ParameterTable<Root: Sendable>: Sendable {
    public let name: String
    public let summary: String
    public let parameters: [Parameter<Root>]
    public let statistics: [StatisticSpec]
    /// The value before any parameter is read: defaults applied.
    public let template: Root
    /// Cross-field checks and derived values, run after every parameter is read.
    let finish: @Sendable (inout Root, ParameterValues) throws(InputError) -> Void

    public init(_ name: String, summary: String, template: Root, _ parameters: [Parameter<Root>],
                statistics: [StatisticSpec] = [],
                finish: @escaping @Sendable (inout Root, ParameterValues) throws(InputError) -> Void = { _, _ in }) {
        self.name = name
        self.summary = summary
        self.template = template
        self.parameters = parameters
        self.statistics = statistics
        self.finish = finish
    }

    /// The schema: every parameter's spec, defaults rendered from the template.
    public var schema: ComponentSchema { schema(excluding: []) }

    /// The schema without some keys (a unit type read under several names, one lacking a
    /// parameter), optionally renamed.
    public func schema(excluding keys: Set<String>, name: String? = nil, summary: String? = nil) -> ComponentSchema {
        ComponentSchema(name: name ?? self.name, summary: summary ?? self.summary,
                        parameters: parameters.filter { !keys.contains($0.key) }.map { $0.spec(template) },
                        statistics: statistics)
    }

    /// The typed value of checked YAML values (``ParameterValues`` from this table's schema).
    public func read(_ values: ParameterValues, context: ParameterContext = .init()) throws(InputError) -> Root {
        try read(values, from: template, context: context)
    }

    /// The typed value of checked YAML values over `base` instead of the template: a parameter
    /// the YAML leaves out without a default (``ParameterDefault/optional``) keeps `base`'s
    /// value (defaults that depend on another section, such as power by memory kind).
    public func read(_ values: ParameterValues, from base: Root, context: ParameterContext = .init()) throws(InputError) -> Root {
        var value = base
        for p in parameters where values.has(p.key) || p.readsWhenAbsent {
            try p.read(&value, values, context)
        }
        try finish(&value, values)
        return value
    }

    /// Writes `value` as the resolved config: each parameter under its resolved key.
    public func encode(_ value: Root, to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: ParameterKey.self)
        for p in parameters { try p.encode(value, &c) }
    }

    /// Reads a resolved config written by ``encode(_:to:)``.
    public func decode(from decoder: any Decoder) throws -> Root {
        let c = try decoder.container(keyedBy: ParameterKey.self)
        var value = template
        for p in parameters { try p.decode(&value, c) }
        return value
    }
}

/// What reading a parameter may need besides its own value: the clock, to turn nanoseconds
/// into cycles.
public struct ParameterContext: Sendable {
    public var clock: Clock?

    public init(clock: Clock? = nil) {
        self.clock = clock
    }
}

/// A key of the resolved config.
public struct ParameterKey: CodingKey, Sendable {
    public var stringValue: String
    public var intValue: Int? { nil }

    public init(_ key: String) { stringValue = key }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}

/// Whether a parameter must be given, has a default, or may be left out.
public enum ParameterDefault: Sendable, Equatable {
    /// The config must give it.
    case required
    /// The template's value applies when it is not given.
    case template
    /// It may be left out, with the meaning the description gives (shown as `optional`).
    case optional
}

/// One parameter of a config value `Root`: its YAML key, kind, unit, default and meaning, how
/// its checked YAML value sets the typed property, and how the property appears in the
/// resolved config.
public struct Parameter<Root: Sendable>: Sendable {
    public let key: String
    public let kind: ParameterSpec.Kind
    public let unit: StatUnit?
    public let requirement: ParameterDefault
    public let description: String
    /// Renders the template's value as the schema's default.
    let renderDefault: @Sendable (Root) -> String
    /// Whether ``read`` runs when the YAML leaves the parameter out (derived values).
    let readsWhenAbsent: Bool
    let read: @Sendable (inout Root, ParameterValues, ParameterContext) throws(InputError) -> Void
    let encode: @Sendable (Root, inout KeyedEncodingContainer<ParameterKey>) throws -> Void
    let decode: @Sendable (inout Root, KeyedDecodingContainer<ParameterKey>) throws -> Void

    /// A parameter with every behaviour given: for values that are not one property as is
    /// (a union of keys, a value in other units in the resolved config).
    public init(_ key: String, _ kind: ParameterSpec.Kind, unit: StatUnit? = nil, _ requirement: ParameterDefault,
                _ description: String, renderDefault: @escaping @Sendable (Root) -> String = { _ in "" },
                readsWhenAbsent: Bool = false,
                read: @escaping @Sendable (inout Root, ParameterValues, ParameterContext) throws(InputError) -> Void,
                encode: @escaping @Sendable (Root, inout KeyedEncodingContainer<ParameterKey>) throws -> Void,
                decode: @escaping @Sendable (inout Root, KeyedDecodingContainer<ParameterKey>) throws -> Void) {
        self.key = key
        self.kind = kind
        self.unit = unit
        self.requirement = requirement
        self.description = description
        self.renderDefault = renderDefault
        self.readsWhenAbsent = readsWhenAbsent
        self.read = read
        self.encode = encode
        self.decode = decode
    }

    /// The schema entry, its default taken from `template`.
    func spec(_ template: Root) -> ParameterSpec {
        let value: String? = switch requirement {
        case .required: nil
        case .template: renderDefault(template)
        case .optional: ""
        }
        return ParameterSpec(key, kind, unit: unit, default: value, description)
    }

    /// A property stored as read, under the same key in the resolved config.
    static func stored<V: Codable & Sendable>(
        _ key: String, _ path: WritableKeyPath<Root, V> & Sendable, _ kind: ParameterSpec.Kind, unit: StatUnit?,
        _ requirement: ParameterDefault, _ description: String, render: @escaping @Sendable (V) -> String,
        value: @escaping @Sendable (ParameterValues, String) throws(InputError) -> V
    ) -> Parameter {
        Parameter(key, kind, unit: unit, requirement, description, renderDefault: { render($0[keyPath: path]) },
                  read: { (root: inout Root, values: ParameterValues, _: ParameterContext) throws(InputError) in
                      root[keyPath: path] = try value(values, key)
                  },
                  encode: { root, c in try c.encode(root[keyPath: path], forKey: ParameterKey(key)) },
                  decode: { root, c in root[keyPath: path] = try c.decode(V.self, forKey: ParameterKey(key)) })
    }

    /// An integer property.
    public static func integer(_ key: String, _ path: WritableKeyPath<Root, Int> & Sendable, _ range: ClosedRange<Int>,
                               unit: StatUnit? = nil, default requirement: ParameterDefault = .required, _ description: String) -> Parameter {
        stored(key, path, .integer(range), unit: unit, requirement, description, render: { String($0) }) { v, k in v.int(k) }
    }

    /// A duration in cycles.
    public static func cycles(_ key: String, _ path: WritableKeyPath<Root, Cycles> & Sendable, _ range: ClosedRange<Int>,
                              default requirement: ParameterDefault = .required, _ description: String) -> Parameter {
        stored(key, path, .integer(range), unit: .cycles, requirement, description, render: { String($0.count) }) { v, k in
            Cycles(v.int(k))
        }
    }

    /// A number.
    public static func decimal(_ key: String, _ path: WritableKeyPath<Root, Double> & Sendable, _ range: ClosedRange<Double>,
                               unit: StatUnit? = nil, default requirement: ParameterDefault = .required, _ description: String) -> Parameter {
        stored(key, path, .decimal(range), unit: unit, requirement, description, render: { String($0) }) { v, k in v.double(k) }
    }

    /// Free text.
    public static func text(_ key: String, _ path: WritableKeyPath<Root, String> & Sendable,
                            default requirement: ParameterDefault = .required, _ description: String) -> Parameter {
        stored(key, path, .text, unit: nil, requirement, description, render: { $0 }) { v, k in v.string(k) }
    }

    /// One of an enumeration's cases, by raw value.
    public static func choice<E: RawRepresentable & CaseIterable & Codable & Sendable>(
        _ key: String, _ path: WritableKeyPath<Root, E> & Sendable, default requirement: ParameterDefault = .required,
        _ description: String
    ) -> Parameter where E.RawValue == String {
        stored(key, path, .choice(E.allCases.map(\.rawValue)), unit: nil, requirement, description, render: { $0.rawValue }) { v, k in
            // The schema admits only the cases' raw values.
            E(rawValue: v.string(k)) ?? E.allCases.first!
        }
    }

    /// An integer that may be left out (nil), and is then absent from the resolved config.
    public static func optionalInteger(_ key: String, _ path: WritableKeyPath<Root, Int?> & Sendable, _ range: ClosedRange<Int>,
                                       unit: StatUnit? = nil, _ description: String) -> Parameter {
        Parameter(key, .integer(range), unit: unit, .optional, description,
                  read: { (root: inout Root, values: ParameterValues, _: ParameterContext) throws(InputError) in
                      root[keyPath: path] = values.int(key)
                  },
                  encode: { root, c in try c.encodeIfPresent(root[keyPath: path], forKey: ParameterKey(key)) },
                  decode: { root, c in root[keyPath: path] = try c.decodeIfPresent(Int.self, forKey: ParameterKey(key)) })
    }

    /// A nested section or list (a mapping or list of mappings in the YAML, read by the config
    /// reader with its own table), stored under the same key in the resolved config.
    public static func section<V: Codable & Sendable>(_ key: String, _ path: WritableKeyPath<Root, V> & Sendable,
                                                      default requirement: ParameterDefault = .required,
                                                      _ description: String) -> Parameter {
        Parameter(key, .text, requirement, description,
                  read: { (_: inout Root, _: ParameterValues, _: ParameterContext) throws(InputError) in },
                  encode: { root, c in try c.encode(root[keyPath: path], forKey: ParameterKey(key)) },
                  decode: { root, c in root[keyPath: path] = try c.decode(V.self, forKey: ParameterKey(key)) })
    }

    /// An optional nested section: absent from the resolved config when nil.
    public static func optionalSection<V: Codable & Sendable>(_ key: String, _ path: WritableKeyPath<Root, V?> & Sendable,
                                                              _ description: String) -> Parameter {
        Parameter(key, .text, .optional, description,
                  read: { (_: inout Root, _: ParameterValues, _: ParameterContext) throws(InputError) in },
                  encode: { root, c in try c.encodeIfPresent(root[keyPath: path], forKey: ParameterKey(key)) },
                  decode: { root, c in root[keyPath: path] = try c.decodeIfPresent(V.self, forKey: ParameterKey(key)) })
    }

    /// A key the YAML reads but the resolved config does not hold as such (it is part of
    /// another parameter's value, or a nested section read by the caller).
    public static func readOnly(_ key: String, _ kind: ParameterSpec.Kind, unit: StatUnit? = nil,
                                _ requirement: ParameterDefault, _ description: String,
                                renderDefault: @escaping @Sendable (Root) -> String = { _ in "" }) -> Parameter {
        Parameter(key, kind, unit: unit, requirement, description, renderDefault: renderDefault,
                  read: { (_: inout Root, _: ParameterValues, _: ParameterContext) throws(InputError) in },
                  encode: { _, _ in }, decode: { _, _ in })
    }
}
