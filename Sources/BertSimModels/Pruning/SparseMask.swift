/// Which weights of a `rows × cols` matrix are kept: per row, its kept columns in ascending
/// order (compressed rows).
public struct SparseMask: Sendable, Equatable {
    /// Columns are stored as 16-bit indices.
    public static let maxColumns = 1 << 16

    public let rows: Int
    public let cols: Int
    /// Row r's kept columns are `columns[rowStart[r] ..< rowStart[r + 1]]`, ascending.
    public private(set) var rowStart: [Int]
    public private(set) var columns: [UInt16]

    /// An empty mask; add rows in order with ``appendRow(_:)``.
    public init(rows: Int, cols: Int) {
        precondition(cols <= Self.maxColumns, "at most \(Self.maxColumns) columns")
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
}
