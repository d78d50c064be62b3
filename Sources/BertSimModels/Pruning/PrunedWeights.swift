import BertSimCore
import BertSimWorkload

/// A model's pruned weights on one design, computed once per simulation (docs/pruning.md): the
/// mask of every matrix class (the same in every layer), and per GEMM column group (one weight
/// tile of the encoder's program) its non-zeros, its HP-format bytes and its sparse-engine
/// schedule. Plans look groups up here, so no schedule is computed twice.
public final class PrunedWeights: Sendable {
    public let pruning: Pruning
    public let lanes: Int
    public let banks: Int
    public let format: HPFormat
    /// Tokens a lane multiplies per fetched weight: ⌊M / q⌋ (q multipliers per 8×4-split product).
    public let tokensPerBlock: Int
    public let matrices: [MatrixClass: Matrix]

    /// One weight tile: PN output rows × all input columns of one matrix.
    public struct Group: Sendable, Equatable {
        public var nnz: Int
        /// HP-format bytes of the group's tile rows.
        public var bytes: Int
        /// Its schedule per token block (``SparseEngine``).
        public var schedule: SparseEngine.Schedule
    }

    public struct Matrix: Sendable {
        public var matrix: MatrixClass
        public var mask: SparseMask
        public var groups: [Group]
        public var hpBytes: Int { groups.reduce(0) { $0 + $1.bytes } }
    }

    /// Checks the setting against the design and the model and builds every group.
    public init(pruning: Pruning, model: ModelSpec, config: EncoderConfig) throws(DesignError) {
        guard case .bim(let pe) = config.array else {
            throw DesignError(field: "encoder.pruning", "the sparse engine runs on the BIM pe_array; this design has a systolic array")
        }
        let pn = pe.lanes
        let (l, b) = pruning.resolved(arrayLanes: pn)
        self.pruning = pruning
        lanes = l
        banks = b
        let field = "encoder.pruning."
        guard pn % l == 0 else {
            throw DesignError(field: field + "lanes", "\(l) lanes do not divide the array's \(pn) PEs (P × N)")
        }
        guard pn % pruning.tileRows == 0 else {
            throw DesignError(field: field + "tile_rows", "\(pruning.tileRows) does not divide the array's \(pn) PEs (P × N): a weight tile must hold whole tile rows")
        }
        if pruning.pattern == .hierarchical {
            guard l <= b else {
                throw DesignError(field: field + "lanes", "\(l) lanes > \(b) banks: hierarchical pruning gives every lane its own bank in each cycle, so it needs lanes ≤ banks")
            }
            guard pruning.tileCols % b == 0 else {
                throw DesignError(field: field + "banks", "\(b) banks do not divide tile_cols \(pruning.tileCols): a row segment must cover every bank equally")
            }
        }
        format = HPFormat(tileRows: pruning.tileRows, tileCols: pruning.tileCols, weightBits: config.precision.weightBits,
                          alignment: config.memory.axiWidthBytes, lanes: l, banks: b)
        let q = EncoderConfig.PEArray.multipliersPerProduct(aBits: config.precision.activationBits, bBits: config.precision.weightBits)
        tokensPerBlock = max(1, pe.multipliersPerPE / q)
        let generator = MaskGenerator(pruning: pruning, lanes: l, banks: b)
        var matrices: [MatrixClass: Matrix] = [:]
        for c in MatrixClass.allCases {
            let (rows, cols) = c.shape(model)
            // Custom models may be far larger than BERT-large; masks are built in memory.
            guard cols <= SparseMask.maxColumns, rows * cols <= Self.maxWeightsPerMatrix else {
                throw DesignError(field: field + "pattern", "\(model.name)'s \(c.key) matrix is \(rows) × \(cols): pruned matrices may have at most \(SparseMask.maxColumns) columns and \(Self.maxWeightsPerMatrix) weights")
            }
            let mask: SparseMask
            switch pruning.source {
            case .seed(let seed):
                try Self.checkDivides(pruning, rows: rows, cols: cols, matrix: c)
                mask = generator.mask(c, rows: rows, cols: cols, seed: seed)
            case .file(let path, _, let set):
                guard set.isLoaded else {
                    throw DesignError(field: field + "mask_file", "\(path): the masks were not read (a config decoded from a report names its mask file only; load the YAML config to simulate it)")
                }
                guard let m = set.masks[c] else {
                    var dense = SparseMask(rows: rows, cols: cols)
                    for _ in 0..<rows { dense.appendRow(0..<cols) }
                    mask = dense
                    break
                }
                guard m.rows == rows, m.cols == cols else {
                    throw DesignError(field: field + "mask_file", "the \(c.key) mask is \(m.rows) × \(m.cols) but \(model.name)'s \(c.key) matrix is \(rows) × \(cols)")
                }
                try Self.checkDivides(pruning, rows: rows, cols: cols, matrix: c)
                mask = m
            }
            matrices[c] = Matrix(matrix: c, mask: mask, groups: Self.groups(mask, pn: pn, lanes: l, banks: b, ports: pruning.portsPerBank,
                                                                           format: format))
        }
        self.matrices = matrices
    }

    /// The largest matrix masks are built for: 2²⁶ weights (BERT-large's FFN has 2²²).
    static let maxWeightsPerMatrix = 1 << 26

    static func checkDivides(_ p: Pruning, rows: Int, cols: Int, matrix: MatrixClass) throws(DesignError) {
        guard p.edgeTiles == .error else { return }
        let field = "encoder.pruning."
        let shape = "the \(rows) × \(cols) \(matrix.key) matrix"
        if cols % p.tileCols != 0 || rows % p.tileRows != 0 {
            throw DesignError(field: field + "tile_cols", "tiles of \(p.tileRows) × \(p.tileCols) do not divide \(shape) (set edge_tiles: partial to cut the last ones short)")
        }
        if p.pattern == .block && (cols % p.blockSize != 0 || rows % p.blockSize != 0) {
            throw DesignError(field: field + "block_size", "\(p.blockSize) × \(p.blockSize) blocks do not divide \(shape) (set edge_tiles: partial)")
        }
        if p.pattern == .nm && cols % p.m != 0 {
            throw DesignError(field: field + "m", "groups of \(p.m) do not divide the \(cols) columns of \(matrix.key) (set edge_tiles: partial)")
        }
    }

    /// Column groups of PN rows (the encoder's weight tiles), each in row groups of L lanes.
    static func groups(_ mask: SparseMask, pn: Int, lanes: Int, banks: Int, ports: Int, format: HPFormat) -> [Group] {
        var scratch = SparseEngine.FetchScratch(banks: banks)
        var runner = SparseEngine.Runner(banks: banks)
        var out: [Group] = []
        var flat: [Int32] = []
        var start: [Int] = []
        for g0 in stride(from: 0, to: mask.rows, by: pn) {
            let g1 = min(mask.rows, g0 + pn)
            var schedule = SparseEngine.Schedule()
            var nnz = 0
            for r0 in stride(from: g0, to: g1, by: lanes) {
                flat.removeAll(keepingCapacity: true)
                start = [0]
                for r in r0..<min(g1, r0 + lanes) {
                    scratch.order(mask.row(r), offset: r % lanes, tileCols: format.tileCols) { flat.append(Int32($0 % banks)) }
                    start.append(flat.count)
                    nnz += mask.count(row: r)
                }
                schedule += runner.run(flat: flat, start: start, ports: ports)
            }
            out.append(Group(nnz: nnz, bytes: format.size(mask, rows: g0..<g1), schedule: schedule))
        }
        return out
    }

    public func group(_ matrix: MatrixClass, _ g: Int) -> Group { matrices[matrix]!.groups[g] }

    /// One weight tile on the sparse engine: `rows` activation rows against group `g` of
    /// `matrix` (docs/pruning.md, "Timing model"): `⌈rows / t⌉` token blocks of t = ⌊M/q⌋
    /// tokens, each the group's schedule of C cycles plus the PE array's row overhead r (the
    /// lanes' pipelines drain at the end of every block, as at the end of a dense row):
    /// `issue = ⌈rows/t⌉ × (C + r)`; of these, `⌈rows/t⌉ × (C − ideal)` are `imbalance`
    /// (row-length imbalance and bank conflicts) and `⌈rows/t⌉ × r` control.
    public func tileCost(rows: Int, matrix: MatrixClass, group g: Int, config: EncoderConfig)
        -> (cost: TaskCost, imbalance: Int, stalls: Int)
    {
        let grp = group(matrix, g)
        let pe = config.peArray!
        let p = config.precision
        let q = EncoderConfig.PEArray.multipliersPerProduct(aBits: p.activationBits, bBits: p.weightBits)
        let blocks = rows.ceilDiv(tokensPerBlock)
        let issue = blocks * (grp.schedule.cycles + pe.rowOverhead)
        let width = min(pe.lanes, matrices[matrix]!.mask.rows - g * pe.lanes)
        let macs = rows * grp.nnz
        // Buffer traffic: each token block's fetched inputs, every weight once per block, outputs once.
        let bytes = (macs * p.activationBits + blocks * grp.nnz * p.weightBits + rows * width * p.activationBits).ceilDiv(8)
        return (TaskCost(issue: issue, latency: max(0, pe.pipelineLatency - pe.rowOverhead), work: macs, usedSlots: macs * q,
                         laneSlots: blocks * grp.schedule.cycles * pe.lanes * pe.multipliersPerPE, bufferBytes: bytes,
                         control: blocks * pe.rowOverhead),
                blocks * (grp.schedule.cycles - grp.schedule.ideal), blocks * grp.schedule.stalls)
    }
}
