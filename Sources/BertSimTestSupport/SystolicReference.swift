import BertSimCore
import BertSimModels

/// A per-cycle, data-level reference for one GEMM tile on a systolic array, written from the
/// array's description (PEs, registers, skewed operand streams, drain) without the closed form
/// of `SystolicArray.tile`, so that the tests can check the closed form against it.
///
/// Real numbers move through the PEs' registers one cycle at a time, and the product that
/// leaves the array is checked against a naive GEMM. Every value carries a tag (output row,
/// column, k-index, stream step) and every PE checks that the operands it combines belong
/// together, so a wrong skew or a wrong fold boundary fails loudly instead of only costing
/// cycles.
///
/// ## Conventions
/// - Cycles count from the tile's first cycle (0). Every register is written at the end of a
///   cycle and read in the next: by the next PE in line or, at the bottom edge, by the output
///   port. A value **has left the array** in the cycle the output port reads it. A fold ends
///   after the cycle its last value left; the next fold starts in the cycle after that (folds
///   do not overlap), and the tile's cycle count is the end of its last fold.
/// - A product of an `aBits` operand and a `bBits` operand on `w = peBits` PEs is
///   `p = ⌈a/w⌉·⌈b/w⌉` digit products: the operands are unsigned and cut into w-bit digits,
///   and one stream step carries one digit pair `(da, db)`, multiplied in one cycle and added
///   shifted by `w·(da + db)`. A GEMM's stream of `T` steps is its inner index (OS: k; WS:
///   rows) × the `p` digit pairs.
/// - **Output-stationary.** PE (i, j) owns output (fold row i, column j). In each cycle the
///   left edge feeds array row i with step `t = c − i` of its A row and the top edge feeds
///   column j with step `t = c − j` of its B column (c counted from the fold's start); operands
///   move one PE right (A) or down (B) per cycle, so PE (i, j) sees step t at `c = i + j + t`
///   and multiply-accumulates. The cycle after the fold's last multiply-accumulate the drain
///   begins: every cycle the output port reads the bottom row's accumulators and every
///   accumulator moves one row down; after R drain cycles the top row's result has left.
/// - **Weight-stationary.** First the fold's weights are pushed in from the top, one row per
///   cycle, each push moving the loaded rows one row down (the row for the bottom first):
///   PE (i, j) then holds weight (k-index k₀ + i, column j). Then the left edge feeds array
///   row i with step `t = c − i` (c counted from the end of the load): the digit of
///   `A[row][k₀ + i]` for the step's row. A-operands move right one PE per cycle; PE (0, j)
///   starts a partial sum, PE (i, j) adds its product to the partial sum PE (i − 1, j) wrote
///   the cycle before, and the output port reads the bottom row's partial sums, adding them
///   into the output (partial sums over the digit pairs and the folds add up there).
///
/// A full fold then takes `(R − 1) + (C − 1) + T` cycles of stream plus, OS, R drain cycles:
/// `2R + C + T − 2`; WS, R load cycles and one cycle to read the last partial sum out:
/// `2R + C + T − 1`.
///
/// ## Partial blocks
/// A fold covers R rows of its block (OS: output rows; WS: k-indices) and C columns; the last
/// fold may have fewer rows and a tile may have `width < C` columns. ``Control`` says what the
/// controller does then: run the full R × C block with zero operands in the missing places, or
/// feed only the real operands and move on as soon as their results have left.
public enum SystolicReference {
    /// What the array's controller does with a block smaller than the array.
    public enum Control: String, Sendable, CaseIterable, CustomStringConvertible {
        /// Every fold runs as a full R × C block: missing rows (OS), k-indices (WS) and
        /// columns get zero operands (zero weights in WS) whose results are discarded, so the
        /// schedule does not depend on the block (SCALE-Sim's analytical count, too, charges a
        /// partial fold as a full one).
        case fullFolds
        /// Only real operands enter the array; the fold ends when the last real result has left.
        /// A WS fold of k′ k-indices pushes only k′ weight rows.
        case realOperandsOnly

        public var description: String { rawValue }
    }

    /// One fold's cycles, relative to the tile's first cycle.
    public struct Fold: Sendable, Equatable, CustomStringConvertible {
        /// The fold's first cycle.
        public var start: Int
        /// The first cycle after the weight load (WS); `start` for OS.
        public var streamStart: Int
        /// The last cycle in which a PE multiplied.
        public var lastMAC: Int
        /// The first cycle after the last value left the array.
        public var end: Int
        /// Real array rows in the block: OS output rows, WS k-indices.
        public var blockRows: Int

        public init(start: Int, streamStart: Int, lastMAC: Int, end: Int, blockRows: Int) {
            self.start = start
            self.streamStart = streamStart
            self.lastMAC = lastMAC
            self.end = end
            self.blockRows = blockRows
        }

        public var length: Int { end - start }

        public var description: String {
            "fold \(start)..<\(end) (\(blockRows) rows, stream from \(streamStart), last MAC \(lastMAC))"
        }
    }

    /// What one tile did.
    public struct Run: Sendable {
        /// From the tile's first cycle to the end of its last fold.
        public var cycles: Int
        public var folds: [Fold]
        /// The `rows × width` product that left the array.
        public var product: [[Int]]
        /// PE-cycles that multiplied a digit pair of real operands (`rows·k·width·p`).
        public var digitMACs: Int
        /// PE-cycles that multiplied padding (``Control/fullFolds`` only).
        public var paddingMACs: Int
    }

    /// A PE that combined operands that do not belong together, a value that never left, or a
    /// product that differs from the naive GEMM.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// A naive GEMM: `a (rows × k) · b (k × width)`.
    public static func gemm(_ a: [[Int]], _ b: [[Int]]) -> [[Int]] {
        let k = b.count, width = b.first?.count ?? 0
        return a.map { row in (0..<width).map { j in (0..<k).reduce(0) { $0 + row[$1] * b[$1][j] } } }
    }

    /// Random unsigned operands of `aBits` and `bBits` bits for a `rows × k · k × width` GEMM.
    public static func operands(rows: Int, k: Int, width: Int, aBits: Int, bBits: Int,
                                rng: inout SplitMix64) -> (a: [[Int]], b: [[Int]]) {
        func value(_ bits: Int) -> Int { Int(rng.next() % (UInt64(1) << UInt64(bits))) }
        let a = (0..<rows).map { _ in (0..<k).map { _ in value(aBits) } }
        let b = (0..<k).map { _ in (0..<width).map { _ in value(bBits) } }
        return (a, b)
    }

    /// Runs one tile, `a (rows × k) · b (k × width)` with `width ≤ C`, on `array` one cycle at
    /// a time under `control`, and checks the product against ``gemm(_:_:)``.
    public static func tile(_ array: SystolicArray, a: [[Int]], b: [[Int]], aBits: Int, bBits: Int,
                            control: Control) throws(Failure) -> Run {
        var sim = Simulator(array: array, a: a, b: b, aBits: aBits, bBits: bBits, control: control)
        let run = try sim.run()
        let expected = gemm(a, b)
        guard run.product == expected else {
            throw Failure(description: "product \(run.product) ≠ naive GEMM \(expected)")
        }
        return run
    }

    /// Runs one tile of the given shape with random operands from `seed` (see ``tile(_:a:b:aBits:bBits:control:)``).
    public static func tile(_ array: SystolicArray, rows: Int, k: Int, width: Int, aBits: Int, bBits: Int,
                            control: Control, seed: UInt64 = 1) throws(Failure) -> Run {
        var rng = SplitMix64(seed: seed)
        let (a, b) = operands(rows: rows, k: k, width: width, aBits: aBits, bBits: bBits, rng: &rng)
        return try tile(array, a: a, b: b, aBits: aBits, bBits: bBits, control: control)
    }
}

/// The state of one tile's run (see ``SystolicReference``).
private struct Simulator {
    /// An operand moving through the array: one digit, and what it belongs to.
    struct Operand {
        var value: Int
        /// OS A-operand and WS input: the output row (nil: padding). OS B-operand: nil.
        var row: Int?
        /// OS B-operand: the output column (nil: padding). Otherwise nil.
        var column: Int?
        /// WS input: the k-index (nil: padding).
        var k: Int?
        /// Stream step: `t = index·p + da·nb + db`.
        var step: Int
    }

    /// An OS accumulator or a WS partial sum, with the output it belongs to.
    struct Partial {
        var value: Int
        var row: Int?
        var column: Int?
        /// OS: multiply-accumulates done; WS: the stream step it belongs to.
        var step: Int
        var real: Bool { row != nil && column != nil }
    }

    /// A WS weight held in a PE (all its digits).
    struct Weight {
        var value: Int
        var k: Int?
        var column: Int?
    }

    let R: Int, C: Int
    let dataflow: SystolicArray.Dataflow
    let a: [[Int]], b: [[Int]]
    let rows: Int, k: Int, width: Int
    let digitBits: Int, nb: Int, p: Int
    let control: SystolicReference.Control

    var cycle = 0
    var folds: [SystolicReference.Fold] = []
    var product: [[Int]]
    var written: [[Bool]]
    var digitMACs = 0, paddingMACs = 0
    var lastMAC = -1

    /// Registers, `[i * C + j]`: operands moving right, operands moving down (OS), the
    /// accumulators (OS) or partial sums (WS), the weights (WS).
    var right: [Operand?]
    var down: [Operand?]
    var partial: [Partial?]
    var weight: [Weight?]

    init(array: SystolicArray, a: [[Int]], b: [[Int]], aBits: Int, bBits: Int, control: SystolicReference.Control) {
        R = array.rows
        C = array.columns
        dataflow = array.dataflow
        self.a = a
        self.b = b
        rows = a.count
        k = b.count
        width = b.first?.count ?? 0
        digitBits = array.peBits
        nb = bBits.ceilDiv(array.peBits)
        p = aBits.ceilDiv(array.peBits) * nb
        self.control = control
        product = Array(repeating: Array(repeating: 0, count: width), count: rows)
        written = Array(repeating: Array(repeating: false, count: width), count: rows)
        right = Array(repeating: nil, count: R * C)
        down = right
        partial = Array(repeating: nil, count: R * C)
        weight = Array(repeating: nil, count: R * C)
        let (rows, k, width, C) = (rows, k, width, C)
        precondition(rows >= 1 && k >= 1 && width >= 1 && width <= C && a.allSatisfy { $0.count == k })
    }

    func digit(_ x: Int, _ d: Int) -> Int { (x >> (d * digitBits)) & ((1 << digitBits) - 1) }

    /// Digit indices (da, db) of stream step t.
    func digits(_ t: Int) -> (Int, Int) { ((t % p) / nb, (t % p) % nb) }

    /// The shifted product of two digits at stream step t.
    func multiply(_ x: Int, _ y: Int, step t: Int) -> Int {
        precondition(x >> digitBits == 0 && y >> digitBits == 0, "a PE multiplies \(digitBits)-bit digits")
        let (da, db) = digits(t)
        return (x * y) << (digitBits * (da + db))
    }

    /// A bound on any fold's length, against a controller that never finishes.
    var bound: Int { 4 * (R + C) + 4 * (max(rows, k) * p) + 16 }

    mutating func run() throws(SystolicReference.Failure) -> SystolicReference.Run {
        switch dataflow {
        case .outputStationary:
            for first in stride(from: 0, to: rows, by: R) { try outputStationaryFold(firstRow: first, count: min(R, rows - first)) }
        case .weightStationary:
            for first in stride(from: 0, to: k, by: R) { try weightStationaryFold(firstK: first, count: min(R, k - first)) }
        }
        for i in 0..<rows { for j in 0..<width where !written[i][j] {
            throw SystolicReference.Failure(description: "output (\(i), \(j)) never left the array")
        } }
        return SystolicReference.Run(cycles: cycle, folds: folds, product: product, digitMACs: digitMACs,
                                     paddingMACs: paddingMACs)
    }

    func fail(_ what: String, _ i: Int, _ j: Int) -> SystolicReference.Failure {
        SystolicReference.Failure(description: "cycle \(cycle), PE (\(i), \(j)): \(what)")
    }

    // MARK: Output-stationary

    /// One OS fold: output rows `firstRow ..< firstRow + count` against all columns.
    mutating func outputStationaryFold(firstRow: Int, count: Int) throws(SystolicReference.Failure) {
        let start = cycle
        let T = k * p
        let padded = control == .fullFolds
        let fedRows = padded ? R : count, fedColumns = padded ? C : width
        right = Array(repeating: nil, count: R * C)
        down = right
        partial = Array(repeating: nil, count: R * C)
        lastMAC = -1
        // The left edge: array row i's operand in this cycle (step t = c − i).
        func left(_ i: Int) -> Operand? {
            let t = cycle - start - i
            guard i < fedRows, t >= 0, t < T else { return nil }
            let (da, _) = digits(t)
            guard i < count else { return Operand(value: 0, row: nil, step: t) }
            return Operand(value: digit(a[firstRow + i][t / p], da), row: firstRow + i, step: t)
        }
        // The top edge: column j's operand in this cycle (step t = c − j).
        func top(_ j: Int) -> Operand? {
            let t = cycle - start - j
            guard j < fedColumns, t >= 0, t < T else { return nil }
            let (_, db) = digits(t)
            guard j < width else { return Operand(value: 0, column: nil, step: t) }
            return Operand(value: digit(b[t / p][j], db), column: j, step: t)
        }
        // Compute: until every fed PE has done its T multiply-accumulates.
        var finished = false
        while !finished {
            guard cycle - start < bound else { throw fail("the fold does not finish", 0, 0) }
            var nextRight = right, nextDown = down, nextPartial = partial
            for i in 0..<R {
                for j in 0..<C {
                    let x = j == 0 ? left(i) : right[i * C + j - 1]
                    let y = i == 0 ? top(j) : down[(i - 1) * C + j]
                    nextRight[i * C + j] = x
                    nextDown[i * C + j] = y
                    guard let x, let y else { continue }
                    guard x.step == y.step else { throw fail("A step \(x.step) meets B step \(y.step)", i, j) }
                    var acc = partial[i * C + j] ?? Partial(value: 0, row: x.row, column: y.column, step: 0)
                    guard acc.step == x.step, acc.row == x.row, acc.column == y.column else {
                        throw fail("accumulator \(acc) gets step \(x.step) of \(x) and \(y)", i, j)
                    }
                    acc.value += multiply(x.value, y.value, step: x.step)
                    acc.step += 1
                    nextPartial[i * C + j] = acc
                    if acc.real { digitMACs += 1 } else { paddingMACs += 1 }
                    lastMAC = cycle
                }
            }
            right = nextRight
            down = nextDown
            partial = nextPartial
            cycle += 1
            finished = (0..<fedRows).allSatisfy { i in (0..<fedColumns).allSatisfy { j in partial[i * C + j]?.step == T } }
        }
        // Drain: the port reads the bottom row, every accumulator moves one row down.
        var lastOut = -1
        while partial.contains(where: { $0 != nil }) {
            guard cycle - start < bound else { throw fail("the drain does not finish", 0, 0) }
            for j in 0..<C {
                if let out = partial[(R - 1) * C + j] {
                    try leave(out, add: false)
                    lastOut = cycle
                }
                for i in stride(from: R - 1, to: 0, by: -1) { partial[i * C + j] = partial[(i - 1) * C + j] }
                partial[j] = nil
            }
            // Operands still in flight (into idle PEs) move on and must not meet.
            var nextRight = right, nextDown = down
            for i in 0..<R {
                for j in 0..<C {
                    nextRight[i * C + j] = j == 0 ? left(i) : right[i * C + j - 1]
                    nextDown[i * C + j] = i == 0 ? top(j) : down[(i - 1) * C + j]
                    if nextRight[i * C + j] != nil, nextDown[i * C + j] != nil { throw fail("operands meet during the drain", i, j) }
                }
            }
            right = nextRight
            down = nextDown
            cycle += 1
        }
        folds.append(.init(start: start, streamStart: start, lastMAC: lastMAC, end: lastOut + 1, blockRows: count))
        cycle = lastOut + 1
    }

    /// A value read by the output port: a complete OS output, or a WS partial sum to add.
    mutating func leave(_ out: Partial, add: Bool) throws(SystolicReference.Failure) {
        guard let r = out.row, let c = out.column else { return }
        if add {
            product[r][c] += out.value
        } else {
            guard !written[r][c] else { throw fail("output (\(r), \(c)) leaves twice", R - 1, c) }
            guard out.step == k * p else { throw fail("output (\(r), \(c)) leaves after \(out.step) of \(k * p) steps", R - 1, c) }
            product[r][c] = out.value
        }
        written[r][c] = true
    }

    // MARK: Weight-stationary

    /// One WS fold: k-indices `firstK ..< firstK + count` against all rows and columns.
    mutating func weightStationaryFold(firstK: Int, count: Int) throws(SystolicReference.Failure) {
        let start = cycle
        let T = rows * p
        let padded = control == .fullFolds
        let fedRows = padded ? R : count, fedColumns = padded ? C : width
        right = Array(repeating: nil, count: R * C)
        partial = Array(repeating: nil, count: R * C)
        lastMAC = -1
        // Load: push weight rows in from the top, the bottom one first.
        let pushes = fedRows
        for n in 0..<pushes {
            let d = pushes - 1 - n  // the array row this push ends in
            for j in 0..<C {
                for i in stride(from: R - 1, to: 0, by: -1) { weight[i * C + j] = weight[(i - 1) * C + j] }
                // Padding: a zero weight, tagged with the k-index and column it stands in for.
                weight[j] = j >= fedColumns ? nil
                    : Weight(value: d < count && j < width ? b[firstK + d][j] : 0, k: d < count ? firstK + d : nil,
                             column: j < width ? j : nil)
            }
            cycle += 1
        }
        let streamStart = cycle
        // The left edge: array row i's operand in this cycle (step t = c − i).
        func left(_ i: Int) -> Operand? {
            let t = cycle - streamStart - i
            guard i < fedRows, t >= 0, t < T else { return nil }
            let (da, _) = digits(t)
            guard i < count else { return Operand(value: 0, row: t / p, k: nil, step: t) }
            return Operand(value: digit(a[t / p][firstK + i], da), row: t / p, k: firstK + i, step: t)
        }
        let expected = T * fedColumns
        var reads = 0
        var lastOut = -1
        while reads < expected {
            guard cycle - start < bound else { throw fail("the fold does not finish", 0, 0) }
            // The port reads the bottom row's partial sums written last cycle.
            for j in 0..<C {
                if let out = partial[(R - 1) * C + j] {
                    try leave(out, add: true)
                    reads += 1
                    lastOut = cycle
                }
            }
            var nextRight = right, nextPartial = partial
            for i in 0..<R {
                for j in 0..<C {
                    let x = j == 0 ? left(i) : right[i * C + j - 1]
                    let above = i == 0 ? nil : partial[(i - 1) * C + j]
                    nextRight[i * C + j] = x
                    nextPartial[i * C + j] = above
                    guard let x, let w = weight[i * C + j] else { continue }
                    guard x.k == w.k else {
                        throw fail("input of k \(String(describing: x.k)) meets weight of k \(String(describing: w.k))", i, j)
                    }
                    let (_, db) = digits(x.step)
                    let term = multiply(x.value, digit(w.value, db), step: x.step)
                    var sum: Partial
                    if i == 0 {
                        sum = Partial(value: 0, row: x.row, column: w.column, step: x.step)
                    } else {
                        guard let above, above.step == x.step, above.row == x.row, above.column == w.column else {
                            throw fail("\(x) finds partial sum \(above.map(String.init(describing:)) ?? "none")", i, j)
                        }
                        sum = above
                    }
                    sum.value += term
                    nextPartial[i * C + j] = sum
                    if x.k != nil, w.column != nil { digitMACs += 1 } else { paddingMACs += 1 }
                    lastMAC = cycle
                }
            }
            right = nextRight
            partial = nextPartial
            cycle += 1
        }
        folds.append(.init(start: start, streamStart: streamStart, lastMAC: lastMAC, end: lastOut + 1, blockRows: count))
        cycle = lastOut + 1
    }
}
