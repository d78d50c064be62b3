import BertSimModels

/// The report's `pruning` section (only with a `pruning:` section; docs/pruning.md): per matrix
/// class its density, storage sizes and engine counts, the run's bank-conflict stalls, weight
/// bytes loaded, and latency versus the same run with dense weights.
public struct PruningSection: Codable, Sendable, Equatable {
    public var pattern: String
    public var lanes: Int
    public var banks: Int
    public var portsPerBank: Int
    public var matrices: [Matrix]
    /// Over the run: lane-cycles a lane waited for a bank port.
    public var bankConflictStalls: Int
    /// Over the run: engine cycles lost to bank conflicts, and to row-length imbalance.
    public var conflictCycles: Int
    public var rowImbalanceCycles: Int
    /// Over the run: weight bytes loaded in the HP format, and what dense weights would load.
    public var weightBytes: Int
    public var denseWeightBytes: Int
    public var weightByteRatio: Double
    /// The run, and the same trace on the same config without `pruning:` (native kernel).
    public var cycles: Int
    public var denseCycles: Int
    public var latencyMs: Double
    public var denseLatencyMs: Double
    public var meanLatencyMs: Double
    public var denseMeanLatencyMs: Double
    public var speedupVsDense: Double

    public struct Matrix: Codable, Sendable, Equatable {
        public var matrix: String
        public var rows: Int
        public var cols: Int
        public var density: Double
        public var hpBytes: Int
        public var denseBytes: Int
        public var csrBytes: Int
        public var bitmapBytes: Int
        public var compressionVsDense: Double
        /// Weight energy magnitude pruning keeps at this pattern and ratio on real weights
        /// (data/weights); null where the data has no measurement for the setting.
        public var energyKept: Double?
        /// Per layer and token block: the engine's cycles, conflict stalls (lane-cycles).
        public var engineCycles: Int
        public var bankConflictStalls: Int

        enum CodingKeys: String, CodingKey {
            case matrix, rows, cols, density
            case hpBytes = "hp_bytes"
            case denseBytes = "dense_bytes"
            case csrBytes = "csr_bytes"
            case bitmapBytes = "bitmap_bytes"
            case compressionVsDense = "compression_vs_dense"
            case energyKept = "energy_kept"
            case engineCycles = "engine_cycles_per_token_block"
            case bankConflictStalls = "bank_conflict_stalls_per_token_block"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(matrix, forKey: .matrix)
            try c.encode(rows, forKey: .rows)
            try c.encode(cols, forKey: .cols)
            try c.encode(density, forKey: .density)
            try c.encode(hpBytes, forKey: .hpBytes)
            try c.encode(denseBytes, forKey: .denseBytes)
            try c.encode(csrBytes, forKey: .csrBytes)
            try c.encode(bitmapBytes, forKey: .bitmapBytes)
            try c.encode(compressionVsDense, forKey: .compressionVsDense)
            try c.encode(energyKept, forKey: .energyKept)
            try c.encode(engineCycles, forKey: .engineCycles)
            try c.encode(bankConflictStalls, forKey: .bankConflictStalls)
        }
    }

    /// The dense twin's numbers.
    public struct Dense: Sendable {
        public var cycles: Int
        public var latencyMs: Double
        public var meanLatencyMs: Double
        public init(cycles: Int, latencyMs: Double, meanLatencyMs: Double) {
            self.cycles = cycles
            self.latencyMs = latencyMs
            self.meanLatencyMs = meanLatencyMs
        }
    }

    enum CodingKeys: String, CodingKey {
        case pattern, lanes, banks
        case portsPerBank = "ports_per_bank"
        case matrices
        case bankConflictStalls = "bank_conflict_stalls"
        case conflictCycles = "conflict_cycles"
        case rowImbalanceCycles = "row_imbalance_cycles"
        case weightBytes = "weight_bytes"
        case denseWeightBytes = "dense_weight_bytes"
        case weightByteRatio = "weight_byte_ratio"
        case cycles
        case denseCycles = "dense_cycles"
        case latencyMs = "latency_ms"
        case denseLatencyMs = "dense_latency_ms"
        case meanLatencyMs = "mean_latency_ms"
        case denseMeanLatencyMs = "dense_mean_latency_ms"
        case speedupVsDense = "speedup_vs_dense"
    }

    public init(result r: PruningResult, weightBits: Int, report: RunReport, dense: Dense) {
        let w = r.weights
        pattern = w.pruning.pattern.rawValue
        lanes = w.lanes
        banks = w.banks
        portsPerBank = w.pruning.portsPerBank
        matrices = MatrixClass.allCases.map { c in
            let m = w.matrices[c]!
            let mask = m.mask
            let dense = SparseFormats.denseBytes(rows: mask.rows, cols: mask.cols, weightBits: weightBits)
            return Matrix(matrix: c.key, rows: mask.rows, cols: mask.cols, density: mask.density, hpBytes: m.hpBytes, denseBytes: dense,
                          csrBytes: SparseFormats.csrBytes(rows: mask.rows, cols: mask.cols, nnz: mask.nnz, weightBits: weightBits),
                          bitmapBytes: SparseFormats.bitmapBytes(rows: mask.rows, cols: mask.cols, nnz: mask.nnz, weightBits: weightBits),
                          compressionVsDense: m.hpBytes == 0 ? 0 : Double(dense) / Double(m.hpBytes),
                          energyKept: WeightEnergy.kept(w.pruning, c),
                          engineCycles: m.groups.reduce(0) { $0 + $1.schedule.cycles },
                          bankConflictStalls: m.groups.reduce(0) { $0 + $1.schedule.stalls })
        }
        let t = r.totals
        bankConflictStalls = t.stalls.reduce(0, +)
        conflictCycles = t.conflictCycles.reduce(0, +)
        rowImbalanceCycles = t.rowImbalanceCycles.reduce(0, +)
        weightBytes = t.bytes.reduce(0, +)
        denseWeightBytes = t.denseBytes.reduce(0, +)
        weightByteRatio = denseWeightBytes == 0 ? 0 : Double(weightBytes) / Double(denseWeightBytes)
        cycles = report.totals.cycles
        denseCycles = dense.cycles
        latencyMs = report.totals.latencyMs
        denseLatencyMs = dense.latencyMs
        meanLatencyMs = report.latency.meanMs
        denseMeanLatencyMs = dense.meanLatencyMs
        speedupVsDense = cycles == 0 ? 0 : Double(denseCycles) / Double(cycles)
    }
}
