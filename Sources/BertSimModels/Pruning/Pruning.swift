import BertSimCore

/// Weight pruning and the sparse engine that runs pruned weights (docs/pruning.md,
/// docs/hp-format.md): which pattern the masks follow, how much each matrix class keeps, the
/// tiles of the storage format, and the engine's lanes, banks and ports.
///
/// A design with a `pruning:` section stores every weight matrix of every layer (Q, K, V,
/// output, FFN up and down) in bertsim's hierarchical-pruning (HP) format and multiplies it on
/// the sparse engine: L lanes (PEs of the array, one output feature each) that fetch the input
/// element of their next non-zero from B banks of R read ports. Masks come from a seeded
/// generator or a mask file (docs/pruning.md, "Mask files").
public struct Pruning: Sendable, Hashable, Codable {
    /// The structure of the masks.
    public enum Pattern: String, Sendable, Hashable, Codable, CaseIterable {
        /// Level 1 drops whole tiles (the same number in every tile row); level 2 keeps the same
        /// number of non-zeros in every row segment of a kept tile, placed so that the lanes read
        /// distinct banks in every cycle.
        case hierarchical
        /// Any weight may be kept: exactly round(density × rows × cols) kept, uniformly at random.
        case unstructured
        /// b × b blocks kept or dropped whole.
        case block
        /// n of every m consecutive weights of a row kept.
        case nm
    }

    /// What happens when a tile (or block, or n:m group) does not divide a matrix.
    public enum EdgeTiles: String, Sendable, Hashable, Codable, CaseIterable {
        /// A config error naming the tile size.
        case error
        /// The last tile row and column of a matrix are cut short (docs/hp-format.md).
        case partial
    }

    /// Where masks come from.
    public enum Source: Sendable, Hashable {
        /// The seeded generator (same seed, same masks).
        case seed(UInt64)
        /// A mask file (docs/pruning.md); `fingerprint` is the FNV-1a 64 hash of its bytes.
        case file(path: String, fingerprint: String, masks: MaskSet)
    }

    public var pattern: Pattern
    /// The pruning ratio (share of weights removed, in [0, 1)) of each matrix class, in
    /// ``MatrixClass`` order; empty when the masks come from a file. For `nm` it is 1 − n/m.
    public var ratios: [Double]
    /// Hierarchical: the share of tiles level 1 drops (in every tile row); level 2 removes the
    /// rest of the ratio inside the kept tiles.
    public var tileRatio: Double
    /// The HP format's tiles: `tileRows` rows (output features) × `tileCols` columns.
    public var tileRows: Int
    public var tileCols: Int
    public var edgeTiles: EdgeTiles
    /// Block pattern: the block side b.
    public var blockSize: Int
    /// N:M pattern: n kept of every m.
    public var n: Int
    public var m: Int
    /// L: lanes of the sparse engine, each a PE computing one output feature; nil means all
    /// P × N PEs of the array (``resolved(arrayLanes:)``).
    public var lanes: Int?
    /// B: banks of the input-vector buffer (column j in bank j mod B); nil means L.
    public var banks: Int?
    /// R: read ports per bank.
    public var portsPerBank: Int
    public var source: Source

    public init(pattern: Pattern, ratios: [Double], tileRatio: Double = 0, tileRows: Int, tileCols: Int,
                edgeTiles: EdgeTiles = .error, blockSize: Int = 4, n: Int = 2, m: Int = 4, lanes: Int? = nil, banks: Int? = nil,
                portsPerBank: Int = 1, source: Source = .seed(1)) {
        self.pattern = pattern
        self.ratios = ratios
        self.tileRatio = tileRatio
        self.tileRows = tileRows
        self.tileCols = tileCols
        self.edgeTiles = edgeTiles
        self.blockSize = blockSize
        self.n = n
        self.m = m
        self.lanes = lanes
        self.banks = banks
        self.portsPerBank = portsPerBank
        self.source = source
    }

    /// The same ratio for every matrix class.
    public init(pattern: Pattern, ratio: Double, tileRatio: Double = 0, tileRows: Int, tileCols: Int,
                edgeTiles: EdgeTiles = .error, blockSize: Int = 4, n: Int = 2, m: Int = 4, lanes: Int? = nil, banks: Int? = nil,
                portsPerBank: Int = 1, seed: UInt64 = 1) {
        self.init(pattern: pattern, ratios: Array(repeating: pattern == .nm ? 1 - Double(n) / Double(m) : ratio,
                                                  count: MatrixClass.allCases.count),
                  tileRatio: tileRatio, tileRows: tileRows, tileCols: tileCols, edgeTiles: edgeTiles, blockSize: blockSize,
                  n: n, m: m, lanes: lanes, banks: banks, portsPerBank: portsPerBank, source: .seed(seed))
    }

    /// L and B for an array of `arrayLanes` PEs: the configured values, or L = P × N, B = L.
    public func resolved(arrayLanes: Int) -> (lanes: Int, banks: Int) {
        let l = lanes ?? arrayLanes
        return (l, banks ?? l)
    }

    /// The ratio of `matrix` (from the config; a mask file's masks have their own).
    public func ratio(_ matrix: MatrixClass) -> Double? { ratios.isEmpty ? nil : ratios[matrix.rawValue] }

    /// Bits needed to write 0 … `maximum`.
    static func bits(_ maximum: Int) -> Int { maximum <= 0 ? 0 : Int.bitWidth - maximum.leadingZeroBitCount }

    // MARK: Codable (the resolved config in reports)

    enum CodingKeys: String, CodingKey {
        case pattern, ratios
        case tileRatio = "tile_ratio"
        case tileRows = "tile_rows"
        case tileCols = "tile_cols"
        case edgeTiles = "edge_tiles"
        case blockSize = "block_size"
        case n, m, lanes, banks
        case portsPerBank = "ports_per_bank"
        case seed
        case maskFile = "mask_file"
        case maskFingerprint = "mask_file_fnv1a64"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(pattern, forKey: .pattern)
        if !ratios.isEmpty {
            try c.encode(Dictionary(uniqueKeysWithValues: MatrixClass.allCases.map { ($0.key, ratios[$0.rawValue]) }),
                         forKey: .ratios)
        }
        if pattern == .hierarchical { try c.encode(tileRatio, forKey: .tileRatio) }
        try c.encode(tileRows, forKey: .tileRows)
        try c.encode(tileCols, forKey: .tileCols)
        try c.encode(edgeTiles, forKey: .edgeTiles)
        if pattern == .block { try c.encode(blockSize, forKey: .blockSize) }
        if pattern == .nm {
            try c.encode(n, forKey: .n)
            try c.encode(m, forKey: .m)
        }
        try c.encodeIfPresent(lanes, forKey: .lanes)
        try c.encodeIfPresent(banks, forKey: .banks)
        try c.encode(portsPerBank, forKey: .portsPerBank)
        switch source {
        case .seed(let s): try c.encode(s, forKey: .seed)
        case .file(let path, let fingerprint, _):
            try c.encode(path, forKey: .maskFile)
            try c.encode(fingerprint, forKey: .maskFingerprint)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let ratios = try c.decodeIfPresent([String: Double].self, forKey: .ratios)
        // A decoded config (from a report) names its mask file; the masks themselves are not
        // read again: the set stands for them by its fingerprint (equal configs stay equal).
        let source: Source = if let path = try c.decodeIfPresent(String.self, forKey: .maskFile) {
            .file(path: path, fingerprint: try c.decode(String.self, forKey: .maskFingerprint),
                  masks: MaskSet(identity: try c.decode(String.self, forKey: .maskFingerprint)))
        } else {
            .seed(try c.decode(UInt64.self, forKey: .seed))
        }
        self.init(pattern: try c.decode(Pattern.self, forKey: .pattern),
                  ratios: ratios.map { r in MatrixClass.allCases.map { r[$0.key] ?? 0 } } ?? [],
                  tileRatio: try c.decodeIfPresent(Double.self, forKey: .tileRatio) ?? 0,
                  tileRows: try c.decode(Int.self, forKey: .tileRows), tileCols: try c.decode(Int.self, forKey: .tileCols),
                  edgeTiles: try c.decode(EdgeTiles.self, forKey: .edgeTiles),
                  blockSize: try c.decodeIfPresent(Int.self, forKey: .blockSize) ?? 4,
                  n: try c.decodeIfPresent(Int.self, forKey: .n) ?? 2, m: try c.decodeIfPresent(Int.self, forKey: .m) ?? 4,
                  lanes: try c.decodeIfPresent(Int.self, forKey: .lanes), banks: try c.decodeIfPresent(Int.self, forKey: .banks),
                  portsPerBank: try c.decode(Int.self, forKey: .portsPerBank), source: source)
    }

    // MARK: Schema

    public static let schema = ComponentSchema(
        name: "pruning",
        summary: "Pruned weights in the HP format on the sparse engine (ICCAD 2021 in spirit; docs/pruning.md): L lanes fetch the inputs of their non-zeros from B banks of R ports.",
        parameters: [
            ParameterSpec("pattern", .choice(Pattern.allCases.map(\.rawValue)),
                          "Mask structure: hierarchical (tiles, then balanced non-zeros per row segment), unstructured, block (b×b), nm (n of every m)"),
            ParameterSpec("ratio", .decimal(0...1), unit: .ratio, default: "",
                          "Share of weights removed, in [0, 1), for every matrix class (or give ratios)"),
            ParameterSpec("ratios", .text, default: "", "Per matrix class: q, k, v, out, ffn_up, ffn_down (each in [0, 1); missing ones take ratio)"),
            ParameterSpec("tile_ratio", .decimal(0...1), unit: .ratio, default: "",
                          "hierarchical: share of tiles level 1 drops in every tile row (default 0; at most the ratio)"),
            ParameterSpec("tile_rows", .integer(1...65536), unit: .count, default: "8", "Tile height in rows (output features); divides P × N, so a GEMM column group holds whole tile rows"),
            ParameterSpec("tile_cols", .integer(2...65536), unit: .count, default: "128",
                          "Tile width in columns (input features); indices take ⌈log2 tile_cols⌉ bits"),
            ParameterSpec("edge_tiles", .choice(EdgeTiles.allCases.map(\.rawValue)), default: "error",
                          "When a tile, block or n:m group does not divide a matrix: error, or partial (the last ones are cut short)"),
            ParameterSpec("block_size", .integer(1...4096), unit: .count, default: "", "block: the side b of a b×b block (default 4)"),
            ParameterSpec("n", .integer(1...4096), unit: .count, default: "", "nm: weights kept per group (default 2)"),
            ParameterSpec("m", .integer(1...4096), unit: .count, default: "", "nm: group size (default 4)"),
            ParameterSpec("lanes", .integer(1...4096), unit: .lanes, default: "",
                          "L: lanes of the sparse engine, each a PE computing one output feature (default P × N; must divide P × N)"),
            ParameterSpec("banks", .integer(1...65536), unit: .count, default: "",
                          "B: banks of the input-vector buffer, column j in bank j mod B (default L); hierarchical needs L ≤ B and B dividing tile_cols"),
            ParameterSpec("ports_per_bank", .integer(1...64), unit: .count, default: "1", "R: read ports per bank; more requests stall"),
            ParameterSpec("seed", .integer(0...Int.max), unit: .count, default: "", "Seed of the mask generator (default 1)"),
            ParameterSpec("mask_file", .text, default: "", "Masks from this file instead (docs/pruning.md; relative to the config)"),
        ],
        statistics: [
            StatisticSpec("bank_conflict_stalls", .count, "Lane-cycles a lane waited for a bank's read port"),
            StatisticSpec("conflict_cycles", .cycles, "Cycles the engine ran beyond its longest lane (bank conflicts)"),
            StatisticSpec("row_imbalance_cycles", .cycles, "Cycles the longest lane ran beyond a balanced share of its row group's non-zeros"),
            StatisticSpec("weight_bytes", .bytes, "Weight bytes loaded in the HP format"),
        ])

    /// The schema of `pruning.ratios`.
    public static let ratiosSchema = ComponentSchema(
        name: "pruning.ratios",
        summary: "Pruning ratio per matrix class, each in [0, 1).",
        parameters: MatrixClass.allCases.map {
            ParameterSpec($0.key, .decimal(0...1), unit: .ratio, default: "", "Share of the \($0.key) matrices' weights removed")
        },
        statistics: [])
}
