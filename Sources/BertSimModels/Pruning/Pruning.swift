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

    // MARK: Parameters (the YAML schema and the resolved config in reports)

    /// An optional integer that is written to the resolved config only for some patterns.
    private static func patternInteger(_ key: String, _ path: WritableKeyPath<Pruning, Int> & Sendable, _ range: ClosedRange<Int>,
                                       only patterns: Set<Pattern>, _ description: String) -> Parameter<Pruning> {
        Parameter(key, .integer(range), unit: .count, .optional, description,
                  read: { (root: inout Pruning, v: ParameterValues, _: ParameterContext) throws(InputError) in
                      root[keyPath: path] = v.int(key)
                  },
                  encode: { root, c in if patterns.contains(root.pattern) { try c.encode(root[keyPath: path], forKey: ParameterKey(key)) } },
                  decode: { root, c in
                      if let value = try c.decodeIfPresent(Int.self, forKey: ParameterKey(key)) { root[keyPath: path] = value }
                  })
    }

    /// Every parameter, declared once (``ParameterTable``). `ratio`, `ratios`, `tile_ratio`,
    /// `seed` and `mask_file` are read together by the config reader (they depend on each
    /// other and on the mask file); the resolved config holds the per-class `ratios`, the
    /// tile ratio (hierarchical), and the seed or the mask file with its fingerprint.
    public static let parameters = ParameterTable<Pruning>(
        "pruning",
        summary: "Pruned weights in the HP format on the sparse engine (ICCAD 2021 in spirit; docs/pruning.md): L lanes fetch the inputs of their non-zeros from B banks of R ports.",
        template: Pruning(pattern: .hierarchical, ratios: [], tileRows: 8, tileCols: 128), [
            .choice("pattern", \.pattern,
                    "Mask structure: hierarchical (tiles, then balanced non-zeros per row segment), unstructured, block (b×b), nm (n of every m)"),
            .readOnly("ratio", .decimal(0...1), unit: .ratio, .optional,
                      "Share of weights removed, in [0, 1), for every matrix class (or give ratios)"),
            Parameter("ratios", .text, .optional, "Per matrix class: q, k, v, out, ffn_up, ffn_down (each in [0, 1); missing ones take ratio)",
                      read: { _, _, _ in },
                      encode: { root, c in
                          if !root.ratios.isEmpty {
                              try c.encode(Dictionary(uniqueKeysWithValues: MatrixClass.allCases.map { ($0.key, root.ratios[$0.rawValue]) }),
                                           forKey: ParameterKey("ratios"))
                          }
                      },
                      decode: { root, c in
                          let r = try c.decodeIfPresent([String: Double].self, forKey: ParameterKey("ratios"))
                          root.ratios = r.map { r in MatrixClass.allCases.map { r[$0.key] ?? 0 } } ?? []
                      }),
            Parameter("tile_ratio", .decimal(0...1), unit: .ratio, .optional,
                      "hierarchical: share of tiles level 1 drops in every tile row (default 0; at most the ratio)",
                      read: { (root: inout Pruning, v: ParameterValues, _: ParameterContext) throws(InputError) in
                          root.tileRatio = v.double("tile_ratio")
                      },
                      encode: { root, c in if root.pattern == .hierarchical { try c.encode(root.tileRatio, forKey: ParameterKey("tile_ratio")) } },
                      decode: { root, c in root.tileRatio = try c.decodeIfPresent(Double.self, forKey: ParameterKey("tile_ratio")) ?? 0 }),
            .integer("tile_rows", \.tileRows, 1...65536, unit: .count, default: .template,
                     "Tile height in rows (output features); divides P × N, so a GEMM column group holds whole tile rows"),
            .integer("tile_cols", \.tileCols, 2...65536, unit: .count, default: .template,
                     "Tile width in columns (input features); indices take ⌈log2 tile_cols⌉ bits"),
            .choice("edge_tiles", \.edgeTiles, default: .template,
                    "When a tile, block or n:m group does not divide a matrix: error, or partial (the last ones are cut short)"),
            patternInteger("block_size", \.blockSize, 1...4096, only: [.block], "block: the side b of a b×b block (default 4)"),
            patternInteger("n", \.n, 1...4096, only: [.nm], "nm: weights kept per group (default 2)"),
            patternInteger("m", \.m, 1...4096, only: [.nm], "nm: group size (default 4)"),
            .optionalInteger("lanes", \.lanes, 1...4096, unit: .lanes,
                             "L: lanes of the sparse engine, each a PE computing one output feature (default P × N; must divide P × N)"),
            .optionalInteger("banks", \.banks, 1...65536, unit: .count,
                             "B: banks of the input-vector buffer, column j in bank j mod B (default L); hierarchical needs L ≤ B and B dividing tile_cols"),
            .integer("ports_per_bank", \.portsPerBank, 1...64, unit: .count, default: .template, "R: read ports per bank; more requests stall"),
            Parameter("seed", .integer(0...Int.max), unit: .count, .optional, "Seed of the mask generator (default 1)",
                      read: { _, _, _ in },
                      encode: { root, c in if case .seed(let s) = root.source { try c.encode(s, forKey: ParameterKey("seed")) } },
                      decode: { root, c in
                          if let s = try c.decodeIfPresent(UInt64.self, forKey: ParameterKey("seed")) { root.source = .seed(s) }
                      }),
            Parameter("mask_file", .text, .optional, "Masks from this file instead (docs/pruning.md; relative to the config)",
                      read: { _, _, _ in },
                      encode: { root, c in
                          if case .file(let path, let fingerprint, _) = root.source {
                              try c.encode(path, forKey: ParameterKey("mask_file"))
                              try c.encode(fingerprint, forKey: ParameterKey("mask_file_fnv1a64"))
                          }
                      },
                      decode: { root, c in
                          // A decoded config (from a report) names its mask file; the masks themselves are
                          // not read again: the set stands for them by its fingerprint.
                          if let path = try c.decodeIfPresent(String.self, forKey: ParameterKey("mask_file")) {
                              let fingerprint = try c.decode(String.self, forKey: ParameterKey("mask_file_fnv1a64"))
                              root.source = .file(path: path, fingerprint: fingerprint, masks: MaskSet(identity: fingerprint))
                          }
                      }),
        ],
        statistics: [
            StatisticSpec("bank_conflict_stalls", .count, "Lane-cycles a lane waited for a bank's read port"),
            StatisticSpec("conflict_cycles", .cycles, "Cycles the engine ran beyond its longest lane (bank conflicts)"),
            StatisticSpec("row_imbalance_cycles", .cycles, "Cycles the longest lane ran beyond a balanced share of its row group's non-zeros"),
            StatisticSpec("weight_bytes", .bytes, "Weight bytes loaded in the HP format"),
        ])

    public static var schema: ComponentSchema { parameters.schema }

    public func encode(to encoder: any Encoder) throws { try Self.parameters.encode(self, to: encoder) }
    public init(from decoder: any Decoder) throws { self = try Self.parameters.decode(from: decoder) }

    /// The schema of `pruning.ratios`.
    public static let ratiosSchema = ComponentSchema(
        name: "pruning.ratios",
        summary: "Pruning ratio per matrix class, each in [0, 1).",
        parameters: MatrixClass.allCases.map {
            ParameterSpec($0.key, .decimal(0...1), unit: .ratio, default: "", "Share of the \($0.key) matrices' weights removed")
        },
        statistics: [])
}
