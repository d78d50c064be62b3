import BertSimCore
import Testing
@testable import BertSimModels

@Suite struct MaskFileTests {
    @Test func rendersAndParsesBack() throws {
        let p = Pruning(pattern: .unstructured, ratio: 0.6, tileRows: 4, tileCols: 8, seed: 2)
        let g = MaskGenerator(pruning: p, lanes: 4, banks: 4)
        let masks: [MatrixClass: SparseMask] = [.q: g.mask(.q, rows: 8, cols: 16, seed: 1), .ffnDown: g.mask(.ffnDown, rows: 8, cols: 32, seed: 1)]
        let set = try MaskFile.parse(MaskFile.render(masks), file: "m.masks", fingerprint: "x")
        #expect(set.masks == masks)
    }

    /// Windows line ends read like Unix ones (`\r\n` is one Character in Swift).
    @Test func crlfLineEnds() throws {
        let unix = "bertsim-masks 1\nmatrix q 2 4\n0 1 # row 0\n-\n"
        let crlf = try MaskFile.parse(unix.replacingOccurrences(of: "\n", with: "\r\n"), file: "m", fingerprint: "")
        #expect(crlf.masks == (try MaskFile.parse(unix, file: "m", fingerprint: "")).masks)
        #expect(crlf.masks[.q]?.count(row: 0) == 2)
    }

    @Test func errorsNameLineAndField() {
        #expect(throws: InputError(file: "m", line: 4, field: "q", "1 row lines, expected 2")) {
            try MaskFile.parse("bertsim-masks 1\nmatrix q 2 4\n0 1\nmatrix k 2 4\n", file: "m", fingerprint: "")
        }
        #expect(throws: InputError(file: "m", line: 1, field: "header", "expected 'bertsim-masks 1'")) {
            try MaskFile.parse("masks\n", file: "m", fingerprint: "")
        }
        #expect(throws: InputError(file: "m", line: 3, field: "q.row[0]", "'2' is not a column in 0..<4 above the previous one")) {
            try MaskFile.parse("bertsim-masks 1\nmatrix q 1 4\n3 2\n", file: "m", fingerprint: "")
        }
    }
}
