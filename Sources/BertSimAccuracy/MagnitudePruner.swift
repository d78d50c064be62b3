import BertSimCore
import BertSimModels
import BertSimWorkload

/// The masks a pruned design's weights carry in the functional model (docs/accuracy.md,
/// "Pruning"): from the config's mask file when it has one (the very masks the sparse engine
/// times, in every layer), else chosen by weight magnitude within the constraints of the
/// config's pattern, layer by layer, at the config's ratio per matrix class.
///
/// - `unstructured`: the round((1 − ratio) · rows · cols) largest |w| of the matrix.
/// - `block`: the round((1 − ratio) · blocks) b × b blocks of largest Σw² (edge blocks cut short).
/// - `nm`: in every group of m consecutive weights of a row, the n largest |w|.
/// - `hierarchical`: level 1 keeps, in every tile row, the `t` tiles of largest Σw² (t as the
///   generator's: `T − round(tile_ratio · T)`); level 2 keeps the generator's `s` weights in every
///   row segment of a kept tile, the k-th of row r (k counting over the row) in bank
///   `(r mod L + k) mod B` — the largest |w| among the segment's untaken columns of that bank,
///   or, when it has none, of the whole segment (the generator's fallback). So every row and
///   tile count equals the seeded generator's, and the lanes meet no bank conflict: the sparse
///   engine's schedule is the same as for the seeded masks the timing model uses.
/// Ties go to the lower index. Without retraining: pruned weights are zero, the rest unchanged.
public struct MagnitudePruner: Sendable {
    public let pruning: Pruning
    public let lanes: Int
    public let banks: Int

    /// The pruner of `pruning` on an array of `arrayLanes` column lanes (L and B resolve as the
    /// timing model resolves them).
    public init(pruning: Pruning, arrayLanes: Int) {
        self.pruning = pruning
        let (l, b) = pruning.resolved(arrayLanes: arrayLanes)
        lanes = l
        banks = b
    }

    /// `masks[layer][class]` for every layer of `weights` (nil: not pruned).
    public func masks(_ weights: ModelWeights) throws(InputError) -> [[SparseMask?]] {
        if case .file(let path, _, let set) = pruning.source {
            var perClass: [SparseMask?] = []
            for c in MatrixClass.allCases {
                let mask = set.masks[c]
                if let mask {
                    let (rows, cols) = c.shape(weights.spec)
                    guard mask.rows == rows, mask.cols == cols else {
                        throw InputError(file: path, field: c.key,
                                         "mask is \(mask.rows) × \(mask.cols), but the model's \(c.key) matrix is \(rows) × \(cols)")
                    }
                }
                perClass.append(mask)
            }
            return Array(repeating: perClass, count: weights.layers.count)
        }
        return weights.layers.map { layer in
            MatrixClass.allCases.map { c in
                let (rows, cols) = c.shape(weights.spec)
                return mask(layer.matrix(c), rows: rows, cols: cols, density: 1 - (pruning.ratio(c) ?? 0))
            }
        }
    }

    /// The mask of one `rows × cols` matrix `w` (`[out, in]`).
    public func mask(_ w: [Float], rows: Int, cols: Int, density: Double) -> SparseMask {
        switch pruning.pattern {
        case .unstructured: unstructured(w, rows: rows, cols: cols, density: density)
        case .block: block(w, rows: rows, cols: cols, density: density)
        case .nm: nm(w, rows: rows, cols: cols)
        case .hierarchical: hierarchical(w, rows: rows, cols: cols, density: density)
        }
    }

    /// Indices of the `k` largest `key`s, ties to the lower index.
    static func largest(_ count: Int, _ k: Int, key: (Int) -> Float) -> [Int] {
        let order = (0..<count).sorted { a, b in
            let ka = key(a), kb = key(b)
            return ka != kb ? ka > kb : a < b
        }
        return Array(order.prefix(k))
    }

    func unstructured(_ w: [Float], rows: Int, cols: Int, density: Double) -> SparseMask {
        let keep = Int((density * Double(rows * cols)).rounded())
        var kept = [[Int]](repeating: [], count: rows)
        for i in Self.largest(rows * cols, keep, key: { abs(w[$0]) }) { kept[i / cols].append(i % cols) }
        return SparseMask(rows: rows, cols: cols, kept: kept)
    }

    func block(_ w: [Float], rows: Int, cols: Int, density: Double) -> SparseMask {
        let b = pruning.blockSize
        let br = rows.ceilDiv(b), bc = cols.ceilDiv(b)
        var energy = [Float](repeating: 0, count: br * bc)
        for r in 0..<rows { for c in 0..<cols { energy[(r / b) * bc + c / b] += w[r * cols + c] * w[r * cols + c] } }
        var keptBlock = [Bool](repeating: false, count: br * bc)
        for i in Self.largest(br * bc, Int((density * Double(br * bc)).rounded()), key: { energy[$0] }) { keptBlock[i] = true }
        var mask = SparseMask(rows: rows, cols: cols)
        for r in 0..<rows {
            var row: [Int] = []
            for j in 0..<bc where keptBlock[(r / b) * bc + j] { row += (j * b)..<min(cols, j * b + b) }
            mask.appendRow(row)
        }
        return mask
    }

    func nm(_ w: [Float], rows: Int, cols: Int) -> SparseMask {
        let n = pruning.n, m = pruning.m
        var mask = SparseMask(rows: rows, cols: cols)
        for r in 0..<rows {
            var row: [Int] = []
            for start in stride(from: 0, to: cols, by: m) {
                let width = min(m, cols - start)
                row += Self.largest(width, min(n, width), key: { abs(w[r * cols + start + $0]) }).sorted().map { start + $0 }
            }
            mask.appendRow(row)
        }
        return mask
    }

    func hierarchical(_ w: [Float], rows: Int, cols: Int, density: Double) -> SparseMask {
        let th = pruning.tileRows, tw = pruning.tileCols
        let geometry = HierarchicalGeometry(pruning: pruning, cols: cols, density: density)
        let tilesPerRow = geometry.tilesPerRow
        var mask = SparseMask(rows: rows, cols: cols)
        var taken = [Bool](repeating: false, count: tw)
        for tileRow in 0..<rows.ceilDiv(th) {
            let r0 = tileRow * th, r1 = min(rows, r0 + th)
            var energy = [Float](repeating: 0, count: tilesPerRow)
            for r in r0..<r1 { for c in 0..<cols { energy[c / tw] += w[r * cols + c] * w[r * cols + c] } }
            let tiles = Self.largest(tilesPerRow, geometry.keptTiles, key: { energy[$0] }).sorted()
            for r in r0..<r1 {
                var row: [Int] = []
                var k = 0
                for t in tiles {
                    let c0 = t * tw, width = min(tw, cols - c0)
                    let s = geometry.kept(width: width)
                    for i in 0..<width { taken[i] = false }
                    for _ in 0..<s {
                        let bank = (r % lanes + k) % banks
                        var pick = -1
                        var best: Float = -1
                        var i = ((bank - c0 % banks) % banks + banks) % banks
                        while i < width {
                            let v = abs(w[r * cols + c0 + i])
                            if !taken[i] && v > best { best = v; pick = i }
                            i += banks
                        }
                        if pick < 0 {
                            for i in 0..<width where !taken[i] {
                                let v = abs(w[r * cols + c0 + i])
                                if v > best { best = v; pick = i }
                            }
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
