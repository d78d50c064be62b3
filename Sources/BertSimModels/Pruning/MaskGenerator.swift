import BertSimCore

/// Builds masks from a seed (docs/pruning.md, "Patterns"): the same seed, pattern and shape give
/// the same mask. Masks are not derived from weight magnitudes: real BERT weights have almost no
/// block structure (data/weight-stats.json), so structured masks come from structure-aware
/// training, which a seeded generator stands in for.
public struct MaskGenerator {
    public let pruning: Pruning
    /// L and B of the engine the masks are balanced for (hierarchical).
    public let lanes: Int
    public let banks: Int

    public init(pruning: Pruning, lanes: Int, banks: Int) {
        self.pruning = pruning
        self.lanes = lanes
        self.banks = banks
    }

    /// The mask of a `rows × cols` matrix of class `matrix` at density `1 − ratio`.
    public func mask(_ matrix: MatrixClass, rows: Int, cols: Int, seed: UInt64) -> SparseMask {
        var rng = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(matrix.rawValue + 1))
        let density = 1 - (pruning.ratio(matrix) ?? 0)
        switch pruning.pattern {
        case .unstructured: return unstructured(rows: rows, cols: cols, density: density, rng: &rng)
        case .block: return block(rows: rows, cols: cols, density: density, rng: &rng)
        case .nm: return nm(rows: rows, cols: cols, rng: &rng)
        case .hierarchical: return hierarchical(rows: rows, cols: cols, density: density, rng: &rng)
        }
    }

    /// Exactly `k` of `n` items, uniformly (selection sampling, Knuth's Algorithm S).
    static func choose(_ k: Int, of n: Int, rng: inout SplitMix64, _ take: (Int) -> Void) {
        var needed = k
        for i in 0..<n where needed > 0 {
            if Int(rng.next() % UInt64(n - i)) < needed {
                take(i)
                needed -= 1
            }
        }
    }

    /// Exactly round(density × rows × cols) weights kept, uniformly at random.
    func unstructured(rows: Int, cols: Int, density: Double, rng: inout SplitMix64) -> SparseMask {
        var kept = [[Int]](repeating: [], count: rows)
        Self.choose(Int((density * Double(rows * cols)).rounded()), of: rows * cols, rng: &rng) { kept[$0 / cols].append($0 % cols) }
        return SparseMask(rows: rows, cols: cols, kept: kept)
    }

    /// round(density × blocks) b×b blocks kept whole (edge blocks cut short).
    func block(rows: Int, cols: Int, density: Double, rng: inout SplitMix64) -> SparseMask {
        let b = pruning.blockSize
        let br = rows.ceilDiv(b), bc = cols.ceilDiv(b)
        var keptBlock = [Bool](repeating: false, count: br * bc)
        Self.choose(Int((density * Double(br * bc)).rounded()), of: br * bc, rng: &rng) { keptBlock[$0] = true }
        var mask = SparseMask(rows: rows, cols: cols)
        for r in 0..<rows {
            var row: [Int] = []
            for j in 0..<bc where keptBlock[(r / b) * bc + j] { row += (j * b)..<min(cols, j * b + b) }
            mask.appendRow(row)
        }
        return mask
    }

    /// n of every m consecutive weights of a row (a cut-short last group keeps min(n, its width)).
    func nm(rows: Int, cols: Int, rng: inout SplitMix64) -> SparseMask {
        let n = pruning.n, m = pruning.m
        var mask = SparseMask(rows: rows, cols: cols)
        for _ in 0..<rows {
            var row: [Int] = []
            for start in stride(from: 0, to: cols, by: m) {
                let w = min(m, cols - start)
                Self.choose(min(n, w), of: w, rng: &rng) { row.append(start + $0) }
            }
            mask.appendRow(row)
        }
        return mask
    }

    /// Level 1: every tile row keeps the same number of tiles, `t = n_t − round(tile_ratio × n_t)`
    /// of its `n_t`, chosen at random. Level 2: every row segment of a kept tile keeps
    /// `s = min(tile_cols, round(density × cols / t))` weights (scaled down in a cut-short tile),
    /// and the k-th kept weight of row r (k counting over the row) lies in bank
    /// `(r mod L + k) mod B` (a random column of that bank within the segment; if the segment has
    /// none left there, a random remaining column). Lanes stepping in lockstep therefore read
    /// distinct banks when L ≤ B.
    func hierarchical(rows: Int, cols: Int, density: Double, rng: inout SplitMix64) -> SparseMask {
        let th = pruning.tileRows, tw = pruning.tileCols
        let geometry = HierarchicalGeometry(pruning: pruning, cols: cols, density: density)
        var mask = SparseMask(rows: rows, cols: cols)
        var taken = [Bool](repeating: false, count: tw)
        var candidates: [Int] = []
        for tileRow in 0..<rows.ceilDiv(th) {
            var tiles: [Int] = []
            Self.choose(geometry.keptTiles, of: geometry.tilesPerRow, rng: &rng) { tiles.append($0) }
            for r in (tileRow * th)..<min(rows, tileRow * th + th) {
                var row: [Int] = []
                var k = 0
                for t in tiles {
                    let c0 = t * tw, w = min(tw, cols - c0)
                    let s = geometry.kept(width: w)
                    for i in 0..<w { taken[i] = false }
                    // Bank of the next pick, and the segment's first column's bank (no division per pick).
                    var bank = (r % lanes + k) % banks
                    let c0Bank = c0 % banks
                    for _ in 0..<s {
                        let first = bank >= c0Bank ? bank - c0Bank : bank - c0Bank + banks
                        bank += 1
                        if bank == banks { bank = 0 }
                        // The untaken columns of this bank in the segment: pick one at random.
                        var free = 0
                        var i = first
                        while i < w {
                            if !taken[i] { free += 1 }
                            i += banks
                        }
                        var pick = -1
                        if free > 0 {
                            var skip = free == 1 ? 0 : Int(rng.next() % UInt64(free))
                            i = first
                            while pick < 0 {
                                if !taken[i] {
                                    if skip == 0 { pick = i } else { skip -= 1 }
                                }
                                i += banks
                            }
                        } else {
                            candidates = (0..<w).filter { !taken[$0] }
                            pick = candidates[Int(rng.next() % UInt64(candidates.count))]
                        }
                        taken[pick] = true
                        row.append(c0 + pick)
                        k += 1
                    }
                }
                row.sort()
                mask.appendRow(row)
            }
        }
        return mask
    }
}
