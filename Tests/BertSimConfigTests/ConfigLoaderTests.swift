import BertSimCore
import BertSimModels
import Foundation
import Testing
@testable import BertSimConfig

/// Parses YAML text as if it came from `t.yaml`, returning the error if any.
func configError(_ yaml: String) -> InputError? {
    do {
        _ = try ConfigLoader.parse(yaml, file: "t.yaml")
        return nil
    } catch {
        return error
    }
}

let base = """
    name: t
    clock_mhz: 200
    design: pipeline
    pipeline:
      fifo_depth_items: 2
      stages:
        - name: a
          latency_cycles: 3

    """

@Suite struct ConfigLoaderTests {
    @Test func readsAValidConfigWithDefaults() throws {
        let c = try ConfigLoader.parse(base, file: "t.yaml")
        #expect(c.clock == Clock(kilohertz: 200_000))
        #expect(c.design == .pipeline(.init(fifoDepth: 2, stages: [
            .init(name: "a", latency: 3, initiationInterval: 1, depth: 1, lanes: 1)
        ])))
    }

    @Test func fixtureLoadsFromDiskWithAStableHash() throws {
        let path = Bundle.module.path(forResource: "valid", ofType: "yaml", inDirectory: "Fixtures")!
        let a = try ConfigLoader.load(path: path)
        let b = try ConfigLoader.load(path: path)
        #expect(a.hash == b.hash)
        #expect(a.hash.count == 16)
        #expect(a.canonicalJSON.contains("\"clock_mhz\":250"))
    }

    @Test func unknownKeyNamesLineAndField() {
        let e = configError(base + "      bogus_key: 1\n")
        #expect(e?.line == 9)
        #expect(e?.field == "pipeline.stages[0].bogus_key")
        #expect(e?.description.hasPrefix("t.yaml:9: pipeline.stages[0].bogus_key: unknown key") == true)
    }

    @Test func unknownTopLevelKey() {
        let e = configError("name: t\nclock_mhz: 1\nclock_ghz: 2\ndesign: pipeline\npipeline:\n  stages:\n    - name: a\n")
        #expect(e?.line == 3)
        #expect(e?.field == "clock_ghz")
    }

    @Test func wrongTypeIsRejected() {
        let e = configError(base.replacingOccurrences(of: "latency_cycles: 3", with: "latency_cycles: fast"))
        #expect(e?.line == 8)
        #expect(e?.field == "pipeline.stages[0].latency_cycles")
        #expect(e?.message == "expected an integer cycles, found 'fast'")
    }

    @Test func quotedNumberIsAWrongType() {
        let e = configError(base.replacingOccurrences(of: "latency_cycles: 3", with: "latency_cycles: \"3\""))
        #expect(e?.field == "pipeline.stages[0].latency_cycles")
    }

    @Test func negativeLatencyIsOutOfRange() {
        let e = configError(base.replacingOccurrences(of: "latency_cycles: 3", with: "latency_cycles: -4"))
        #expect(e?.line == 8)
        #expect(e?.message == "-4 is out of range 0...1000000 cycles")
    }

    @Test func missingRequiredKey() {
        let e = configError("name: t\ndesign: pipeline\npipeline:\n  stages:\n    - name: a\n")
        #expect(e?.field == "clock_mhz")
        #expect(e?.message == "missing (required)")
    }

    @Test func duplicateStageNames() {
        let e = configError(base + "    - name: a\n")
        #expect(e?.line == 9)
        #expect(e?.field == "pipeline.stages[1].name")
    }

    @Test func listWhereAValueBelongs() {
        let e = configError(base.replacingOccurrences(of: "clock_mhz: 200", with: "clock_mhz: [1, 2]"))
        #expect(e?.field == "clock_mhz")
        #expect(e?.line == 2)
    }

    @Test func yamlSyntaxErrorHasALine() {
        let e = configError("name: t\nclock_mhz: 200\npipeline:\n  stages: [\n")
        #expect(e?.line != nil)
        #expect(e?.message.hasPrefix("YAML syntax") == true)
    }

    @Test func duplicateKey() {
        let e = configError("name: t\nname: u\nclock_mhz: 1\ndesign: pipeline\npipeline:\n  stages:\n    - name: a\n")
        #expect(e?.line != nil)
        #expect(e?.field == "name")
    }

    @Test func emptyAndScalarDocuments() {
        #expect(configError("")?.message == "empty config: nothing to simulate")
        #expect(configError("just words")?.message.hasPrefix("expected a mapping") == true)
    }

    @Test func missingFileAndBinaryFile() throws {
        #expect(throws: InputError(file: "/nonexistent/x.yaml", "no such file")) {
            _ = try ConfigLoader.load(path: "/nonexistent/x.yaml")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bin-\(UUID()).yaml").path
        FileManager.default.createFile(atPath: path, contents: Data([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try ConfigLoader.load(path: path)
            Issue.record("binary file accepted")
        } catch {
            #expect(error.line == 1)
            #expect(error.message.contains("binary"))
        }
    }

    @Test func clockMustBeWholeKilohertz() {
        let e = configError(base.replacingOccurrences(of: "clock_mhz: 200", with: "clock_mhz: 200.0004"))
        #expect(e?.field == "clock_mhz")
    }
}

let encoderYAML = """
    name: e
    clock_mhz: 200
    encoder:
      pe_array:
        processing_units: 2
        pes_per_unit: 4
        multipliers_per_pe: 8
      softmax:
        lanes: 4
      layernorm:
        lanes: 8
      gelu:
        lanes: 8
      memory:
        bandwidth_mb_per_s: 3200
        latency_ns: 52
        axi_width_bits: 128
      buffers:
        io_kib: 64
        weight_kib: 4
        intermediate_kib: 256
        parameter_kib: 4

    """

@Suite struct EncoderConfigTests {
    @Test func encoderIsTheDefaultDesignAndNanosecondsBecomeCycles() throws {
        let c = try ConfigLoader.parse(encoderYAML, file: "e.yaml")
        guard case .encoder(let e) = c.design else {
            Issue.record("not an encoder")
            return
        }
        #expect(e.array.lanes == 8)
        #expect(e.precision == .init(weightBits: 4, activationBits: 8, biasBits: 32))
        #expect(e.memory.latencyCycles == 11)       // ⌈52 ns × 200 MHz⌉ = ⌈10.4⌉
        #expect(e.memory.axiWidthBytes == 16)
        #expect(e.memory.maxOutstanding == 8)
        #expect(e.softmax.middleLatency == 8)
        #expect(e.gelu.middleLatency == 0)
    }

    @Test func unknownKeyInASection() {
        let e = configError(encoderYAML.replacingOccurrences(of: "    lanes: 4\n", with: "    lanes: 4\n    turbo: 1\n"))
        #expect(e?.field == "encoder.softmax.turbo")
        #expect(e?.line == 10)
    }

    @Test func gluHasNoMiddleLatency() {
        let e = configError(encoderYAML.replacingOccurrences(
            of: "  gelu:\n    lanes: 8\n", with: "  gelu:\n    lanes: 8\n    middle_latency_cycles: 3\n"))
        #expect(e?.field == "encoder.gelu.middle_latency_cycles")
    }

    @Test func oddMultipliersAreRejected() {
        let e = configError(encoderYAML.replacingOccurrences(of: "multipliers_per_pe: 8", with: "multipliers_per_pe: 7"))
        #expect(e?.field == "encoder.pe_array.multipliers_per_pe")
        #expect(e?.line == 7)
        #expect(e?.message.contains("even") == true)
    }

    @Test func missingSection() {
        let e = configError(encoderYAML.replacingOccurrences(of: "  gelu:\n    lanes: 8\n", with: ""))
        #expect(e?.field == "encoder.gelu")
        #expect(e?.message == "missing (required)")
    }

    @Test func zeroLanesAndABadAXIWidth() {
        #expect(configError(encoderYAML.replacingOccurrences(of: "lanes: 4", with: "lanes: 0"))?.field == "encoder.softmax.lanes")
        #expect(configError(encoderYAML.replacingOccurrences(of: "axi_width_bits: 128", with: "axi_width_bits: 100"))?.field
            == "encoder.memory.axi_width_bits")
    }

    @Test func sectionOfTheOtherDesign() {
        let e = configError(encoderYAML + "pipeline:\n  stages:\n    - name: a\n")
        #expect(e?.field == "pipeline")
    }
}

/// The power model's sections: `board:` (a preset, a mapping, or a preset with overrides) and
/// `power:` (coefficient overrides; memory figures by `memory.kind`) (docs/power.md).
@Suite struct PowerConfigTests {
    /// The small encoder of `encoderYAML` on a board, with `memory.kind` and extra top-level text.
    func config(board: String, kind: String = "ddr4", extra: String = "") throws -> HardwareConfig {
        let yaml = encoderYAML.replacingOccurrences(of: "  memory:\n", with: "  memory:\n    kind: \(kind)\n")
            + "board:\(board)\n" + extra
        return try ConfigLoader.parse(yaml, file: "p.yaml")
    }

    @Test func presetsCarryTheirPowerFigures() throws {
        let c = try config(board: " zcu102")
        #expect(c.board == Board.preset("zcu102"))
        #expect(c.board?.processingSystemW == 2.4)
        #expect(c.power == PowerModel(memoryKind: "ddr4"))
    }

    @Test func memoryKindDecidesTheMemoryFigures() throws {
        let hbm = try #require(try config(board: " u280", kind: "hbm2").power)
        #expect(hbm.memoryInterfaceW == 0.1 && hbm.dramBytePJ == 31 && hbm.dramBackgroundW == 0.06)
        // The U200's registered DIMMs: its own DRAM background.
        #expect(try config(board: " u200").power?.dramBackgroundW == 1.2)
    }

    @Test func powerOverridesCoefficientsAndKeepsTheKindsDefaultsOtherwise() throws {
        let c = try config(board: " u280", kind: "hbm2", extra: "power:\n  dsp_uw_per_mhz: 5\n  dram_byte_pj: 40\n")
        let p = try #require(c.power)
        #expect(p.dspUWPerMHz == 5 && p.dramBytePJ == 40)
        #expect(p.memoryInterfaceW == 0.1 && p.lutUWPerMHz == PowerModel().lutUWPerMHz)
        // The resolved config holds every coefficient and reads back the same.
        let decoded = try JSONDecoder().decode(HardwareConfig.self, from: try JSONEncoder().encode(c))
        #expect(decoded == c)
    }

    @Test func aBoardMappingStartsFromAPresetAndOverridesIt() throws {
        let c = try config(board: "\n  preset: zcu102\n  static_power_w: 1.25\n  ps_apu_w: 0.3\n  dram_background_w: 0.5\n")
        var expected = try #require(Board.preset("zcu102"))
        expected.staticPowerW = 1.25
        expected.psAPUW = 0.3
        expected.dramBackgroundW = 0.5
        #expect(c.board == expected)
        #expect(c.power?.dramBackgroundW == 0.5)
        let decoded = try JSONDecoder().decode(HardwareConfig.self, from: try JSONEncoder().encode(c))
        #expect(decoded == c)
    }

    @Test func aBoardMappingWithoutAPresetNeedsItsBudgetsAndDefaultsToNoProcessingSystem() throws {
        let c = try config(board: "\n  name: mine\n  dsp: 2000\n  bram18k: 2000\n  lut: 300000\n  ff: 600000\n")
        let b = try #require(c.board)
        #expect(b.processingSystemW == 0 && b.baselineW == 0 && b.regulatorEfficiency == 1 && b.dramBackgroundW == nil)
        #expect(b.staticPowerW == 1)
        let missing = configError(encoderYAML + "board:\n  name: mine\n  dsp: 2000\n")
        #expect(missing?.field == "board.bram18k" && missing?.message == "missing (required)", "\(String(describing: missing))")
        let unknown = configError(encoderYAML + "board:\n  preset: zcu999\n")
        #expect(unknown?.field == "board.preset" && unknown?.message.contains("is not one of") == true, "\(String(describing: unknown))")
        let efficiency = configError(encoderYAML + "board:\n  preset: u200\n  regulator_efficiency: 0\n")
        #expect(efficiency?.field == "board.regulator_efficiency", "\(String(describing: efficiency))")
        let key = configError(encoderYAML + "board: zcu102\npower:\n  multiplier_use_pj: 1\n")
        #expect(key?.field == "power.multiplier_use_pj" && key?.message.hasPrefix("unknown key") == true, "\(String(describing: key))")
    }
}
