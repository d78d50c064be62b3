/// Which weights of a `rows × cols` matrix are kept: per row, its kept columns in ascending
/// order (compressed rows).
public struct SparseMask: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    /// Row r's kept columns are `columns[rowStart[r] ..< rowStart[r + 1]]`, ascending.
    public private(set) var rowStart: [Int]
    public private(set) var columns: [UInt16]

    /// An empty mask; add rows in order with ``appendRow(_:)``.
    public init(rows: Int, cols: Int) {
        precondition(cols <= 65536, "at most 65536 columns")
        self.rows = rows
        self.cols = cols
        rowStart = [0]
        rowStart.reserveCapacity(rows + 1)
        columns = []
    }

    /// A mask from the kept columns of each row (any order; duplicates are an error).
    public init(rows: Int, cols: Int, kept: [[Int]]) {
        self.init(rows: rows, cols: cols)
        precondition(kept.count == rows)
        for row in kept { appendRow(row.sorted()) }
    }

    /// A mask from a dense row-major pattern (`true` = kept).
    public init(rows: Int, cols: Int, dense: [Bool]) {
        precondition(dense.count == rows * cols)
        self.init(rows: rows, cols: cols, kept: (0..<rows).map { r in (0..<cols).filter { dense[r * cols + $0] } })
    }

    /// Appends the next row's kept columns, ascending.
    public mutating func appendRow<C: Sequence>(_ ascending: C) where C.Element == Int {
        precondition(rowStart.count <= rows)
        var last = -1
        for c in ascending {
            precondition(c > last && c < cols, "columns must be ascending and inside the matrix")
            columns.append(UInt16(c))
            last = c
        }
        rowStart.append(columns.count)
    }

    public var nnz: Int { columns.count }
    public var density: Double { rows * cols == 0 ? 0 : Double(nnz) / Double(rows * cols) }

    /// Row r's kept columns, ascending.
    @inlinable public func row(_ r: Int) -> ArraySlice<UInt16> { columns[rowStart[r]..<rowStart[r + 1]] }

    public func count(row r: Int) -> Int { rowStart[r + 1] - rowStart[r] }

    public func contains(row r: Int, col c: Int) -> Bool {
        row(r).contains(UInt16(c))
    }

    /// Row-major `true` where kept.
    public var dense: [Bool] {
        var d = [Bool](repeating: false, count: rows * cols)
        for r in 0..<rows { for c in row(r) { d[r * cols + Int(c)] = true } }
        return d
    }
}
