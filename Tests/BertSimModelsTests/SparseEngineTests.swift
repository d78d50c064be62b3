import BertSimCore
import BertSimTestSupport
import BertSimWorkload
import Testing
@testable import BertSimModels

/// The sparse engine (docs/pruning.md, "Timing model") on hand-worked masks and against the
/// per-cycle reference.
@Suite struct SparseEngineTests {
    /// 4 lanes, 4 banks (column j in bank j mod 4), 1 port, one 8-wide tile. The HP mask puts
    /// lane r's k-th non-zero in bank (r + k) mod 4: rows {0, 5}, {1, 6}, {2, 7}, {3, 4}.
    /// Cycle 0: banks 0, 1, 2, 3; cycle 1: banks 1, 2, 3, 0. Two cycles, no stall.
    @Test func hierarchicalByHandHasNoConflicts() {
        let mask = SparseMask(rows: 4, cols: 8, kept: [[0, 5], [1, 6], [2, 7], [3, 4]])
        let s = schedule(mask, lanes: 4, banks: 4, ports: 1)
        #expect(s == SparseEngine.Schedule(cycles: 2, ideal: 2, longest: 2, stalls: 0))
        #expect(SparseEngine.fetchOrder(mask, row: 3, lanes: 4, banks: 4, tileCols: 8) == [3, 4])
    }

    /// Same engine, an unstructured mask: rows {0, 4}, {1, 5}, {0, 2}, {3, 7}. Fetch orders
    /// (wanted bank (r + k) mod 4, else the lowest remaining column): lane 0 banks 0, 0; lane 1
    /// 1, 1; lane 2 2, 0; lane 3 3, 3. Cycle 0: all distinct. Cycle 1: lanes 0 and 2 both ask
    /// bank 0; lane 0 wins, lane 2 stalls. Cycle 2: lane 2 reads bank 0. Three cycles: ideal 2,
    /// no row imbalance, one conflict cycle, one stall. With two ports: two cycles.
    @Test func unstructuredByHandHasOneConflict() {
        let mask = SparseMask(rows: 4, cols: 8, kept: [[0, 4], [1, 5], [0, 2], [3, 7]])
        #expect(SparseEngine.fetchOrder(mask, row: 2, lanes: 4, banks: 4, tileCols: 8) == [2, 0])
        let s = schedule(mask, lanes: 4, banks: 4, ports: 1)
        #expect(s == SparseEngine.Schedule(cycles: 3, ideal: 2, longest: 2, stalls: 1))
        #expect(s.conflictCycles == 1 && s.rowImbalanceCycles == 0)
        #expect(schedule(mask, lanes: 4, banks: 4, ports: 2).cycles == 2)
    }

    /// Row-length imbalance: lanes of 3, 1, 1, 1 non-zeros in distinct banks take 3 cycles,
    /// ideal ⌈6/4⌉ = 2, so one cycle of imbalance and no conflict.
    @Test func rowImbalanceByHand() {
        let mask = SparseMask(rows: 4, cols: 8, kept: [[0, 1, 2], [1], [2], [3]])
        let s = schedule(mask, lanes: 4, banks: 4, ports: 1)
        #expect(s.cycles == 3 && s.ideal == 2 && s.rowImbalanceCycles == 1 && s.conflictCycles == 0)
    }

    /// The fetch-order rule of the Timing model, read literally and written here without
    /// the engine's code: segment by segment (`tileCols` columns, left to right); inside a
    /// segment, the k-th fetch of the row (k counted over the whole row) takes the segment's
    /// lowest remaining column in bank `(r mod lanes + k) mod banks`, or else its lowest
    /// remaining column.
    static func referenceFetchOrder(_ columns: [Int], row r: Int, lanes: Int, banks: Int, tileCols: Int) -> [Int] {
        var order: [Int] = []
        var k = 0
        for segment in Dictionary(grouping: columns, by: { $0 / tileCols }).sorted(by: { $0.key < $1.key }) {
            var left = segment.value.sorted()
            while !left.isEmpty {
                let want = (r % lanes + k) % banks
                let pick = left.firstIndex { $0 % banks == want } ?? 0
                order.append(left.remove(at: pick))
                k += 1
            }
        }
        return order
    }

    /// The fast schedule, fed the engine's fetch order, equals the per-cycle reference fed the
    /// fetch order derived above, on random small masks: a wrong fetch order or a wrong
    /// schedule both show.
    @Test func matchesPerCycleReference() {
        var rng = SplitMix64(seed: 42)
        for trial in 0..<300 {
            let lanes = 1 + Int(rng.next() % 8), banks = lanes + Int(rng.next() % 6), ports = 1 + Int(rng.next() % 2)
            let cols = 4 + Int(rng.next() % 40)
            var kept: [[Int]] = []
            for _ in 0..<lanes { kept.append((0..<cols).filter { _ in rng.next() % 3 == 0 }) }
            let mask = SparseMask(rows: lanes, cols: cols, kept: kept)
            let tileCols = 2 + Int(rng.next() % 16)
            let orders = (0..<lanes).map { r in SparseEngine.fetchOrder(mask, row: r, lanes: lanes, banks: banks, tileCols: tileCols) }
            let expected = (0..<lanes).map { r in Self.referenceFetchOrder(kept[r], row: r, lanes: lanes, banks: banks, tileCols: tileCols) }
            #expect(orders == expected, "trial \(trial)")
            let fast = SparseEngine.schedule(orders.map { $0.map { $0 % banks } }, banks: banks, ports: ports)
            let slow = SparseEngineReference.run(banksPerLane: expected.map { $0.map { $0 % banks } }, banks: banks, ports: ports)
            #expect(fast.cycles == slow.cycles && fast.stalls == slow.stalls, "trial \(trial)")
        }
    }

    /// Generated hierarchical masks never conflict; unstructured masks at the same ratio do.
    @Test func generatedHierarchicalIsConflictFreeUnstructuredIsNot() throws {
        let model = ModelSpec(name: "custom", layers: 1, hidden: 64, heads: 2, headSize: 32, ffn: 256, maxPositions: 64)
        var config = tinyConfig()
        for pattern in [Pruning.Pattern.hierarchical, .unstructured] {
            let p = Pruning(pattern: pattern, ratio: 0.75, tileRatio: pattern == .hierarchical ? 0.5 : 0, tileRows: 4, tileCols: 16,
                            lanes: 8, banks: 8, seed: 3)
            config.pruning = p
            let w = try PrunedWeights(pruning: p, model: model, config: config)
            let stalls = w.matrices.values.flatMap(\.groups).reduce(0) { $0 + $1.schedule.stalls }
            let density = Double(w.matrices.values.reduce(0) { $0 + $1.mask.nnz })
                / Double(w.matrices.values.reduce(0) { $0 + $1.mask.rows * $1.mask.cols })
            #expect(abs(density - 0.25) < 0.01)
            if pattern == .hierarchical {
                #expect(stalls == 0)
                #expect(w.matrices.values.flatMap(\.groups).allSatisfy { $0.schedule.rowImbalanceCycles == 0 })
            } else {
                #expect(stalls > 0)
            }
        }
    }

    /// A weight tile's cost: ⌈rows / ⌊M/q⌋⌉ token blocks × the group's schedule, the schedule
    /// derived here from the group's mask alone: its rows in row groups of L lanes, each lane's
    /// fetch order by the rule above, run cycle by cycle by the per-cycle reference; ideal
    /// `⌈Σ non-zeros / rows⌉` per row group.
    @Test func tileCostIsBlocksTimesSchedule() throws {
        let model = ModelSpec(name: "custom", layers: 1, hidden: 64, heads: 2, headSize: 32, ffn: 256, maxPositions: 64)
        var config = tinyConfig()
        let p = Pruning(pattern: .unstructured, ratio: 0.5, tileRows: 4, tileCols: 16, seed: 5)
        config.pruning = p
        let w = try PrunedWeights(pruning: p, model: model, config: config)
        // M = 8 multipliers per PE, q = 1 (A8 × W4 is one 8×4 product): 8 tokens a block.
        #expect(w.tokensPerBlock == 8)
        let t = w.tileCost(rows: 20, matrix: .ffnUp, group: 3, config: config)
        // Group 3 of the FFN-up matrix: output rows 3·PN ..< 4·PN (PN = 2 × 4 = 8 PEs).
        let mask = try #require(w.matrices[.ffnUp]).mask
        let pn = 8, lanes = w.lanes, banks = w.banks
        var cycles = 0, ideal = 0, stalls = 0, nnz = 0
        for r0 in stride(from: 3 * pn, to: 4 * pn, by: lanes) {
            let rows = Array(r0..<min(4 * pn, r0 + lanes))
            let columns = rows.map { r in Array(mask.row(r)).map(Int.init) }
            let fetches = zip(rows, columns).map { r, c in
                Self.referenceFetchOrder(c, row: r, lanes: lanes, banks: banks, tileCols: p.tileCols).map { $0 % banks }
            }
            let run = SparseEngineReference.run(banksPerLane: fetches, banks: banks, ports: p.portsPerBank)
            cycles += run.cycles
            stalls += run.stalls
            let n = columns.map(\.count).reduce(0, +)
            ideal += (n + rows.count - 1) / rows.count
            nnz += n
        }
        #expect(cycles > ideal, "an unstructured mask at 50% should lose cycles to imbalance or conflicts")
        // ⌈20 / 8⌉ = 3 token blocks.
        #expect(t.cost.issue == 3 * cycles)
        #expect(t.imbalance == 3 * (cycles - ideal))
        #expect(t.stalls == 3 * stalls)
        #expect(t.cost.work == 20 * nnz)
    }

    func schedule(_ mask: SparseMask, lanes: Int, banks: Int, ports: Int) -> SparseEngine.Schedule {
        SparseEngine.schedule((0..<mask.rows).map { r in
            SparseEngine.fetchOrder(mask, row: r, lanes: lanes, banks: banks, tileCols: mask.cols).map { $0 % banks }
        }, banks: banks, ports: ports)
    }
}
