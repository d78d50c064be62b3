import BertSimCore

/// The sparse engine: L lanes over B banks of the input-vector buffer, R read ports per bank
/// (docs/pruning.md, "Timing model").
///
/// ## Timing model
/// A pruned weight tile (a GEMM column group: P × N rows of W, the output features, over all
/// K columns) runs in row groups of L consecutive rows, L the engine's lanes (one row per
/// lane), for every block of t = ⌊M / q⌋ tokens (one fetched input element feeds a PE's M
/// multipliers, q per product). In a row group every lane walks its row's non-zeros in the stored order
/// (``fetchOrder(_:row:lanes:banks:tileCols:)``); in each cycle every lane with work left asks
/// the bank of its next non-zero's column (column j in bank j mod B) for that input element; a
/// bank grants at most R requests per cycle, lowest lane first; a lane that is not granted
/// stalls and asks again in the next cycle. The row group ends in the cycle its last lane gets
/// its last element; the next row group starts in the next cycle. So a row group takes
///
///     C = the cycles of that schedule  ≥  longest = max over lanes of the row's non-zeros,
///
/// a weight tile `Σ_groups C` per token block, and the counts split as
/// `C = ideal + row imbalance + conflicts` with `ideal = ⌈Σ non-zeros / rows in the group⌉`
/// (every lane equally loaded), `row imbalance = longest − ideal` and
/// `conflicts = C − longest` (cycles lost to bank conflicts). `stalls` counts lane-cycles spent
/// waiting for a port.
public enum SparseEngine {
    /// One row group's (or a sum of row groups') schedule, per token block.
    public struct Schedule: Sendable, Equatable, Hashable {
        /// Cycles of the schedule.
        public var cycles = 0
        /// ⌈Σ non-zeros / rows⌉: the cycles of a perfectly balanced, conflict-free schedule.
        public var ideal = 0
        /// The longest row.
        public var longest = 0
        /// Lane-cycles a lane waited for a bank port.
        public var stalls = 0

        public init(cycles: Int = 0, ideal: Int = 0, longest: Int = 0, stalls: Int = 0) {
            self.cycles = cycles
            self.ideal = ideal
            self.longest = longest
            self.stalls = stalls
        }

        public var conflictCycles: Int { cycles - longest }
        public var rowImbalanceCycles: Int { longest - ideal }

        public static func += (a: inout Schedule, b: Schedule) {
            a.cycles += b.cycles
            a.ideal += b.ideal
            a.longest += b.longest
            a.stalls += b.stalls
        }
    }

    /// The order in which a lane fetches row `r`'s non-zeros (and the HP format stores them):
    /// segment by segment (tiles of `tileCols` columns, left to right); inside a segment, the
    /// lane's k-th fetch of the row (k counting from 0 over the whole row) takes the segment's
    /// lowest remaining column in bank `(r mod lanes + k) mod banks`, or, when it has none
    /// there, its lowest remaining column.
    ///
    /// Hierarchical masks are built so that the wanted bank always has one: lane r mod L then
    /// reads bank (r mod L + k) mod B in its k-th cycle, and L consecutive rows never meet in a
    /// bank while none of them stalls.
    public static func fetchOrder(_ mask: SparseMask, row r: Int, lanes: Int, banks: Int, tileCols: Int) -> [Int] {
        var scratch = FetchScratch(banks: banks)
        var out: [Int] = []
        out.reserveCapacity(mask.count(row: r))
        scratch.order(mask.row(r), offset: r % lanes, tileCols: tileCols) { out.append($0) }
        return out
    }

    /// Reusable buffers for ``fetchOrder``: per bank the head of a list of the segment's columns.
    struct FetchScratch {
        let banks: Int
        var head: [Int32]
        var next: [Int32] = []
        var taken: [Bool] = []
        var segment: [Int] = []

        init(banks: Int) {
            self.banks = banks
            head = [Int32](repeating: -1, count: banks)
        }

        /// Calls `emit` with the row's columns in fetch order.
        mutating func order(_ row: ArraySlice<UInt16>, offset: Int, tileCols: Int, _ emit: (Int) -> Void) {
            if next.count < row.count {
                next = [Int32](repeating: -1, count: max(row.count, 2 * next.count))
                taken = [Bool](repeating: false, count: next.count)
                segment = [Int](repeating: 0, count: next.count)
            }
            let banks = self.banks
            head.withUnsafeMutableBufferPointer { head in
            next.withUnsafeMutableBufferPointer { next in
            taken.withUnsafeMutableBufferPointer { taken in
            segment.withUnsafeMutableBufferPointer { segment in
                var k = 0
                var i = row.startIndex
                while i < row.endIndex {
                    let tile = Int(row[i]) / tileCols
                    var n = 0
                    while i < row.endIndex && Int(row[i]) / tileCols == tile {
                        segment[n] = Int(row[i])
                        n += 1
                        i += 1
                    }
                    // Per bank, a list of the segment's columns, ascending.
                    for j in stride(from: n - 1, through: 0, by: -1) {
                        let b = segment[j] % banks
                        next[j] = head[b]
                        head[b] = Int32(j)
                        taken[j] = false
                    }
                    var lowest = 0
                    var want = (offset + k) % banks
                    for _ in 0..<n {
                        var j = Int(head[want])
                        if j < 0 {
                            while taken[lowest] { lowest += 1 }
                            j = lowest
                        }
                        let b = segment[j] % banks
                        // j heads its bank's list when wanted; the lowest remaining column also
                        // heads its bank's list (lists are ascending and hold only untaken columns).
                        head[b] = next[j]
                        taken[j] = true
                        emit(segment[j])
                        k += 1
                        want += 1
                        if want == banks { want = 0 }
                    }
                    for j in 0..<n { head[segment[j] % banks] = -1 }
                }
            }
            }
            }
            }
        }
    }

    /// The schedule of one row group whose lanes fetch from the banks in `requests` (lane i's
    /// fetches in order), with `ports` read ports per bank (see the Timing model).
    public static func schedule(_ requests: [[Int]], banks: Int, ports: Int) -> Schedule {
        var flat: [Int32] = []
        var start: [Int] = [0]
        for lane in requests {
            for b in lane { flat.append(Int32(b)) }
            start.append(flat.count)
        }
        var runner = Runner(banks: banks)
        return runner.run(flat: flat, start: start, ports: ports)
    }

    /// Reusable buffers for ``schedule``.
    struct Runner {
        var stamp: [Int]
        var granted: [Int]
        /// The next cycle stamp (stamps never repeat on one runner).
        var clock = 0
        var position: [Int] = []

        init(banks: Int) {
            stamp = [Int](repeating: -1, count: banks)
            granted = [Int](repeating: 0, count: banks)
        }

        /// Lane i fetches from banks `flat[start[i] ..< start[i + 1]]`.
        mutating func run(flat: [Int32], start: [Int], ports: Int) -> Schedule {
            let lanes = start.count - 1
            var s = Schedule()
            guard lanes > 0 else { return s }
            var total = 0
            var left = 0
            position.removeAll(keepingCapacity: true)
            for i in 0..<lanes {
                let n = start[i + 1] - start[i]
                total += n
                s.longest = max(s.longest, n)
                if n > 0 { left += 1 }
                position.append(start[i])
            }
            s.ideal = total.ceilDiv(lanes)
            var t = clock
            let first = t
            while left > 0 {
                for i in 0..<lanes {
                    let p = position[i]
                    guard p < start[i + 1] else { continue }
                    let b = Int(flat[p])
                    if stamp[b] != t {
                        stamp[b] = t
                        granted[b] = 0
                    }
                    if granted[b] < ports {
                        granted[b] += 1
                        position[i] = p + 1
                        if p + 1 == start[i + 1] { left -= 1 }
                    } else {
                        s.stalls += 1
                    }
                }
                t += 1
            }
            clock = t
            s.cycles = t - first
            return s
        }
    }
}

