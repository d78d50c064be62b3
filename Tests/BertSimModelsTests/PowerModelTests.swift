import BertSimCore
import BertSimWorkload
import Testing
@testable import BertSimModels

/// A model whose every coefficient is a round number, for the hand-worked formulas.
private func roundModel() -> PowerModel {
    var m = PowerModel()
    m.dspUWPerMHz = 5
    m.bram18kUWPerMHz = 10
    m.uramUWPerMHz = 30
    m.lutUWPerMHz = 0.1
    m.ffUWPerMHz = 0.05
    m.clockNetworkMWPerMHz = 2
    m.clockFFUWPerMHz = 0.04
    m.clockDSPUWPerMHz = 0.5
    m.clockBRAM18kUWPerMHz = 0.25
    m.clockURAMUWPerMHz = 1
    m.memoryInterfaceW = 0.5
    m.memoryInterfaceActiveW = 1
    m.dramBackgroundW = 0.25
    m.dramBytePJ = 50
    return m
}

/// A resource estimate of exactly `parts`.
private func estimate(_ parts: [ResourceEstimate.Part]) -> ResourceEstimate {
    var r = ResourceEstimate(config: fqbertZCU102())
    r.parts = parts
    return r
}

private func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool { abs(a - b) <= tolerance * max(1, abs(b)) }

@Suite struct PowerModelTests {
    /// 10 DSP × 5 + 4 BRAM18K × 10 + 1 URAM × 30 + 100 LUT × 0.1 + 200 FF × 0.05 = 140 µW/MHz;
    /// at 100 MHz and activity 0.5: 100 × 0.5 × 140 µW = 7 mW.
    @Test func unitDynamicPowerIsClockTimesActivityTimesResources() {
        let part = ResourceEstimate.Part(unit: "array", dsp: 10, bram18k: 4, uram: 1, lut: 100, ff: 200)
        #expect(close(roundModel().dynamicW(part, activity: 0.5, megahertz: 100), 0.007))
        #expect(roundModel().dynamicW(part, activity: 0, megahertz: 100) == 0)
    }

    /// Network 2 mW/MHz; loads 2,000 FF × 0.04 + 100 DSP × 0.5 + 10 BRAM18K × 0.25 + 2 URAM × 1 =
    /// 134.5 µW/MHz; at 200 MHz: 200 × (2 mW + 0.1345 mW) = 0.4269 W, whatever the activity.
    @Test func clockTreeCountsEveryClockedResourceEveryCycle() {
        let r = estimate( [
            .init(unit: "array", dsp: 100, lut: 1_000, ff: 1_500),
            .init(unit: "io_buffer", bram18k: 10, uram: 2, lut: 50, ff: 500),
        ])
        #expect(close(roundModel().clockTreeW(r, megahertz: 200), 0.4269))
    }

    /// Compute units: busy ÷ cycles (capped at 1; a unit without a ledger entry is idle);
    /// buffers: bytes ÷ (cycles × ports) with 9 bytes a cycle per BRAM18K and 18 per URAM;
    /// memory interface: channel busy ÷ (channels × cycles); control and unknown parts: 1.
    @Test func activitiesComeFromTheLedgersBytesAndChannels() {
        let parts: [ResourceEstimate.Part] = [
            .init(unit: "array"), .init(unit: "softmax"), .init(unit: "estimator"),
            .init(unit: "io_buffer", bram18k: 10), .init(unit: "weight_buffer", uram: 1),
            .init(unit: "memory_interface"), .init(unit: "control"), .init(unit: "mystery_block"),
        ]
        let a = PowerModel.Activity(busyCycles: ["pe_array": 500, "softmax": 1_200], channelBusyCycles: 500,
                                    bufferBytes: 10_800, offChipBytes: 0)
        // Ports: 10 × 9 + 1 × 18 = 108 bytes a cycle; 10,800 bytes over 1,000 cycles = 0.1.
        #expect(PowerModel.activities(parts: parts, activity: a, cycles: 1_000, channels: 2) == [0.5, 1, 0, 0.1, 0.1, 0.25, 1, 1])
        #expect(PowerModel.activities(parts: parts, activity: a, cycles: 0, channels: 2) == [0, 0, 0, 0, 0, 0, 1, 1])
    }

    /// Two channels with data on the bus a quarter of the time: 2 × (0.5 + 1 × 0.25) = 1.5 W;
    /// their DRAM moving 10⁶ bytes in 1 ms: 2 × 0.25 + 10⁶ × 50 pJ ÷ 1 ms = 0.55 W.
    @Test func memoryInterfaceAndDRAMByHand() {
        let m = roundModel()
        #expect(close(m.memoryInterfaceW(channels: 2, share: 0.25), 1.5))
        #expect(close(m.dramW(channels: 2, bytes: 1_000_000, seconds: 0.001), 0.55))
        #expect(close(m.dramW(channels: 2, bytes: 0, seconds: 0), 0.5))
    }

    /// `memory.kind` decides the memory figures; a board with its own DRAM (the U200's
    /// registered DIMMs) sets the background.
    @Test func memoryDefaultsByKindAndBoard() {
        let ddr4 = PowerModel(memoryKind: "ddr4"), hbm2 = PowerModel(memoryKind: "hbm2")
        #expect([ddr4.memoryInterfaceW, ddr4.memoryInterfaceActiveW, ddr4.dramBackgroundW, ddr4.dramBytePJ] == [0.6, 0.8, 0.3, 56])
        #expect([hbm2.memoryInterfaceW, hbm2.memoryInterfaceActiveW, hbm2.dramBackgroundW, hbm2.dramBytePJ] == [0.1, 0.25, 0.06, 31])
        #expect(PowerModel(memoryKind: "ddr4", board: Board.preset("u200")).dramBackgroundW == 1.2)
        #expect(PowerModel(memoryKind: "ddr4", board: Board.preset("zcu102")).dramBackgroundW == 0.3)
    }

    /// Every term of a whole estimate by hand, on a board measured at its input (baseline 1 W,
    /// 80% efficient regulators): 1,000 cycles at 100 MHz (10 µs), one inference.
    @Test func estimateSumsEveryTermAndTheBoardsLosses() {
        let board = Board(name: "b", device: "d", dsp: 100, bram18k: 100, uram: 0, lut: 10_000, ff: 10_000, staticPowerW: 1,
                          psBaseW: 0.25, psAPUW: 0.25, psDDRW: 0.5, baselineW: 1, regulatorEfficiency: 0.8, source: "")
        let resources = estimate( [
            .init(unit: "array", dsp: 10, lut: 1_000, ff: 1_000),       // 50 + 100 + 50 = 200 µW/MHz
            .init(unit: "io_buffer", bram18k: 10),                      // 100 µW/MHz
            .init(unit: "control", lut: 1_000),                         // 100 µW/MHz
        ])
        let activity = PowerModel.Activity(busyCycles: ["pe_array": 250], channelBusyCycles: 500, bufferBytes: 45_000,
                                           offChipBytes: 2_000)
        let p = PowerEstimate(model: roundModel(), board: board, resources: resources, activity: activity,
                              clock: Clock(kilohertz: 100_000), cycles: Cycles(1_000), channels: 1, requests: 1)
        // Dynamic: array 100 × 0.25 × 200 µW = 5 mW; buffer 45,000 ÷ (1,000 × 90) = 0.5 → 5 mW;
        // control 100 × 1 × 100 µW = 10 mW.
        #expect(p.units.map(\.activity) == [0.25, 0.5, 1])
        #expect(close(p.watts.dynamic, 0.02))
        // Clock: 100 × (2 mW + (1,000 × 0.04 + 10 × 0.5 + 10 × 0.25) µW) = 0.20475 W.
        #expect(close(p.watts.clockTree, 0.20475))
        // Memory: 0.5 + 1 × 0.5 = 1 W; DRAM: 0.25 + 2,000 × 50 pJ ÷ 10 µs = 0.26 W.
        #expect(close(p.watts.memoryInterface, 1))
        #expect(close(p.watts.dram, 0.26))
        #expect(p.watts.staticPower == 1 && p.watts.processingSystem == 1)
        // Rails: 1 + 1 + 0.20475 + 0.02 + 1 + 0.26 = 3.48475 W; board: 1 + 3.48475 × (1/0.8 − 1).
        let rails = 3.48475
        #expect(close(p.watts.board, 1 + rails * 0.25))
        #expect(close(p.averageW, rails / 0.8 + 1))
        // Energy: power × 10 µs, in mJ; one inference.
        #expect(close(p.energy.total, p.averageW * 1e-5 * 1e3))
        #expect(close(p.energy.clockTree, 0.20475 * 1e-2))
        #expect(close(p.units[0].millijoules, 0.005 * 1e-2))
        #expect(close(p.energyPerInferenceMJ, p.energy.total))
        #expect(close(p.inferencesPerSPerW, 1 / (p.energy.total / 1e3)))
        #expect(p.staticW == 1)
    }

    /// The calibration point (docs/power.md): FQ-BERT's (N, M) = (8, 16) design on a ZCU102
    /// (DATE 2021, Table III: 9.8 W) with the inputs the resource and timing changes will
    /// give: 1,712 DSP and 822 BRAM18K (today's per-unit estimate scaled to those totals),
    /// 43.9 ms at 214 MHz, the PE array busy 82%, softmax and LayerNorm 147,456 cycles and
    /// GELU 294,912 (today's), the DDR4 channel's data phases 27.5%, today's off-chip and
    /// buffer bytes. The shipped defaults give 9.8 W within 5%.
    @Test func fqbertZCU102CalibrationPoint() throws {
        let today = ResourceEstimate(config: fqbertZCU102())
        let parts = Self.scaled(today.parts, dsp: 1_712, bram18k: 822)
        let resources = estimate( parts)
        #expect(resources.dsp == 1_712 && resources.bram18k == 822 && resources.uram == 0)
        #expect(resources.lut == today.lut && resources.ff == today.ff)
        let clock = Clock(kilohertz: 214_000)
        let cycles = 9_394_600   // 43.9 ms at 214 MHz
        let activity = PowerModel.Activity(
            busyCycles: ["pe_array": 0.82 * Double(cycles), "softmax": 147_456, "layernorm": 147_456, "gelu": 294_912],
            channelBusyCycles: 0.275 * Double(cycles), bufferBytes: 5_934_194_784, offChipBytes: 43_032_672)
        let board = try #require(Board.preset("zcu102"))
        let p = PowerEstimate(model: PowerModel(memoryKind: "ddr4", board: board), board: board, resources: resources,
                              activity: activity, clock: clock, cycles: Cycles(cycles), channels: 1, requests: 1)
        #expect(abs(p.averageW - 9.8) / 9.8 <= 0.05, "\(p.averageW) W")
        // The terms add up, the board adds nothing at the rails, and energy is power × time.
        #expect(close(p.averageW, p.watts.total) && p.watts.board == 0)
        #expect(close(p.energyPerInferenceMJ, p.averageW * 43.9))
        #expect(close(p.inferencesPerSPerW, 1 / (p.averageW * 0.0439)))
        // Without the array's activity the design draws less: the model follows the simulation.
        var idle = activity
        idle.busyCycles["pe_array"] = 0
        let quiet = PowerEstimate(model: PowerModel(memoryKind: "ddr4", board: board), board: board, resources: resources,
                                  activity: idle, clock: clock, cycles: Cycles(cycles), channels: 1, requests: 1)
        #expect(quiet.averageW < p.averageW - 1)
    }

    /// `parts` with their DSP and BRAM18K scaled to the totals given (largest remainder).
    static func scaled(_ parts: [ResourceEstimate.Part], dsp: Int, bram18k: Int) -> [ResourceEstimate.Part] {
        func apportion(_ values: [Int], _ total: Int) -> [Int] {
            let sum = values.reduce(0, +)
            let exact = values.map { Double($0) * Double(total) / Double(sum) }
            var out = exact.map { Int($0.rounded(.down)) }
            let order = exact.indices.sorted { exact[$0] - Double(out[$0]) > exact[$1] - Double(out[$1]) }
            for i in order.prefix(total - out.reduce(0, +)) { out[i] += 1 }
            return out
        }
        let d = apportion(parts.map(\.dsp), dsp), b = apportion(parts.map(\.bram18k), bram18k)
        return parts.indices.map { i in
            var p = parts[i]
            p.dsp = d[i]
            p.bram18k = b[i]
            return p
        }
    }

    /// The simulation hands the model each unit's ledger busy cycles and the channels'
    /// data-phase cycles.
    @Test func netlistActivityIsTheLedgers() throws {
        var sent = false
        let kernel = EventQueueKernel()
        defer { kernel.finish() }
        let n = try EncoderNetlist(model: .bertBase, config: fqbertZCU102(), clock: Clock(kilohertz: 214_000), batch: nil,
                                   kernel: kernel) {
            defer { sent = true }
            return sent ? nil : Request(id: 0, arrivalNs: 0, tokens: 16)
        }
        let result = try n.run()
        let a = try #require(result.activity)
        for stage in result.stages where ["pe_array", "softmax", "layernorm", "gelu"].contains(stage.name) {
            #expect(a.busyCycles[stage.name] == Double(stage.busy.count), "\(stage.name)")
        }
        let channels = try #require(result.memory?.channels)
        #expect(a.channelBusyCycles == Double(channels.reduce(0) { $0 + $1.busyCycles }))
        #expect(a.offChipBytes == channels.reduce(0) { $0 + $1.bytes })
        #expect((a.busyCycles["pe_array"] ?? 0) > 0)
    }

    /// The length-aware scheduler's stage runs use a partition: their busy cycles count at the
    /// partition's share of each unit (6 of 12 PUs: half; softmax ⌊16 × 6/12⌋ = 8 of 16 lanes;
    /// one PU: 1 of 16 lanes), and the channel's at its bandwidth share.
    @Test func partitionRunsCountAtTheirShare() throws {
        let design = fqbertZCU102()
        let cost = try EncoderStageCost(model: .bertBase, config: design, clock: Clock(kilohertz: 214_000), stages: 2)
        let half = cost.partition(6), one = cost.partition(1)
        #expect(EncoderStageCost.share(of: "pe_array", partition: half, design: design) == 0.5)
        #expect(EncoderStageCost.share(of: "softmax", partition: half, design: design) == 0.5)
        #expect(EncoderStageCost.share(of: "softmax", partition: one, design: design) == 1.0 / 16)
        #expect(EncoderStageCost.share(of: "selector", partition: one, design: design) == 1)
        var sum = PowerModel.Activity.none
        sum.add(.init(busyCycles: ["pe_array": 1_000, "softmax": 100], channelBusyCycles: 40, bufferBytes: 7, offChipBytes: 3),
                unitShare: { $0 == "pe_array" ? 0.5 : 0.25 }, channelShare: 0.5)
        sum.add(.init(busyCycles: ["pe_array": 10], channelBusyCycles: 0, bufferBytes: 1, offChipBytes: 1))
        #expect(sum == .init(busyCycles: ["pe_array": 510, "softmax": 25], channelBusyCycles: 20, bufferBytes: 8, offChipBytes: 4))
    }
}
