import Foundation
import Testing

/// Absurd designs are rejected when the config is loaded, naming the limit they break, not by
/// an allocation failure or a hang (docs/robustness.md).
@Suite struct AbsurdDesignTests {
    @Test(arguments: [
        ("processing_units: 12", "processing_units: 1000000000000",
         ":20: encoder.pe_array.processing_units: 1000000000000 is out of range 1...4096"),
        ("pes_per_unit: 8", "pes_per_unit: 4096\n    processing_units: 4096",
         ": encoder.pe_array.pes_per_unit: P × N = 16777216 PEs is beyond the model's limit of 1048576"),
        ("weight_kib: 290 ", "weight_kib: 1073741824 ",
         ":53: encoder.buffers.weight_kib: 1073741824 is out of range 1...1048576 kibibytes"),
        ("clock_mhz: 214", "clock_mhz: 1e300", ": clock_mhz:"),
    ])
    func rejectedWithTheLimit(_ original: String, _ absurd: String, _ message: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("absurd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = try String(contentsOfFile: Paths.repo("hw-configs/default.yaml"), encoding: .utf8)
        #expect(text.contains(original))
        if absurd.contains("processing_units: 4096") { text = text.replacingOccurrences(of: "    processing_units: 12\n", with: "") }
        text = text.replacingOccurrences(of: original, with: absurd)
        let path = dir.appendingPathComponent("absurd.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try bertsim(["simulate", "traces/sst2-batch32.trace", "--config", path, "--limit", "1"])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(r.stderr.hasPrefix("bertsim: error: \(path)") && r.stderr.contains(message), "\(r.stderr)")
    }
}
