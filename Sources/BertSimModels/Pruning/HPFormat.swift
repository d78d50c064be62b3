import BertSimCore

/// bertsim's hierarchical-pruning (HP) storage format, byte by byte in docs/hp-format.md.
///
/// A matrix is a sequence of tile-row records (tile rows of `tileRows` matrix rows, top to
/// bottom). A record holds, each part starting on a byte boundary, fields least significant
/// bit first:
/// 1. the tile bitmap: one bit per tile of the tile row (bit j = tile j holds a non-zero);
/// 2. the segment counts: for every kept tile (left to right), for every row of the tile row,
///    its number of non-zeros in that tile, ⌈log2(tile_cols + 1)⌉ bits;
/// 3. the indices: in the same order, each row segment's non-zeros in fetch order
///    (``SparseEngine/fetchOrder(_:row:lanes:banks:tileCols:)``), as the column inside the tile,
///    ⌈log2 tile_cols⌉ bits;
/// 4. the values, in the same order, `weight_bits` two's complement;
/// then zero bytes up to a multiple of the memory bus width (the AXI width).
public struct HPFormat: Sendable, Hashable {
    public var tileRows: Int
    public var tileCols: Int
    public var weightBits: Int
    /// Records end on a multiple of this many bytes (the AXI data width).
    public var alignment: Int
    /// The engine the fetch order is for.
    public var lanes: Int
    public var banks: Int

    public init(tileRows: Int, tileCols: Int, weightBits: Int, alignment: Int, lanes: Int, banks: Int) {
        self.tileRows = tileRows
        self.tileCols = tileCols
        self.weightBits = weightBits
        self.alignment = alignment
        self.lanes = lanes
        self.banks = banks
    }

    public var indexBits: Int { Pruning.bits(tileCols - 1) }
    public var countBits: Int { Pruning.bits(tileCols) }

    /// Bytes of one record with `tiles` tiles, `kept` of them kept, `height` rows and `nnz`
    /// non-zeros.
    public func recordBytes(tiles: Int, kept: Int, height: Int, nnz: Int) -> Int {
        let raw = tiles.ceilDiv(8) + (kept * height * countBits).ceilDiv(8) + (nnz * indexBits).ceilDiv(8)
            + (nnz * weightBits).ceilDiv(8)
        return raw.ceilDiv(alignment) * alignment
    }

    /// Bytes of the records of matrix rows `rows` (whole tile rows) of `mask`.
    public func size(_ mask: SparseMask, rows: Range<Int>) -> Int {
        let tiles = mask.cols.ceilDiv(tileCols)
        var total = 0
        var keptTile = [Bool](repeating: false, count: tiles)
        for t0 in stride(from: rows.lowerBound, to: rows.upperBound, by: tileRows) {
            let t1 = min(rows.upperBound, t0 + tileRows)
            for j in 0..<tiles { keptTile[j] = false }
            var nnz = 0
            for r in t0..<t1 {
                for c in mask.row(r) { keptTile[Int(c) / tileCols] = true }
                nnz += mask.count(row: r)
            }
            total += recordBytes(tiles: tiles, kept: keptTile.filter { $0 }.count, height: t1 - t0, nnz: nnz)
        }
        return total
    }

    public func size(_ mask: SparseMask) -> Int { size(mask, rows: 0..<mask.rows) }

    /// Encodes `mask` with `values[i]` the value of its i-th non-zero (row-major, ascending
    /// columns), each fitting `weightBits` bits signed.
    public func encode(_ mask: SparseMask, values: [Int]) -> [UInt8] {
        precondition(values.count == mask.nnz)
        let tiles = mask.cols.ceilDiv(tileCols)
        var out: [UInt8] = []
        var scratch = SparseEngine.FetchScratch(banks: banks)
        for t0 in stride(from: 0, to: mask.rows, by: tileRows) {
            let rows = t0..<min(mask.rows, t0 + tileRows)
            // Per row: (column, value) in fetch order, split by tile.
            var perRow: [[[(Int, Int)]]] = []
            for r in rows {
                var byTile = [[(Int, Int)]](repeating: [], count: tiles)
                let base = mask.rowStart[r]
                let cols = mask.row(r)
                scratch.order(cols, offset: r % lanes, tileCols: tileCols) { c in
                    let i = cols.firstIndex(of: UInt16(c))! - cols.startIndex
                    byTile[c / tileCols].append((c, values[base + i]))
                }
                perRow.append(byTile)
            }
            let kept = (0..<tiles).filter { j in perRow.contains { !$0[j].isEmpty } }
            var w = BitWriter()
            for j in 0..<tiles { w.write(kept.contains(j) ? 1 : 0, width: 1) }
            w.alignToByte()
            for j in kept { for row in perRow { w.write(row[j].count, width: countBits) } }
            w.alignToByte()
            for j in kept { for row in perRow { for (c, _) in row[j] { w.write(c - j * tileCols, width: indexBits) } } }
            w.alignToByte()
            for j in kept { for row in perRow { for (_, v) in row[j] { w.write(v, width: weightBits) } } }
            w.align(to: alignment)
            out += w.bytes
        }
        return out
    }

    /// A malformed HP stream: what is wrong and at which byte.
    public struct DecodeError: Error, Equatable, CustomStringConvertible {
        public var byte: Int
        public var message: String
        public var description: String { "byte \(byte): \(message)" }
    }

    /// Decodes a `rows × cols` matrix: its mask and values (row-major, ascending columns).
    public func decode(_ bytes: [UInt8], rows: Int, cols: Int) throws(DecodeError) -> (mask: SparseMask, values: [Int]) {
        let tiles = cols.ceilDiv(tileCols)
        var reader = BitReader(bytes)
        var mask = SparseMask(rows: rows, cols: cols)
        var values: [Int] = []
        func fail(_ m: String) -> DecodeError { DecodeError(byte: reader.bit / 8, message: m) }
        for t0 in stride(from: 0, to: rows, by: tileRows) {
            let height = min(rows, t0 + tileRows) - t0
            var kept: [Int] = []
            for j in 0..<tiles {
                guard let b = reader.read(1) else { throw fail("stream ends in the tile bitmap of tile row \(t0 / tileRows)") }
                if b == 1 { kept.append(j) }
            }
            guard reader.alignToByte() else { throw fail("non-zero padding after the tile bitmap") }
            var counts = [[Int]](repeating: [Int](repeating: 0, count: tiles), count: height)
            for j in kept {
                var any = false
                for r in 0..<height {
                    guard let n = reader.read(countBits) else { throw fail("stream ends in the segment counts") }
                    guard n <= min(tileCols, cols - j * tileCols) else { throw fail("segment count \(n) exceeds the tile width") }
                    counts[r][j] = n
                    any = any || n > 0
                }
                guard any else { throw fail("tile \(j) is marked kept but holds no non-zero") }
            }
            guard reader.alignToByte() else { throw fail("non-zero padding after the segment counts") }
            var columns = [[Int]](repeating: [], count: height)
            for j in kept {
                for r in 0..<height {
                    var seen = Set<Int>()
                    for _ in 0..<counts[r][j] {
                        guard let i = reader.read(indexBits) else { throw fail("stream ends in the indices") }
                        guard j * tileCols + i < cols, seen.insert(i).inserted else { throw fail("index \(i) out of the tile or repeated") }
                        columns[r].append(j * tileCols + i)
                    }
                }
            }
            guard reader.alignToByte() else { throw fail("non-zero padding after the indices") }
            var rowValues = [[Int]](repeating: [], count: height)
            for j in kept {
                for r in 0..<height {
                    for _ in 0..<counts[r][j] {
                        guard let v = reader.readSigned(weightBits) else { throw fail("stream ends in the values") }
                        rowValues[r].append(v)
                    }
                }
            }
            guard reader.align(to: alignment) else { throw fail("bad padding to the \(alignment)-byte bus") }
            for r in 0..<height {
                let order = columns[r].indices.sorted { columns[r][$0] < columns[r][$1] }
                mask.appendRow(order.map { columns[r][$0] })
                values += order.map { rowValues[r][$0] }
            }
        }
        guard reader.bit == bytes.count * 8 else { throw fail("\(bytes.count - reader.bit / 8) bytes after the last record") }
        return (mask, values)
    }
}

/// Sizes of the comparison formats (docs/hp-format.md, "Other formats").
public enum SparseFormats {
    /// Dense: every weight at `weightBits`.
    public static func denseBytes(rows: Int, cols: Int, weightBits: Int) -> Int { (rows * cols * weightBits).ceilDiv(8) }

    /// CSR: `rows + 1` row pointers of ⌈log2(nnz + 1)⌉ bits, ⌈log2 cols⌉-bit column indices,
    /// values; each array starts on a byte.
    public static func csrBytes(rows: Int, cols: Int, nnz: Int, weightBits: Int) -> Int {
        ((rows + 1) * Pruning.bits(nnz)).ceilDiv(8) + (nnz * Pruning.bits(cols - 1)).ceilDiv(8) + (nnz * weightBits).ceilDiv(8)
    }

    /// Bitmap: one bit per weight, then the values.
    public static func bitmapBytes(rows: Int, cols: Int, nnz: Int, weightBits: Int) -> Int {
        (rows * cols).ceilDiv(8) + (nnz * weightBits).ceilDiv(8)
    }
}
