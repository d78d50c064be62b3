import BertSimCore
import BertSimModels
import Foundation
import Yams

/// Reads hardware configs from YAML files (`hw-configs/*.yaml`).
///
/// Keys are `snake_case` with units in their names; unknown keys, wrong types and
/// out-of-range values are rejected; every error names file, line and field.
public enum ConfigLoader {
    /// A config as loaded: where it came from, the resolved design, and its hash.
    public struct Loaded: Sendable {
        public var path: String
        public var config: HardwareConfig
        /// Canonical JSON of the resolved config (sorted keys, no whitespace).
        public var canonicalJSON: String
        /// FNV-1a 64-bit hash of `canonicalJSON`, 16 hex digits: equal designs, equal hash.
        public var hash: String
        /// The line of every key path in the file (`encoder.buffers.weight_kib` → 31).
        public var lines: [String: Int] = [:]

        /// A design error found by a model, as an input error located in this file.
        public func error(_ e: DesignError) -> InputError {
            InputError(file: path, line: lines[e.field], field: e.field, e.message)
        }
    }

    public static func load(path: String) throws(InputError) -> Loaded {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                throw InputError(file: path, isDirectory.boolValue ? "is a directory, not a config file" : "cannot be read")
            }
            throw InputError(file: path, "no such file")
        }
        guard !data.contains(0), let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, line: 1, "not a YAML text file (binary data or not UTF-8)")
        }
        return try load(text: text, path: path)
    }

    /// Loads YAML text that `path` names in errors and reports (a sweep point's config).
    public static func load(text: String, path: String) throws(InputError) -> Loaded {
        let config = try parse(text, file: path)
        let json = canonicalJSON(config)
        var lines: [String: Int] = [:]
        if let root = try? Yams.compose(yaml: text) { index(root, path: "", into: &lines) }
        return Loaded(path: path, config: config, canonicalJSON: json, hash: FNV1a.hex(json.utf8), lines: lines)
    }

    /// Records the line of every key path below `node`.
    static func index(_ node: Node, path: String, into lines: inout [String: Int]) {
        switch node {
        case .mapping(let m):
            for (k, v) in m {
                guard case .scalar(let s) = k else { continue }
                let p = path.isEmpty ? s.string : "\(path).\(s.string)"
                lines[p] = k.mark?.line
                index(v, path: p, into: &lines)
            }
        case .sequence(let seq):
            for (i, item) in seq.enumerated() { index(item, path: "\(path)[\(i)]", into: &lines) }
        default:
            break
        }
    }

    /// Parses YAML text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(InputError) -> HardwareConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw yamlError(error, file: file)
        } catch {
            throw InputError(file: file, "not valid YAML: \(error)")
        }
        guard let root else { throw InputError(file: file, line: 1, "empty config: nothing to simulate") }
        let top = try YAMLMapping(file: file, path: "", node: root)
        let p = try top.values(HardwareConfig.schema, nested: ["pipeline", "encoder", "board", "power"])
        let mhz = p.double("clock_mhz")
        let khz = (mhz * 1000).rounded()
        guard abs(khz - mhz * 1000) < 1e-6 else {
            throw p.error("clock_mhz", "\(mhz) MHz is not a whole number of kHz")
        }
        let design: HardwareConfig.Design
        let clock = Clock(kilohertz: Int(khz))
        switch p.string("design") {
        case "pipeline":
            design = .pipeline(try pipeline(top.mapping("pipeline")))
        default:
            design = .encoder(try encoder(top.mapping("encoder"), clock: clock))
        }
        for other in ["pipeline", "encoder"] where other != p.string("design") && top.node(other) != nil {
            throw top.error(other, "section for design '\(other)', but design is '\(p.string("design"))'")
        }
        let board = try Self.board(top)
        var power: PowerModel?
        if let board, case .encoder(let e) = design {
            power = try Self.power(top, board: board, memoryKind: e.memory.kind.rawValue)
            do {
                try ResourceEstimate(config: e).check(on: board)
            } catch {
                throw top.error("board", error.message)
            }
        } else if top.node("power") != nil {
            throw top.error("power", "needs an encoder design on a board")
        }
        var config = try HardwareConfig.parameters.read(p)
        config.clock = clock
        config.design = design
        config.board = board
        config.power = power
        return config
    }

    /// `board:` as a preset name, or a mapping: of budgets and power figures, or starting
    /// from a preset (`preset: zcu102`) whose values the mapping's keys override.
    static func board(_ top: YAMLMapping) throws(InputError) -> Board? {
        guard let node = top.node("board") else { return nil }
        if case .scalar(let name) = node {
            guard let preset = Board.preset(name.string) else {
                throw top.error("board", "unknown board '\(name.string)' (presets: \(Board.presets.map(\.name).joined(separator: ", ")); or a mapping)")
            }
            return preset
        }
        let m = try top.mapping("board")
        var preset: Board?
        if case .scalar(let name)? = m.node("preset") { preset = Board.preset(name.string) }
        // An unknown preset name is rejected by the table's schema (a choice of the presets).
        let table = Board.parameters(preset: preset)
        return try table.read(try m.values(table.schema))
    }

    /// The power model's coefficients: defaults, by memory kind and the board's DRAM, then
    /// `power:` overrides.
    static func power(_ top: YAMLMapping, board: Board, memoryKind: String) throws(InputError) -> PowerModel {
        let base = PowerModel(memoryKind: memoryKind, board: board)
        guard top.node("power") != nil else { return base }
        return try PowerModel.parameters.read(try top.mapping("power").values(PowerModel.schema), from: base)
    }

    static func pipeline(_ m: YAMLMapping) throws(InputError) -> PipelineNetlist.Config {
        var config = try PipelineNetlist.Config.parameters.read(try m.values(PipelineNetlist.schema, nested: ["stages"]))
        var stages: [PipelineStage.Config] = []
        var names: Set<String> = []
        for s in try m.mappings("stages") {
            let v = try s.values(PipelineStage.schema)
            let c = try PipelineStage.Config(v)
            guard c.name.range(of: "^[a-z][a-z0-9_]*$", options: .regularExpression) != nil else {
                throw v.error("name", "'\(c.name)' must be a lowercase word ([a-z][a-z0-9_]*)")
            }
            guard names.insert(c.name).inserted else { throw v.error("name", "'\(c.name)' names two stages") }
            stages.append(c)
        }
        config.stages = stages
        return config
    }

    static func encoder(_ m: YAMLMapping, clock: Clock) throws(InputError) -> EncoderConfig {
        _ = try m.values(EncoderSchemas.encoder, nested: Set(EncoderSchemas.encoder.parameters.map(\.key)))
        let precision = m.node("precision") == nil
            ? EncoderConfig.Precision()
            : try EncoderConfig.Precision(try m.mapping("precision").values(EncoderConfig.Precision.schema))
        let array: ComputeArray
        switch (m.node("pe_array") != nil, m.node("systolic_array") != nil) {
        case (true, false):
            array = .bim(try EncoderConfig.PEArray(try m.mapping("pe_array").values(EncoderConfig.PEArray.schema)))
        case (false, true):
            array = .systolic(try SystolicArray(try m.mapping("systolic_array").values(SystolicArray.schema)))
        case (true, true):
            throw m.error("systolic_array", "a design has one array: give pe_array or systolic_array, not both")
        case (false, false):
            throw m.error("pe_array", "missing: give pe_array (BIM, FQ-BERT) or systolic_array")
        }
        let softmax = try EncoderConfig.SpecialUnit(try m.mapping("softmax").values(EncoderConfig.SpecialUnit.softmaxSchema))
        let layerNorm = try EncoderConfig.SpecialUnit(try m.mapping("layernorm").values(EncoderConfig.SpecialUnit.layerNormSchema))
        let gelu = try EncoderConfig.SpecialUnit(try m.mapping("gelu").values(EncoderConfig.SpecialUnit.geluSchema))
        let memory = try EncoderConfig.Memory(try m.mapping("memory").values(EncoderConfig.Memory.schema), clock: clock)
        let buffers = try EncoderConfig.Buffers(try m.mapping("buffers").values(EncoderConfig.Buffers.schema))
        let sparse = m.node("sparse_attention") == nil ? nil
            : try SparseAttention(try m.mapping("sparse_attention").values(SparseAttention.schema))
        let lengthAware = m.node("length_aware") == nil
            ? LengthAwareSettings()
            : try LengthAwareSettings(try m.mapping("length_aware").values(LengthAwareSettings.schema))
        let host = m.node("host") == nil
            ? EncoderConfig.Host(clock: clock)
            : try EncoderConfig.Host(try m.mapping("host").values(EncoderConfig.Host.schema), clock: clock)
        let pruning = m.node("pruning") == nil ? nil : try Self.pruning(try m.mapping("pruning"), array: array)
        return EncoderConfig(precision: precision, array: array, softmax: softmax, layerNorm: layerNorm, gelu: gelu,
                             memory: memory, buffers: buffers, sparse: sparse, lengthAware: lengthAware, pruning: pruning,
                             host: host)
    }

    static func yamlError(_ error: YamlError, file: String) -> InputError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            return InputError(file: file, line: mark.line, "YAML syntax: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return InputError(file: file, line: context.mark.line, field: duplicates.sorted().first, "given twice")
        case .reader(let problem, _, _, _):
            return InputError(file: file, "YAML: \(problem)")
        default:
            return InputError(file: file, "YAML: \(error)")
        }
    }

    /// The resolved config as canonical JSON (sorted keys, compact).
    public static func canonicalJSON(_ config: HardwareConfig) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(config)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
