import Foundation

/// Renders a report as the contract's JSON: pretty-printed, keys sorted (so the bytes are
/// the same on every run; Foundation's key order is otherwise unstable), newline-terminated.
public enum JSONRenderer {
    public static func render(_ report: RunReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }

    public static func decode(_ text: String) throws -> RunReport {
        try JSONDecoder().decode(RunReport.self, from: Data(text.utf8))
    }
}
