import BertSimCore
import BertSimWorkload
import Testing
@testable import BertSimModels
import BertSimTestSupport

/// The systolic array's closed form (`SystolicArray.tile`, fold = `2R + C + T − 2` cycles)
/// by hand and against the per-cycle, data-level ``SystolicReference``; and whole encoders
/// with a systolic array, the event-driven netlist against the per-cycle ``EncoderReference``.
@Suite struct SystolicArrayTests {
    static func array(_ r: Int, _ c: Int, _ dataflow: SystolicArray.Dataflow, peBits: Int = 8) -> SystolicArray {
        SystolicArray(rows: r, columns: c, dataflow: dataflow, peBits: peBits, outputLatency: 2)
    }

    /// The closed form's tile cost.
    static func closed(_ a: SystolicArray, rows: Int, k: Int, width: Int, aBits: Int = 8, bBits: Int = 8) -> TaskCost {
        a.tile(rows: rows, k: k, width: width, aBits: aBits, bBits: bBits)
    }

    /// The per-cycle reference's run of the same tile, with random operands.
    static func reference(_ a: SystolicArray, rows: Int, k: Int, width: Int, aBits: Int = 8, bBits: Int = 8,
                          control: SystolicReference.Control = .fullFolds, seed: UInt64 = 1) throws -> SystolicReference.Run {
        try SystolicReference.tile(a, rows: rows, k: k, width: width, aBits: aBits, bBits: bBits, control: control, seed: seed)
    }

    // MARK: By hand

    /// An 8×8×8 GEMM on a 4×4 array, 8-bit operands on 8-bit PEs (p = 1): two tiles of width 4
    /// (columns 0–3 and 4–7).
    /// - OS: ⌈8/4⌉ = 2 folds (rows 0–3, 4–7), T = K·p = 8. A fold: PE (3, 3) gets its first
    ///   operands at 3 + 3 = 6, its 8 MACs at 6…13, then R = 4 drain cycles 14…17: 18 =
    ///   2·4 + 4 + 8 − 2. Tile 2 × 18 = 36, GEMM 72.
    /// - WS: ⌈8/4⌉ = 2 folds (k 0–3, 4–7), T = rows·p = 8, fold 2·4 + 4 + 8 − 1 = 19 (weight
    ///   load 0…3, PE (3, 3)'s MACs 4 + 6 = 10…17, the last partial sum read out at 18), tile 38,
    ///   GEMM 76.
    @Test func squareGEMMByHand() throws {
        for dataflow in SystolicArray.Dataflow.allCases {
            let a = Self.array(4, 4, dataflow)
            // Both tiles (columns 0–3 and 4–7) have the same shape.
            let tile = Self.closed(a, rows: 8, k: 8, width: 4)
            let expected = dataflow == .outputStationary ? 36 : 38
            #expect(tile.issue == expected, "\(dataflow)")
            #expect(2 * tile.issue == 2 * expected)
            #expect(tile.latency == 2)
            #expect(tile.work == 8 * 8 * 4)
            let run = try Self.reference(a, rows: 8, k: 8, width: 4)
            #expect(run.folds.map(\.length) == (dataflow == .outputStationary ? [18, 18] : [19, 19]), "\(dataflow)")
        }
    }

    /// rows 8, K 16, width 4 on 4×4 tells the dataflows apart.
    /// - OS: ⌈8/4⌉ = 2 folds, T = 16: 2 × (8 + 4 + 16 − 2) = 2 × 26 = 52.
    /// - WS: ⌈16/4⌉ = 4 folds, T = 8: 4 × (8 + 4 + 8 − 1) = 4 × 19 = 76.
    @Test func nonSquareGEMMSeparatesTheDataflows() throws {
        #expect(Self.closed(Self.array(4, 4, .outputStationary), rows: 8, k: 16, width: 4).issue == 52)
        #expect(Self.closed(Self.array(4, 4, .weightStationary), rows: 8, k: 16, width: 4).issue == 76)
        #expect(try Self.reference(Self.array(4, 4, .outputStationary), rows: 8, k: 16, width: 4).cycles == 52)
        #expect(try Self.reference(Self.array(4, 4, .weightStationary), rows: 8, k: 16, width: 4).cycles == 76)
    }

    /// A partial tile on 4×4: rows 6 (not a multiple of R), K 5, width 3 < C.
    /// - OS: ⌈6/4⌉ = 2 folds (rows 0–3, then 4–5 with 2 idle PE rows), T = 5; every fold is
    ///   charged the full array: 8 + 4 + 5 − 2 = 15, tile 30.
    /// - WS: ⌈5/4⌉ = 2 folds (k 0–3, then k 4 alone), T = 6: 8 + 4 + 6 − 1 = 17, tile 34.
    /// Fed only the real operands, the reference finishes earlier: an OS fold of r′ rows and w
    /// columns takes R + r′ + w + T − 2 (4+4+3+5−2 = 14, 4+2+3+5−2 = 12: 26), a WS fold of k′
    /// k-indices k′ + R + w + T − 1 (4+4+3+6−1 = 16, 1+4+3+6−1 = 13: 29).
    @Test func partialTilesByHand() throws {
        let os = Self.array(4, 4, .outputStationary), ws = Self.array(4, 4, .weightStationary)
        #expect(Self.closed(os, rows: 6, k: 5, width: 3).issue == 30)
        #expect(Self.closed(ws, rows: 6, k: 5, width: 3).issue == 34)
        #expect(try Self.reference(os, rows: 6, k: 5, width: 3).cycles == 30)
        #expect(try Self.reference(ws, rows: 6, k: 5, width: 3).cycles == 34)
        #expect(try Self.reference(os, rows: 6, k: 5, width: 3, control: .realOperandsOnly).folds.map(\.length) == [14, 12])
        #expect(try Self.reference(ws, rows: 6, k: 5, width: 3, control: .realOperandsOnly).folds.map(\.length) == [16, 13])
        // One row, one k, one column: a single fold either way.
        #expect(Self.closed(os, rows: 1, k: 1, width: 1).issue == 2 * 4 + 4 + 1 - 2)
        #expect(Self.closed(ws, rows: 1, k: 1, width: 1).issue == 2 * 4 + 4 + 1 - 1)
    }

    /// Operands wider than the PE take p = ⌈a/w⌉·⌈b/w⌉ cycles per MAC. On 4×4 with 8-bit PEs,
    /// rows 4, K 8, width 4:
    /// - 16×16 (p = 4): OS 1 fold, T = 8·4 = 32: 8 + 4 + 32 − 2 = 42; WS 2 folds, T = 4·4 = 16:
    ///   2 × (8 + 4 + 16 − 1) = 54.
    /// - 16×8 (p = 2): OS T = 16: 26; WS T = 8: 2 × 19 = 38.
    /// - 8×4 on 4-bit PEs (p = 2·1 = 2): the same as 16×8 on 8-bit PEs.
    @Test func wideOperandsTakeSeveralCyclesPerMAC() throws {
        let os = Self.array(4, 4, .outputStationary), ws = Self.array(4, 4, .weightStationary)
        #expect(Self.closed(os, rows: 4, k: 8, width: 4, aBits: 16, bBits: 16).issue == 42)
        #expect(Self.closed(ws, rows: 4, k: 8, width: 4, aBits: 16, bBits: 16).issue == 54)
        #expect(Self.closed(os, rows: 4, k: 8, width: 4, aBits: 16, bBits: 8).issue == 26)
        #expect(Self.closed(ws, rows: 4, k: 8, width: 4, aBits: 16, bBits: 8).issue == 38)
        let os4 = Self.array(4, 4, .outputStationary, peBits: 4), ws4 = Self.array(4, 4, .weightStationary, peBits: 4)
        #expect(Self.closed(os4, rows: 4, k: 8, width: 4, aBits: 8, bBits: 4).issue == 26)
        #expect(Self.closed(ws4, rows: 4, k: 8, width: 4, aBits: 8, bBits: 4).issue == 38)
        // 16 digit products (p = 4) per MAC: 4·8·4 MACs are 512 PE-cycles of work.
        let run = try Self.reference(os, rows: 4, k: 8, width: 4, aBits: 16, bBits: 16)
        #expect(run.cycles == 42)
        #expect(run.digitMACs == 4 * 8 * 4 * 4)
        #expect(Self.closed(os, rows: 4, k: 8, width: 4, aBits: 16, bBits: 16).usedSlots == 512)
    }

    /// Lane utilization is usedSlots / laneSlots: digit products over issue cycles × R × C.
    /// - 8×8·8×4 OS on 4×4 (p = 1): 256 MACs over 36 × 16 = 576 slots: 4/9.
    /// - the partial tile 6×5·5×3 OS: 90 MACs over 30 × 16 = 480: 3/16.
    /// - 16×16 on 8-bit PEs (p = 4), 4×8·8×4 OS: 128 MACs are 512 slots of 42 × 16 = 672: 16/21.
    @Test func laneUtilization() {
        let os = Self.array(4, 4, .outputStationary)
        for (cost, used, offered) in [(Self.closed(os, rows: 8, k: 8, width: 4), 256, 576),
                                      (Self.closed(os, rows: 6, k: 5, width: 3), 90, 480),
                                      (Self.closed(os, rows: 4, k: 8, width: 4, aBits: 16, bBits: 16), 512, 672)] {
            #expect(cost.usedSlots == used)
            #expect(cost.laneSlots == offered)
        }
        let full = Self.closed(os, rows: 8, k: 8, width: 4)
        #expect(Double(full.usedSlots) / Double(full.laneSlots) == 4.0 / 9.0)
        // Through the ComputeArray front door the same.
        #expect(ComputeArray.systolic(os).tile(rows: 6, k: 5, width: 3, aBits: 8, bBits: 8) == Self.closed(os, rows: 6, k: 5, width: 3))
        #expect(ComputeArray.systolic(os).multipliers == 16)
        #expect(ComputeArray.systolic(os).lanes == 4)
    }

    // MARK: The closed form against the per-cycle reference

    /// A random tile shape and array from `seed`.
    struct Shape: CustomStringConvertible {
        var r: Int, c: Int, rows: Int, k: Int, width: Int, peBits: Int, aBits: Int, bBits: Int

        init(seed: UInt64) {
            var rng = SplitMix64(seed: seed)
            func pick(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(rng.next() % UInt64(range.count)) }
            func choose(_ xs: [Int]) -> Int { xs[pick(0...(xs.count - 1))] }
            r = pick(1...7)
            c = pick(1...7)
            rows = pick(1...17)
            k = pick(1...17)
            width = pick(1...c)
            peBits = choose([4, 8, 16])
            aBits = choose([4, 8, 12, 16])
            bBits = choose([2, 4, 8, 16])
        }

        var description: String { "\(r)×\(c) array, \(peBits)-bit PEs, \(rows)×\(k)·\(k)×\(width), \(aBits)×\(bBits) bits" }
    }

    /// Every fold of a full-fold run: PE (R−1, C−1) does its last MAC at (R−1) + (C−1) + (T−1)
    /// after the stream starts (the skew of the closed form's doc comment), and OS drains R
    /// cycles after it.
    static func checkSkew(_ run: SystolicReference.Run, _ a: SystolicArray, t: Int, _ label: String) {
        for fold in run.folds {
            #expect(fold.lastMAC - fold.streamStart == (a.rows - 1) + (a.columns - 1) + (t - 1), "\(label) \(fold)")
            switch a.dataflow {
            case .outputStationary: #expect(fold.end - fold.lastMAC - 1 == a.rows, "\(label) \(fold)")
            case .weightStationary: #expect(fold.streamStart - fold.start == a.rows, "\(label) \(fold)")
            }
        }
    }

    /// Output-stationary: the closed form's issue, work, used and offered lane-slots equal the
    /// reference's cycles, MACs and digit products on every shape, partial folds and tiles
    /// included, when the controller runs every fold as a full block.
    @Test(arguments: 0..<40)
    func outputStationaryClosedFormMatchesTheReference(_ seed: Int) throws {
        for n in 0..<5 {
            let s = Shape(seed: UInt64(seed * 5 + n))
            let a = SystolicArray(rows: s.r, columns: s.c, dataflow: .outputStationary, peBits: s.peBits)
            let cost = Self.closed(a, rows: s.rows, k: s.k, width: s.width, aBits: s.aBits, bBits: s.bBits)
            let run = try Self.reference(a, rows: s.rows, k: s.k, width: s.width, aBits: s.aBits, bBits: s.bBits,
                                         seed: UInt64(seed))
            let p = s.aBits.ceilDiv(s.peBits) * s.bBits.ceilDiv(s.peBits)
            #expect(run.cycles == cost.issue, "\(s)")
            #expect(run.folds.count == s.rows.ceilDiv(s.r), "\(s)")
            #expect(run.digitMACs == cost.usedSlots, "\(s)")
            #expect(run.digitMACs == cost.work * p, "\(s)")
            #expect(run.cycles * s.r * s.c == cost.laneSlots, "\(s)")
            #expect(cost.usedSlots <= cost.laneSlots, "\(s)")
            #expect(run.digitMACs + run.paddingMACs == run.folds.count * s.r * s.c * s.k * p, "\(s)")
            Self.checkSkew(run, a, t: s.k * p, "\(s)")
        }
    }

    /// Weight-stationary: the closed form equals the per-cycle reference on every shape: the
    /// folds, the load of R cycles, the skew, the read-out of the last partial sum and the work.
    @Test(arguments: 0..<40)
    func weightStationaryClosedFormAgainstTheReference(_ seed: Int) throws {
        for n in 0..<5 {
            let s = Shape(seed: UInt64(seed * 5 + n))
            let a = SystolicArray(rows: s.r, columns: s.c, dataflow: .weightStationary, peBits: s.peBits)
            let cost = Self.closed(a, rows: s.rows, k: s.k, width: s.width, aBits: s.aBits, bBits: s.bBits)
            let run = try Self.reference(a, rows: s.rows, k: s.k, width: s.width, aBits: s.aBits, bBits: s.bBits,
                                         seed: UInt64(seed))
            let p = s.aBits.ceilDiv(s.peBits) * s.bBits.ceilDiv(s.peBits)
            #expect(run.cycles == cost.issue, "\(s)")
            #expect(run.folds.count == s.k.ceilDiv(s.r), "\(s)")
            #expect(run.digitMACs == cost.usedSlots, "\(s)")
            #expect(run.digitMACs == cost.work * p, "\(s)")
            #expect(run.digitMACs + run.paddingMACs == run.folds.count * s.r * s.c * s.rows * p, "\(s)")
            Self.checkSkew(run, a, t: s.rows * p, "\(s)")
        }
    }

    /// The smallest fold of each dataflow: a 1×1 array, one MAC. OS: the MAC in cycle 0, the
    /// accumulator read out in cycle 1: 2 cycles = 2·1 + 1 + 1 − 2. WS: the weight loaded in
    /// cycle 0, the MAC in cycle 1, the partial sum read out in cycle 2: 3 = 2·1 + 1 + 1 − 1
    /// (the weight load costs WS the cycle OS saves).
    @Test func smallestFoldOfEachDataflow() throws {
        let os = try Self.reference(Self.array(1, 1, .outputStationary), rows: 1, k: 1, width: 1)
        let ws = try Self.reference(Self.array(1, 1, .weightStationary), rows: 1, k: 1, width: 1)
        #expect(os.folds == [.init(start: 0, streamStart: 0, lastMAC: 0, end: 2, blockRows: 1)])
        #expect(ws.folds == [.init(start: 0, streamStart: 1, lastMAC: 1, end: 3, blockRows: 1)])
        #expect(Self.closed(Self.array(1, 1, .outputStationary), rows: 1, k: 1, width: 1).issue == 2)
        #expect(Self.closed(Self.array(1, 1, .weightStationary), rows: 1, k: 1, width: 1).issue == ws.cycles)
        #expect(ws.cycles == 3)
    }

    /// Fed only the real operands, a partial fold ends earlier than the closed form's full
    /// fold: OS `R + r′ + w + T − 2` (r′ real rows, w real columns), WS `k′ + R + w + T − 1`
    /// (k′ k-indices: k′ weight pushes; partial sums still cross all R rows). The closed form
    /// charges every fold as full (`r′ = R`, `w = C`), SCALE-Sim's padding; the products agree.
    @Test(arguments: 0..<20)
    func realOperandsOnlyShortensPartialFolds(_ seed: Int) throws {
        for n in 0..<5 {
            let s = Shape(seed: UInt64(1000 + seed * 5 + n))
            for dataflow in SystolicArray.Dataflow.allCases {
                let a = SystolicArray(rows: s.r, columns: s.c, dataflow: dataflow, peBits: s.peBits)
                let p = s.aBits.ceilDiv(s.peBits) * s.bBits.ceilDiv(s.peBits)
                let run = try Self.reference(a, rows: s.rows, k: s.k, width: s.width, aBits: s.aBits, bBits: s.bBits,
                                             control: .realOperandsOnly, seed: UInt64(seed))
                let full = try Self.reference(a, rows: s.rows, k: s.k, width: s.width, aBits: s.aBits, bBits: s.bBits,
                                              seed: UInt64(seed))
                let expected = run.folds.map { f in
                    dataflow == .outputStationary ? s.r + f.blockRows + s.width + s.k * p - 2
                        : f.blockRows + s.r + s.width + s.rows * p - 1
                }
                #expect(run.folds.map(\.length) == expected, "\(dataflow) \(s)")
                #expect(run.paddingMACs == 0)
                #expect(run.digitMACs == full.digitMACs)
                #expect(run.product == full.product)
                let isFull = run.folds.allSatisfy { $0.blockRows == s.r } && s.width == s.c
                #expect((run.cycles == full.cycles) == isFull, "\(dataflow) \(s)")
                #expect(run.cycles <= full.cycles)
            }
        }
    }

    /// The reference's numbers by hand: 2×3 · 3×2 on a 2×2 array, both dataflows and both
    /// controls, give the naive product; the naive product is right.
    @Test func referenceComputesTheProduct() throws {
        let a = [[1, 2, 3], [4, 5, 6]], b = [[7, 8], [9, 10], [11, 12]]
        #expect(SystolicReference.gemm(a, b) == [[58, 64], [139, 154]])
        for dataflow in SystolicArray.Dataflow.allCases {
            for control in SystolicReference.Control.allCases {
                let run = try SystolicReference.tile(Self.array(2, 2, dataflow, peBits: 4), a: a, b: b, aBits: 4, bBits: 4,
                                                     control: control)
                #expect(run.product == [[58, 64], [139, 154]], "\(dataflow) \(control)")
            }
        }
        // 16-bit operands on 4-bit PEs: 16 digit products per MAC, shifted into place.
        let wide = try SystolicReference.tile(Self.array(3, 2, .weightStationary, peBits: 4), a: [[65535, 4660]],
                                              b: [[65535, 1], [43981, 2]], aBits: 16, bBits: 16, control: .fullFolds)
        #expect(wide.product == [[65535 * 65535 + 4660 * 43981, 65535 + 4660 * 2]])
        #expect(wide.digitMACs == 2 * 2 * 16)
    }

    // MARK: Whole encoder

    /// Insertion order and one random order of simultaneous events.
    static let tieBreaks: [EventQueueKernel.TieBreak] = [.insertion, .random(seed: 7)]

    /// The named systolic scenarios: the netlist on the native kernel, both tie-breaks, against
    /// the per-cycle reference (completions, window, every stage's busy and bubble cycles).
    @Test(arguments: EncoderScenario.systolicNamed.map(\.name))
    func namedSystolicScenarioMatchesTheReference(_ name: String) throws {
        try EncoderReferenceTests.compare(EncoderScenario.systolicNamed(name)!, tieBreaks: Self.tieBreaks)
    }

    /// Random tiny cases with a random systolic array (both dataflows, 1–8 × 1–8, 4-, 8- and
    /// 16-bit PEs): the netlist against the per-cycle reference, both tie-breaks.
    @Test(arguments: 0..<12)
    func randomSystolicScenarioMatchesTheReference(_ seed: Int) throws {
        let s = EncoderScenario(systolicSeed: UInt64(seed))
        guard case .systolic = s.config.array else { Issue.record("\(s) has no systolic array"); return }
        try EncoderReferenceTests.compare(s, tieBreaks: [.insertion, .random(seed: UInt64(seed))])
    }

    /// The tiny layer's PE program on the systolic array: the PE array is busy (or padding)
    /// for exactly the tiles' fold cycles. 16 rows; q, k, v, o: 4 × 8 tiles of K 64; qk: 2
    /// pairs × 2 tiles (Lp 16 columns) of K 32; pv: 2 pairs × 4 tiles (D 32) of K 16; ffn1: 32
    /// tiles of K 64; ffn2: 8 tiles of K 256; p = 1 throughout (8-bit PEs, W4/A8, 8-bit scores).
    /// On 4×8 OS, 4 folds of `16 + K − 2` cycles a tile: 64 tiles × 4 × 78 + 4 × 4 × 46
    /// + 8 × 4 × 30 + 8 × 4 × 270 = 19968 + 736 + 960 + 8640 = 30304. On 4×8 WS, ⌈K/4⌉ folds of
    /// `2R + C + T − 1` = 8 + 8 + 16 − 1 = 31 cycles (T = 16 rows, p = 1) a tile: 64 tiles × 16
    /// folds (K 64) + 4 × 8 (K 32) + 8 × 4 (K 16) + 8 × 64 (K 256) = 1600 folds, 49600 cycles.
    @Test func systolicTinyLayerIssuesTheClosedFormFolds() throws {
        func peCycles(_ name: String) throws -> Int {
            let r = try EncoderScenario.systolicNamed(name)!.reference()
            let pe = r.outcome.stages[0]
            #expect(pe.name == "pe_array")
            return pe.busy + pe.bubbles[BubbleCause.padding.index]
        }
        #expect(try peCycles("systolic-os") == 30304)
        #expect(try peCycles("systolic-ws") == 49600)
    }
}
