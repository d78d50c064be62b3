import BertSimCore
@testable import BertSimStudies
import Foundation
import Testing

/// `validate` and `calibrate` (docs/validation.md): measurements against the simulator.
@Suite struct ValidationTests {
    /// A scratch directory with a copy of the default config, and the default design's mean
    /// latency on one sequence of `length` tokens with `change` applied to the config text.
    struct Scratch {
        let dir: URL
        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("validation-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Paths.repo("hw-configs/default.yaml"), toPath: path("base.yaml"))
        }

        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

        func write(_ name: String, _ text: String) throws { try Data(text.utf8).write(to: dir.appendingPathComponent(name)) }

        /// The simulated value of `metric` for `config` on one sequence of `length` tokens.
        func simulate(_ config: String, length: Int, metric: (CommandResult) throws -> Double) throws -> Double {
            let trace = path("one\(length).trace")
            let generated = try bertsim(["trace", "generate", "--model", "bert-base", "--length", String(length), "--count", "1",
                                         "--seed", "1", "--batch", "1", "--output", trace])
            #expect(generated.status == 0, "\(generated.stderr)")
            let r = try bertsim(["simulate", trace, "--config", config, "--kernel", "native", "--format", "json"])
            #expect(r.status == 0, "\(r.stderr)")
            return try metric(r)
        }

        func remove() { try? FileManager.default.removeItem(at: dir) }
    }

    static func meanLatency(_ r: CommandResult) throws -> Double {
        let latency = try #require(try json(r.stdout)["latency"] as? [String: Any])
        return try #require(latency["mean_ms"] as? Double)
    }

    static let header = "config,model,length,batch,requests,metric,measured,tolerance_pct,source\n"

    /// A measurement equal to the simulation agrees; one 10% off is outside a 3% tolerance,
    /// listed with its signed distance, and exits 1.
    @Test func validateComparesEveryRow() throws {
        let s = try Scratch()
        defer { s.remove() }
        let latency = try s.simulate(s.path("base.yaml"), length: 32, metric: Self.meanLatency)
        try s.write("good.csv", Self.header + String(format: "base.yaml,bert-base,32,1,1,latency_ms,%.9g,0.01,\"same run\"\n", latency))
        let good = try bertsim(["validate", s.path("good.csv"), "--kernel", "native"])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("every measurement agrees within its tolerance"), "\(good.stdout)")
        #expect(good.stdout.contains(" ok  same run"), "\(good.stdout)")

        try s.write("bad.csv", Self.header
            + String(format: "base.yaml,bert-base,32,1,1,latency_ms,%.9g,3,\"10%% slower\"\n", latency * 1.1)
            + "base.yaml,bert-base,32,1,1,dsp,1712,0,\"the estimate\"\n")
        let bad = try bertsim(["validate", s.path("bad.csv"), "--kernel", "native"])
        #expect(bad.status == 1, "\(bad.stderr)")
        #expect(bad.stdout.contains("-9.09%") && bad.stdout.contains("OUTSIDE  10% slower"), "\(bad.stdout)")
        #expect(bad.stdout.contains("1 of 2 measurements outside their tolerance"), "\(bad.stdout)")
    }

    /// The shipped table of measured hardware (data/validation/measurements.csv) agrees with
    /// the simulator on both kernels: the FQ-BERT point within 3 % (latency) and 5 % (power,
    /// DSP, BRAM18K). A change that moves a calibrated number out of its tolerance fails here.
    @Test(arguments: ["native", "systemc"])
    func theShippedMeasurementsAgree(kernel: String) throws {
        let r = try bertsim(["validate", "--kernel", kernel])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("every measurement agrees within its tolerance"), "\(r.stdout)")
        for metric in ["latency_ms", "power_w", "dsp", "bram18k", "inferences_per_s_per_w"] {
            #expect(r.stdout.contains(metric), "\(metric) is not validated: \(r.stdout)")
        }
    }

    /// The calibration test of issue 16: change one timing parameter, simulate the changed
    /// design as "the measurement", and calibrate the original: it finds the changed value.
    @Test func calibrateRecoversAChangedParameter() throws {
        let s = try Scratch()
        defer { s.remove() }
        let base = try String(contentsOfFile: s.path("base.yaml"), encoding: .utf8)
        let changed = base.replacingOccurrences(of: "quantization_latency_cycles: 3", with: "quantization_latency_cycles: 23")
        #expect(changed != base)
        try s.write("changed.yaml", changed)
        var rows = Self.header
        for length in [16, 64] {
            let latency = try s.simulate(s.path("changed.yaml"), length: length, metric: Self.meanLatency)
            rows += String(format: "base.yaml,bert-base,%d,1,1,latency_ms,%.9g,0.001,\"the changed design\"\n", length, latency)
        }
        try s.write("measured.csv", rows)
        let r = try bertsim(["calibrate", "--measurements", s.path("measured.csv"),
                             "--fit", "encoder.pe_array.quantization_latency_cycles=0:100",
                             "--output", s.path("calibrated.yaml"), "--kernel", "native", "--jobs", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("encoder.pe_array.quantization_latency_cycles = 23   (searched 0…100)"), "\(r.stdout)")
        #expect(r.stdout.contains("worst distance 0.000%"), "\(r.stdout)")
        let written = try String(contentsOfFile: s.path("calibrated.yaml"), encoding: .utf8)
        #expect(written.contains("quantization_latency_cycles: 23"), "\(written)")
        // The calibrated config simulates the measurement exactly.
        let again = try s.simulate(s.path("calibrated.yaml"), length: 16, metric: Self.meanLatency)
        let measured = try s.simulate(s.path("changed.yaml"), length: 16, metric: Self.meanLatency)
        #expect(again == measured)
    }

    /// More parameters than measurements: refused before any simulation.
    @Test func calibrateRefusesMoreParametersThanMeasurements() throws {
        let s = try Scratch()
        defer { s.remove() }
        try s.write("one.csv", Self.header + "base.yaml,bert-base,16,1,1,latency_ms,1.0,1,\"one\"\n")
        let r = try bertsim(["calibrate", "--measurements", s.path("one.csv"), "--fit", "encoder.pe_array.quantization_latency_cycles=0:9",
                             "--fit", "encoder.pe_array.adder_tree_latency_cycles=0:9", "--output", s.path("c.yaml"),
                             "--kernel", "native"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--fit: 2 parameters cannot be fitted to 1 measurement"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: s.path("c.yaml")))
        let unknown = try bertsim(["calibrate", "--measurements", s.path("one.csv"), "--fit", "encoder.pe_array.no_such_key=0:9",
                                   "--output", s.path("c.yaml"), "--kernel", "native"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no_such_key"), "\(unknown.stderr)")
    }

    static let mistakes: [(String, String)] = {
        let h = header
        var cases: [(String, String)] = [("config,model\n", "t.csv:1: the header must be")]
        cases.append((h + "c.yaml,bert-base,128,1,1,latency_ms,43.89,3\n", "t.csv:2: expected 9 comma-separated values"))
        cases.append((h + "c.yaml,bert-huge,128,1,1,latency_ms,43.89,3,s\n", "t.csv:2: model: 'bert-huge' is not a model preset"))
        cases.append((h + "c.yaml,bert-base,600,1,1,latency_ms,43.89,3,s\n", "t.csv:2: length: 600 tokens is longer"))
        cases.append((h + "c.yaml,bert-base,128,0,1,latency_ms,43.89,3,s\n", "t.csv:2: batch: '0' is not a positive integer"))
        cases.append((h + "c.yaml,bert-base,128,1,1,speed,43.89,3,s\n", "t.csv:2: metric: 'speed' is not one of"))
        cases.append((h + "c.yaml,bert-base,128,1,1,latency_ms,fast,3,s\n", "t.csv:2: measured: 'fast' is not a positive number"))
        cases.append((h + "# comment, with \"quotes\"\n\nc.yaml,bert-base,128,1,1,power_w,9.8,-1,s\n", "t.csv:4: tolerance_pct:"))
        cases.append((h, "t.csv: no measurements"))
        return cases
    }()

    /// Every mistake in a table names the file, the line and the column.
    @Test(arguments: mistakes)
    func tableMistakesAreLocated(_ text: String, _ expected: String) {
        do {
            _ = try MeasurementTable(text: text, path: "t.csv")
            Issue.record("no error for \(text)")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }

    @Test func calibrationGridsAndProducts() {
        #expect(Calibration.grid((0, 100), points: 9, integer: true) == [0, 13, 25, 38, 50, 63, 75, 88, 100])
        #expect(Calibration.grid((22, 24), points: 9, integer: true) == [22, 23, 24])
        #expect(Calibration.grid((0, 1), points: 3, integer: false) == [0, 0.5, 1])
        #expect(Calibration.product([[1, 2], [3, 4]]) == [[1, 3], [1, 4], [2, 3], [2, 4]])
    }
}
