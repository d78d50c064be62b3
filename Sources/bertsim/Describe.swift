import ArgumentParser
import BertSimConfig
import BertSimCore
import BertSimModels

/// `bertsim describe`: every component's parameters (unit, default) and statistics.
struct Describe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every component's parameters (with units and defaults) and statistics.")

    func run() throws {
        let schemas: [ComponentSchema] = [HardwareConfig.schema, Board.schema, PowerModel.schema] + EncoderSchemas.all
            + [PipelineNetlist.schema, PipelineStage.schema]
        var out = ""
        for (i, schema) in schemas.enumerated() {
            if i > 0 { out += "\n" }
            out += "\(schema.name): \(schema.summary)\n"
            out += "  parameters:\n"
            for p in schema.parameters {
                var kind: String
                switch p.kind {
                case .integer(let r): kind = "integer \(r.lowerBound)...\(r.upperBound)"
                case .decimal(let r): kind = "number \(fmt(r.lowerBound))...\(fmt(r.upperBound))"
                case .text: kind = "text"
                case .choice(let c): kind = "one of \(c.joined(separator: "|"))"
                }
                if let u = p.unit { kind += " \(u.rawValue)" }
                let dflt = p.defaultValue.map { $0.isEmpty ? "optional" : "default \($0)" } ?? "required"
                out += "    \(p.key)  (\(kind); \(dflt))\n      \(p.description)\n"
            }
            if !schema.statistics.isEmpty {
                out += "  statistics:\n"
                for s in schema.statistics { out += "    \(s.name)  (\(s.unit.rawValue))  \(s.description)\n" }
            }
        }
        writeStandardOutput(out)
    }

    private func fmt(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(d) }
}
