import BertSimCore
import Testing
@testable import BertSimModels

/// The HP storage format (docs/hp-format.md): the documented example, and round trips.
@Suite struct HPFormatTests {
    /// docs/hp-format.md, "Worked example": 2 × 8, tiles of 2 × 4, W4, 4-byte bus, 2 lanes over
    /// 2 banks. Row 0 holds 3 at column 1 and −2 at column 2, row 1 holds 5 at column 0.
    let example = HPFormat(tileRows: 2, tileCols: 4, weightBits: 4, alignment: 4, lanes: 2, banks: 2)
    let exampleBytes: [UInt8] = [0x01, 0x0A, 0x06, 0x3E, 0x05, 0x00, 0x00, 0x00]

    @Test func decodesTheDocumentedExample() throws {
        let (mask, values) = try example.decode(exampleBytes, rows: 2, cols: 8)
        #expect(mask == SparseMask(rows: 2, cols: 8, kept: [[1, 2], [0]]))
        #expect(values == [3, -2, 5])
        #expect(example.encode(mask, values: values) == exampleBytes)
        #expect(example.size(mask) == 8)
    }

    @Test func rejectsMalformedStreams() {
        var bad = exampleBytes
        bad[5] = 1
        #expect(throws: HPFormat.DecodeError.self) { try example.decode(bad, rows: 2, cols: 8) }
        #expect(throws: HPFormat.DecodeError.self) { try example.decode(Array(exampleBytes.prefix(4)), rows: 2, cols: 8) }
        #expect(throws: HPFormat.DecodeError.self) { try example.decode(exampleBytes + [0, 0, 0, 0], rows: 2, cols: 8) }
    }

    /// Random shapes, tiles, widths, patterns, ratios and seeds: decode(encode(m, v)) = (m, v),
    /// and the closed-form size is the encoded length.
    @Test func roundTripsRandomMatrices() throws {
        var rng = SplitMix64(seed: 7)
        for trial in 0..<200 {
            let tileRows = 1 + Int(rng.next() % 4), tileCols = 2 + Int(rng.next() % 15)
            let rows = tileRows * (1 + Int(rng.next() % 5)), cols = 1 + Int(rng.next() % 50)
            let bits = 2 + Int(rng.next() % 7)
            let lanes = 1 + Int(rng.next() % 4), banks = lanes + Int(rng.next() % 4)
            let pattern = Pruning.Pattern.allCases[Int(rng.next() % 4)]
            let ratio = Double(rng.next() % 100) / 100
            let p = Pruning(pattern: pattern, ratio: ratio, tileRatio: pattern == .hierarchical ? ratio / 2 : 0, tileRows: tileRows,
                            tileCols: tileCols, edgeTiles: .partial, blockSize: 1 + Int(rng.next() % 4), lanes: lanes, banks: banks,
                            seed: rng.next())
            let mask = MaskGenerator(pruning: p, lanes: lanes, banks: banks).mask(.q, rows: rows, cols: cols, seed: rng.next())
            let values = (0..<mask.nnz).map { _ in Int(rng.next() % UInt64(1 << bits)) - (1 << (bits - 1)) }
            let format = HPFormat(tileRows: tileRows, tileCols: tileCols, weightBits: bits, alignment: [1, 4, 8, 64][Int(rng.next() % 4)],
                                  lanes: lanes, banks: banks)
            let bytes = format.encode(mask, values: values)
            #expect(bytes.count == format.size(mask), "trial \(trial)")
            let decoded = try format.decode(bytes, rows: rows, cols: cols)
            #expect(decoded.mask == mask && decoded.values == values, "trial \(trial)")
        }
    }

    @Test func sameSeedSameMask() {
        let p = Pruning(pattern: .hierarchical, ratio: 0.5, tileRatio: 0.25, tileRows: 4, tileCols: 16, lanes: 8, banks: 8, seed: 1)
        let g = MaskGenerator(pruning: p, lanes: 8, banks: 8)
        #expect(g.mask(.k, rows: 16, cols: 64, seed: 3) == g.mask(.k, rows: 16, cols: 64, seed: 3))
        #expect(g.mask(.k, rows: 16, cols: 64, seed: 3) != g.mask(.k, rows: 16, cols: 64, seed: 4))
    }

    /// Comparison formats at 16 × 16, 64 kept, W4: dense 128 B; CSR 17 row pointers of 7 bits
    /// (15 B) + 64 × 4-bit columns (32 B) + 32 B values = 79 B; bitmap 32 + 32 = 64 B.
    @Test func comparisonFormatSizes() {
        #expect(SparseFormats.denseBytes(rows: 16, cols: 16, weightBits: 4) == 128)
        #expect(SparseFormats.csrBytes(rows: 16, cols: 16, nnz: 64, weightBits: 4) == 79)
        #expect(SparseFormats.bitmapBytes(rows: 16, cols: 16, nnz: 64, weightBits: 4) == 64)
    }
}
