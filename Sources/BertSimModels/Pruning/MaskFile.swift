import BertSimCore
import Foundation

/// Mask files (docs/pruning.md, "Mask files"): text, one mask per matrix class, shared by every
/// layer.
///
/// ```
/// bertsim-masks 1
/// matrix q 768 768        # class, rows, cols (the model's [out, in])
/// 0 5 17 …                # row 0: its kept columns, ascending, separated by spaces
/// -                       # a row with nothing kept
/// …                       # exactly `rows` row lines, then the next `matrix` line
/// ```
/// `#` starts a comment; blank lines are skipped. Classes: q, k, v, out, ffn_up, ffn_down; a
/// class without a matrix line is not pruned (dense).
public enum MaskFile {
    /// The most rows a mask may declare (an FFN matrix of any BERT-class model has far fewer);
    /// a mask is checked against the model's shapes later, this only bounds the reading.
    public static let maxRows = 1 << 20

    public static func load(path: String) throws(InputError) -> MaskSet {
        // An empty file is rejected before reading: Foundation's reader leaks its buffer on
        // empty files (found by `make fuzz`).
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size == 0 {
            throw InputError(file: path, line: 1, field: "header", "empty mask file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, field: "mask_file", "cannot be read")
        }
        guard !data.contains(0), let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, line: 1, field: "mask_file", "not a text mask file (binary data or not UTF-8)")
        }
        return try parse(text, file: path, fingerprint: FNV1a.hex(data))
    }

    public static func parse(_ text: String, file: String, fingerprint: String) throws(InputError) -> MaskSet {
        var masks: [MatrixClass: SparseMask] = [:]
        var current: (MatrixClass, SparseMask)?
        var sawHeader = false
        func finish(_ line: Int) throws(InputError) {
            guard let (c, m) = current else { return }
            guard m.rowStart.count == m.rows + 1 else {
                throw InputError(file: file, line: line, field: c.key, "\(m.rowStart.count - 1) row lines, expected \(m.rows)")
            }
            masks[c] = m
            current = nil
        }
        var lineNumber = 0
        // `\r\n` is one Character in Swift, so CRLF files split on isNewline, not on "\n".
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let content = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            if words.isEmpty { continue }
            if !sawHeader {
                guard words == ["bertsim-masks", "1"] else {
                    throw InputError(file: file, line: lineNumber, field: "header", "expected 'bertsim-masks 1'")
                }
                sawHeader = true
                continue
            }
            if words[0] == "matrix" {
                try finish(lineNumber)
                guard words.count == 4, let c = MatrixClass(key: words[1]), let rows = Int(words[2]), let cols = Int(words[3]),
                      rows > 0, cols > 0, cols <= SparseMask.maxColumns
                else {
                    throw InputError(file: file, line: lineNumber, field: "matrix",
                                     "expected 'matrix CLASS ROWS COLS' with CLASS one of \(MatrixClass.allCases.map(\.key).joined(separator: ", "))")
                }
                guard rows <= MaskFile.maxRows else {
                    throw InputError(file: file, line: lineNumber, field: c.key, "\(rows) rows is beyond the limit of \(MaskFile.maxRows)")
                }
                guard masks[c] == nil else { throw InputError(file: file, line: lineNumber, field: c.key, "given twice") }
                current = (c, SparseMask(rows: rows, cols: cols))
                continue
            }
            // Read through `current`, never a copy of its mask: appending to a copy per row
            // would make reading quadratic.
            guard let c = current?.0, let r = current.map({ $0.1.rowStart.count - 1 }),
                  let rows = current?.1.rows, let cols = current?.1.cols else {
                throw InputError(file: file, line: lineNumber, field: "matrix", "a row before any 'matrix' line")
            }
            guard r < rows else {
                throw InputError(file: file, line: lineNumber, field: "\(c.key).row[\(r)]", "more rows than the \(rows) declared")
            }
            var row: [Int] = []
            if words != ["-"] {
                for w in words {
                    let previous = row.last ?? -1
                    guard let col = Int(w), col >= 0, col < cols, col > previous else {
                        throw InputError(file: file, line: lineNumber, field: "\(c.key).row[\(r)]",
                                         "'\(w)' is not a column in 0..<\(cols) above the previous one")
                    }
                    row.append(col)
                }
            }
            current!.1.appendRow(row)
        }
        guard sawHeader else { throw InputError(file: file, line: 1, field: "header", "empty mask file") }
        try finish(lineNumber)
        return MaskSet(masks: masks, fingerprint: fingerprint)
    }

    /// Writes `masks` in the format `parse` reads.
    public static func render(_ masks: [MatrixClass: SparseMask]) -> String {
        var s = "bertsim-masks 1\n"
        for c in MatrixClass.allCases {
            guard let m = masks[c] else { continue }
            s += "matrix \(c.key) \(m.rows) \(m.cols)\n"
            for r in 0..<m.rows {
                let row = m.row(r)
                s += row.isEmpty ? "-\n" : row.map { String($0) }.joined(separator: " ") + "\n"
            }
        }
        return s
    }
}
