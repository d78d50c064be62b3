import BertSimCore
import BertSimWorkload

/// Every task of one job, per pseudo-layer kind and unit, in each unit's program order
/// (docs/encoder-timing.md §2–§3). The same plan serves every layer of the job: only the
/// first layer differs (its input is the input transfer, not the previous `ln2`).
public struct JobPlan: Sendable {
    public let shape: JobShape
    /// `programs[kind][unit]`: the unit's tasks for one layer of that kind.
    public let programs: [[[PlannedTask]]]
    /// Weight tiles per layer, in DMA order (= PE order of the weight GEMMs).
    public let weightTilesPerLayer: Int
    /// The PE program index of each weight tile.
    public let peIndexOfWeightTile: [Int]
    /// One layer's attention costs, with sparse attention (nil for dense).
    public let attention: AttentionAccounting?
    /// PE indices of a layer's first attention task and its last `pv` (the attention phase).
    public let attentionPE: ClosedRange<Int>
    /// With pruned weights: one layer's sparse-engine counts.
    public let pruning: PruningAccounting?

    public func tasks(_ kind: LayerKind, _ unit: EncoderUnit) -> [PlannedTask] { programs[kind.rawValue][unit.rawValue] }

    /// Index of the `ln2` task in the LayerNorm program (the layer's output).
    public static let ln2Index = 1

    public init(model: ModelSpec, config: EncoderConfig, shape: JobShape, pruned: PrunedWeights? = nil) {
        self.shape = shape
        var pruning: PruningAccounting?
        var programs: [[[PlannedTask]]] = []
        var peIndexOfWeightTile: [Int] = []
        var tilesPerLayer = 0
        var attention: AttentionAccounting?
        var attentionPE = 0...0
        for kind in LayerKind.allCases {
            let builder = LayerBuilder(model: model, config: config, shape: shape, kind: kind, pruned: pruned)
            programs.append(builder.programs)
            if kind == .first {
                peIndexOfWeightTile = builder.peIndexOfWeightTile
                tilesPerLayer = builder.peIndexOfWeightTile.count
                attention = builder.attention
                attentionPE = builder.attentionPE
                pruning = builder.pruning
            }
        }
        self.attention = attention
        self.attentionPE = attentionPE
        self.pruning = pruning
        self.programs = programs
        self.weightTilesPerLayer = tilesPerLayer
        self.peIndexOfWeightTile = peIndexOfWeightTile
    }

    /// The bytes of the largest weight tile of the model: the weight buffer's slot size.
    public static func slotBytes(model: ModelSpec, config: EncoderConfig) -> Int {
        let b = config.weightTileBytes(k: max(model.hidden, model.ffn), width: config.array.lanes)
        return b.weights + b.biases
    }
}

/// Builds one layer's programs.
private struct LayerBuilder {
    let model: ModelSpec
    let config: EncoderConfig
    let shape: JobShape
    let kind: LayerKind
    var programs = [[PlannedTask]](repeating: [], count: EncoderUnit.allCases.count)
    var peIndexOfWeightTile: [Int] = []
    var attention: AttentionAccounting?
    var attentionPE = 0...0
    let pruned: PrunedWeights?
    var pruning: PruningAccounting?
    /// What does not fit on chip, per layer (§6): the layer input's and the LayerNorm output's
    /// shares of the I/O buffer's overflow, and the attention tensors' and the FFN
    /// intermediate's shares of the intermediate buffer's.
    let spill: Spill

    struct Spill {
        var input = 0, normalized = 0, attention = 0, ffn = 0

        init(model: ModelSpec, config: EncoderConfig, shape: JobShape) {
            let o = BufferPlan(model: model, config: config).overflow(sequences: shape.sequences, paddedLength: shape.paddedLength)
            input = o.io.ceilDiv(2)
            normalized = o.io - input
            let attentionBytes = 4 * config.activationBytes(rows: shape.rows, cols: model.hidden)
                + 2 * config.scoreBytes(rows: shape.paddedLength, cols: shape.paddedLength)
            attention = min(o.intermediate, attentionBytes)
            ffn = o.intermediate - attention
        }
    }

    init(model: ModelSpec, config: EncoderConfig, shape: JobShape, kind: LayerKind, pruned: PrunedWeights?) {
        self.pruned = pruned
        self.spill = Spill(model: model, config: config, shape: shape)
        self.pruning = pruned == nil ? nil : PruningAccounting()
        self.model = model
        self.config = config
        self.shape = shape
        self.kind = kind
        switch kind {
        case .before:
            let bytes = config.activationBytes(rows: shape.rows, cols: model.hidden)
            add(.dmaRead, PlannedTask(kind: .transfer("input"), dependencies: [.jobReady, .previousJobDone, .hostCommand],
                                      bytes: [(.activationsIn, bytes)]))
        case .after:
            // The last layer's spilled rows of its output are already in DRAM (§6).
            let bytes = config.activationBytes(rows: shape.rows, cols: model.hidden) - spill.input
            add(.dmaWrite, PlannedTask(kind: .transfer("output"),
                                       dependencies: [.done(.layerNorm, layerOffset: -1, index: JobPlan.ln2Index)],
                                       bytes: [(.activationsOut, bytes)]))
        case .first, .other:
            buildLayer()
        }
    }

    private mutating func add(_ unit: EncoderUnit, _ task: PlannedTask) {
        programs[unit.rawValue].append(task)
    }

    private var count: (EncoderUnit) -> Int { { programs[$0.rawValue].count } }

    /// Busy share of `issue` cycles when `useful` of `total` units of work are real tokens.
    private func usefulIssue(_ issue: Int, _ useful: Int, _ total: Int) -> Int { issue * useful / total }

    private var lanes: Int { config.array.lanes }

    /// Column groups of a C-wide output: (first column, width).
    private func groups(_ columns: Int) -> [(Int, Int)] {
        stride(from: 0, to: columns, by: lanes).map { ($0, min(lanes, columns - $0)) }
    }

    /// The dependencies of a weight GEMM's tile: its input, the host's command when it is the
    /// layer's first PE task (compute dependencies before memory ones, §7), its weight tile.
    private func tileDependencies(input: Dependency, tile: Int, first: Bool) -> [Dependency] {
        // The tile's weights are the next transfer added to the read program.
        let weights = Dependency.done(.dmaRead, layerOffset: 0, index: count(.dmaRead))
        guard first else { return [input, weights] }
        if case .done(let unit, _, _) = input, unit.isTransfer { return [.hostCommand, input, weights] }
        return [input, .hostCommand, weights]
    }

    /// A weight GEMM over all R rows; returns the PE index of its last tile.
    @discardableResult
    private mutating func weightGEMM(_ name: String, k: Int, columns: Int, input: Dependency) -> Int {
        for (g, (_, width)) in groups(columns).enumerated() {
            let tile = peIndexOfWeightTile.count
            let dependencies = tileDependencies(input: input, tile: tile, first: count(.peArray) == 0)
            peIndexOfWeightTile.append(count(.peArray))
            var bytes = config.weightTileBytes(k: k, width: width)
            if let pruned, let matrix = MatrixClass(gemmName: name) {
                // The sparse engine (docs/pruning.md): imbalance cycles after the busy ones.
                let sparse = pruned.tileCost(rows: shape.rows, matrix: matrix, group: g, config: config)
                let busy = sparse.cost.issue - sparse.imbalance - sparse.cost.control
                add(.peArray, PlannedTask(
                    kind: .gemm(name: name, pair: nil, group: g), cost: sparse.cost,
                    usefulIssue: usefulIssue(busy, shape.usefulRows, shape.rows), imbalanceIssue: sparse.imbalance,
                    controlIssue: usefulIssue(sparse.cost.control, shape.usefulRows, shape.rows),
                    dependencies: dependencies, weightTile: tile))
                let dense = bytes.weights
                bytes.weights = pruned.group(matrix, g).bytes
                pruning?.add(matrix, schedule: pruned.group(matrix, g).schedule, blocks: shape.rows.ceilDiv(pruned.tokensPerBlock),
                             bytes: bytes.weights, denseBytes: dense)
            } else {
                let cost = config.gemmTile(rows: shape.rows, k: k, width: width, mode: .activationWeight)
                add(.peArray, PlannedTask(
                    kind: .gemm(name: name, pair: nil, group: g), cost: cost,
                    usefulIssue: usefulIssue(cost.issue - cost.control, shape.usefulRows, shape.rows),
                    controlIssue: usefulIssue(cost.control, shape.usefulRows, shape.rows),
                    dependencies: dependencies, weightTile: tile))
            }
            add(.dmaRead, PlannedTask(kind: .transfer("w.\(name)[\(g)]"), dependencies: [.weightSlot(tile: tile)],
                                      bytes: [(.weights, bytes.weights), (.biases, bytes.biases)], weightTile: tile))
        }
        return count(.peArray) - 1
    }

    /// Dense attention: pairs p = s·A + h, software-pipelined one deep on the PE array. Returns
    /// the PE index of the last `pv` tile.
    private mutating func denseAttention(lastQ: Int, lastK: Int, lastV: Int) -> Int {
        let pairs = shape.sequences * model.heads
        let heads = model.heads, d = model.headSize, lp = shape.paddedLength
        var lastQK = [Int](repeating: 0, count: pairs)
        var lastPV = 0
        func qk(_ p: Int) {
            let l = shape.lengths[p / heads]
            for (g, (first, width)) in groups(lp).enumerated() {
                let cost = config.gemmTile(rows: lp, k: d, width: width, mode: .activationActivation)
                let usefulColumns = max(0, min(l, first + width) - first)
                add(.peArray, PlannedTask(
                    kind: .gemm(name: "qk", pair: p, group: g), cost: cost,
                    usefulIssue: usefulIssue(cost.issue - cost.control, l * usefulColumns, lp * width),
                    controlIssue: usefulIssue(cost.control, l, lp),
                    dependencies: [.done(.peArray, layerOffset: 0, index: lastQ), .done(.peArray, layerOffset: 0, index: lastK)]))
            }
            lastQK[p] = count(.peArray) - 1
            let cost = config.rowPipeline(config.softmax, rows: lp, n: lp, bits: config.precision.softmaxBits)
            add(.softmax, PlannedTask(kind: .softmax(pair: p), cost: cost, usefulIssue: usefulIssue(cost.issue, l * l, lp * lp),
                                      dependencies: [.done(.peArray, layerOffset: 0, index: lastQK[p])]))
        }
        func pv(_ p: Int) {
            let l = shape.lengths[p / heads]
            for (g, (_, width)) in groups(d).enumerated() {
                let cost = config.gemmTile(rows: lp, k: lp, width: width, mode: .probabilityActivation)
                add(.peArray, PlannedTask(
                    kind: .gemm(name: "pv", pair: p, group: g), cost: cost,
                    usefulIssue: usefulIssue(cost.issue - cost.control, l * l, lp * lp),
                    controlIssue: usefulIssue(cost.control, l, lp),
                    dependencies: [.done(.softmax, layerOffset: 0, index: p), .done(.peArray, layerOffset: 0, index: lastV)]))
            }
            lastPV = count(.peArray) - 1
        }
        qk(0)
        if pairs > 1 {
            for p in 1..<pairs {
                qk(p)
                pv(p - 1)
            }
        }
        pv(pairs - 1)

        return lastPV
    }

    /// Sparse attention (docs/sparse-attention.md): per pair, `estimate` on the LUT estimator,
    /// `select` on the top-k selector, then the exact phase — `qk` over the kept keys on the
    /// array, softmax over them, `pv` over their rows of V — software-pipelined on the array as
    /// the dense phase is. Returns the PE index of the last `pv` task.
    private mutating func sparseAttention(_ sparse: SparseAttention, lastQ: Int, lastK: Int, lastV: Int) -> Int {
        let heads = model.heads, d = model.headSize, lp = shape.paddedLength
        let pairs = shape.sequences * heads
        let act = config.precision.activationBits
        var accounting = AttentionAccounting()
        accounting.heads = pairs
        accounting.clampedSequences = shape.lengths.filter { sparse.keys.requested(for: $0) > $0 }.count
        var lastQK = [Int](repeating: 0, count: pairs)
        var lastPV = 0
        /// The exact phase of pair p over groups of queries processed together (`sparseGroup`):
        /// per group the array's cycles `compute`, hidden behind or stalled by the group's
        /// gather of every query's k rows (the most rows any one bank delivers).
        /// A group's compute is its data cycles plus `control` (the row overhead of its passes);
        /// a gather longer than both stalls the array (`imbalance`).
        func exact(_ p: Int, _ l: Int, _ k: Int, compute: Int, control: Int, latency: Int, macs: Int, q: Int)
            -> (TaskCost, useful: Int, imbalance: Int, control: Int)
        {
            let group = sparseGroup.queries
            var issue = 0, usefulSum = 0, controlSum = 0, imbalance = 0
            for first in stride(from: 0, to: lp, by: group) {
                let queries = first..<min(lp, first + group)
                let g = JobPlan.gatherCycles(seed: sparse.seed, pair: p, queries: queries, length: l, paddedLength: lp,
                                          keys: k, banks: sparse.gatherBanks)
                let real = max(0, min(l, queries.upperBound) - queries.lowerBound)
                issue += max(compute + control, g)
                usefulSum += compute * real
                controlSum += control * real
                imbalance += max(0, g - compute - control)
            }
            return (TaskCost(issue: issue, latency: latency, work: macs, usedSlots: macs * q,
                             laneSlots: (issue - controlSum / group) * config.array.slotsPerCycle,
                             bufferBytes: (lp * k * d * act + lp * d * act + lp * k * act).ceilDiv(8),
                             control: controlSum / group),
                    usefulSum / group, imbalance, controlSum / group)
        }
        func front(_ p: Int) {
            let l = shape.lengths[p / heads]
            let k = sparse.keys.k(for: l)
            // Estimate all Lp × Lp scores from 4-bit Q' and K' (D LUT products each).
            let lutOps = lp * lp * d
            let estimateIssue = lutOps.ceilDiv(sparse.lutLanes)
            add(.estimator, PlannedTask(
                kind: .estimate(pair: p),
                cost: TaskCost(issue: estimateIssue, latency: sparse.estimatorLatency, work: lutOps,
                               laneSlots: estimateIssue * sparse.lutLanes, bufferBytes: (2 * lp * d * 4).ceilDiv(8)),
                usefulIssue: usefulIssue(estimateIssue, l * l, lp * lp),
                dependencies: [.done(.peArray, layerOffset: 0, index: lastQ), .done(.peArray, layerOffset: 0, index: lastK)]))
            // Select the top k of Lp scores for every query: ⌈Lp / w⌉ cycles a query.
            let selectIssue = lp * lp.ceilDiv(sparse.selectorWidth)
            add(.selector, PlannedTask(
                kind: .select(pair: p),
                cost: TaskCost(issue: selectIssue, latency: k.ceilDiv(sparse.selectorWidth) + sparse.selectorLatency,
                               work: lp * lp * k, usedSlots: lp * lp, laneSlots: selectIssue * sparse.selectorWidth,
                               bufferBytes: lp * k * 2),
                usefulIssue: usefulIssue(selectIssue, l * l, lp * lp),
                dependencies: [.done(.estimator, layerOffset: 0, index: p)]))
            // Exact Q·Kᵀ on the kept keys: each query's k keys across its lanes.
            let qkCost = sparseGroup.qk(k)
            let qk = exact(p, l, k, compute: qkCost.cycles, control: qkCost.control, latency: qkCost.latency, macs: lp * k * d,
                           q: qkCost.q)
            add(.peArray, PlannedTask(kind: .gemm(name: "qk", pair: p, group: 0), cost: qk.0, usefulIssue: qk.useful,
                                      imbalanceIssue: qk.imbalance, controlIssue: qk.control,
                                      dependencies: [.done(.selector, layerOffset: 0, index: p),
                                                     .done(.peArray, layerOffset: 0, index: lastK)]))
            lastQK[p] = count(.peArray) - 1
            let softmax = config.rowPipeline(config.softmax, rows: lp, n: k, bits: config.precision.softmaxBits)
            add(.softmax, PlannedTask(kind: .softmax(pair: p), cost: softmax, usefulIssue: usefulIssue(softmax.issue, l, lp),
                                      dependencies: [.done(.peArray, layerOffset: 0, index: lastQK[p])]))
            accounting.lutOps += lutOps
            accounting.comparisons += lp * lp * k
            accounting.exactMACs += 2 * lp * k * d
            accounting.denseMACs += 2 * lp * lp * d
            accounting.kvBytesGathered += (2 * lp * k * d * act).ceilDiv(8)
            accounting.kvBytesDense += (2 * lp * lp * d * act).ceilDiv(8)
            accounting.conflictCycles += qk.imbalance
        }
        func back(_ p: Int) {
            let l = shape.lengths[p / heads]
            let k = sparse.keys.k(for: l)
            // Attention × V over the k kept rows: each query's D outputs across its lanes.
            let pvCost = sparseGroup.pv(k)
            let pv = exact(p, l, k, compute: pvCost.cycles, control: pvCost.control, latency: pvCost.latency, macs: lp * k * d,
                           q: pvCost.q)
            add(.peArray, PlannedTask(kind: .gemm(name: "pv", pair: p, group: 0), cost: pv.0, usefulIssue: pv.useful,
                                      imbalanceIssue: pv.imbalance, controlIssue: pv.control,
                                      dependencies: [.done(.softmax, layerOffset: 0, index: p),
                                                     .done(.peArray, layerOffset: 0, index: lastV)]))
            lastPV = count(.peArray) - 1
            accounting.conflictCycles += pv.imbalance
        }
        front(0)
        if pairs > 1 {
            for p in 1..<pairs {
                front(p)
                back(p - 1)
            }
        }
        back(pairs - 1)
        attention = accounting
        return lastPV
    }

    /// How a group of queries maps onto the array in the exact phase, and what a group costs.
    ///
    /// BIM: each of the P processing units takes one query (its own activation vector), its N
    /// PEs the query's kept keys: Q·Kᵀ takes `⌈k/N⌉` passes of `⌈D·q/M⌉` data cycles for P
    /// queries, attention × V `⌈D/N⌉` passes of `⌈k·q/M⌉`; every pass is an output row and
    /// pays the row overhead (``EncoderConfig/PEArray/rowCycles(chunks:)``), as control.
    /// Systolic: every row of a fold shares the columns' operands, so per-query key sets run
    /// one query at a time, as one-row tiles.
    struct SparseGroup {
        var queries: Int
        var qk: (Int) -> (cycles: Int, control: Int, latency: Int, q: Int)
        var pv: (Int) -> (cycles: Int, control: Int, latency: Int, q: Int)
    }

    var sparseGroup: SparseGroup {
        let d = model.headSize, p = config.precision
        switch config.array {
        case .bim(let pe):
            let qQK = EncoderConfig.PEArray.multipliersPerProduct(aBits: p.activationBits, bBits: p.activationBits)
            let qPV = EncoderConfig.PEArray.multipliersPerProduct(aBits: p.softmaxBits, bBits: p.activationBits)
            let n = pe.pesPerUnit, m = pe.multipliersPerPE
            func passes(_ count: Int, chunks: Int, q: Int) -> (cycles: Int, control: Int, latency: Int, q: Int) {
                let period = pe.rowCycles(chunks: chunks)
                return (count * chunks, count * (period - chunks), max(0, pe.pipelineLatency - (period - chunks)), q)
            }
            return SparseGroup(
                queries: pe.processingUnits,
                qk: { k in passes(k.ceilDiv(n), chunks: (d * qQK).ceilDiv(m), q: qQK) },
                pv: { k in passes(d.ceilDiv(n), chunks: (k * qPV).ceilDiv(m), q: qPV) })
        case .systolic(let a):
            let config = self.config
            func oneRow(k: Int, width: Int, mode: MultiplyMode) -> (cycles: Int, control: Int, latency: Int, q: Int) {
                var cycles = 0, latency = 0
                for first in stride(from: 0, to: width, by: a.columns) {
                    let t = config.gemmTile(rows: 1, k: k, width: min(a.columns, width - first), mode: mode)
                    cycles += t.issue
                    latency = t.latency
                }
                let bits = mode == .activationActivation ? p.activationBits : p.softmaxBits
                return (cycles, 0, latency, bits.ceilDiv(a.peBits) * p.activationBits.ceilDiv(a.peBits))
            }
            return SparseGroup(queries: 1, qk: { k in oneRow(k: d, width: k, mode: .activationActivation) },
                               pv: { k in oneRow(k: k, width: d, mode: .probabilityActivation) })
        }
    }

    /// A spill of `bytes` to DRAM on the write engine after `after`; returns its index there.
    private mutating func spillOut(_ name: String, bytes: Int, after: Dependency) -> Int {
        add(.dmaWrite, PlannedTask(kind: .transfer("spill.\(name)"), dependencies: [after], bytes: [(.spillOut, bytes)]))
        return count(.dmaWrite) - 1
    }

    /// A refill of `bytes` from DRAM on the read engine, once `written` (the spill, if any) is
    /// done; returns the dependency its consumer takes.
    private mutating func refill(_ name: String, bytes: Int, after written: Dependency?) -> Dependency {
        add(.dmaRead, PlannedTask(kind: .transfer("refill.\(name)"), dependencies: written.map { [$0] } ?? [],
                                  bytes: [(.spillIn, bytes)]))
        return .done(.dmaRead, layerOffset: 0, index: count(.dmaRead) - 1)
    }

    /// The layer's parameter transfer (scales, LayerNorm γ/β) into its slot; returns its index
    /// in the read program.
    private mutating func addParameters() -> Int {
        add(.dmaRead, PlannedTask(kind: .transfer("params"), dependencies: [.parameterSlot],
                                  bytes: [(.params, config.parameterBytes(hidden: model.hidden))]))
        return count(.dmaRead) - 1
    }

    /// Adds `dependency` to the PE task at `index` (a consumer of refilled data; a memory
    /// dependency, so after its compute ones, §7).
    private mutating func requirePE(_ index: Int, _ dependency: Dependency) {
        let t = programs[EncoderUnit.peArray.rawValue][index]
        programs[EncoderUnit.peArray.rawValue][index] = PlannedTask(
            kind: t.kind, cost: t.cost, usefulIssue: t.usefulIssue, imbalanceIssue: t.imbalanceIssue, controlIssue: t.controlIssue,
            dependencies: t.dependencies + [dependency], bytes: t.bytes, weightTile: t.weightTile)
    }

    /// One layer. When the job does not fit on chip (§6), its overflow is spilled and refilled
    /// around each use: the layer input (refilled for Q, K, V and for LayerNorm 1's residual;
    /// spilled again as the next layer's input after LayerNorm 2), the LayerNorm 1 output
    /// (spilled after it; refilled for FFN 1 and for LayerNorm 2's residual), the attention
    /// tensors (spilled after V; refilled for attention) and the FFN intermediate (spilled
    /// after GELU; refilled for FFN 2).
    private mutating func buildLayer() {
        let h = model.hidden, f = model.ffn
        let rows = shape.rows
        // The layer's parameters: first in the read program when the buffer double-buffers
        // them, else after the attention's weight tiles (their slot frees only at the previous
        // layer's end, and the read engine runs its program in order, §4).
        let doubleBufferedParameters = BufferPlan(model: model, config: config).parameterSlots >= 2
        var paramsIndex = 0
        if doubleBufferedParameters { paramsIndex = addParameters() }
        let layerInput: Dependency = kind == .first
            ? .done(.dmaRead, layerOffset: -1, index: 0)
            : .done(.layerNorm, layerOffset: -1, index: JobPlan.ln2Index)
        // The previous layer's spilled output, and where this layer spills its own (§6).
        let spillXIndex = (spill.attention > 0 ? 1 : 0) + (spill.normalized > 0 ? 1 : 0) + (spill.ffn > 0 ? 1 : 0)
        let previousX: Dependency? = kind == .first ? nil : .done(.dmaWrite, layerOffset: -1, index: spillXIndex)
        var inputRefill: Dependency?
        if spill.input > 0 && kind != .first { inputRefill = refill("x", bytes: spill.input, after: previousX) }
        let firstQ = count(.peArray)
        let lastQ = weightGEMM("q", k: h, columns: h, input: layerInput)
        let lastK = weightGEMM("k", k: h, columns: h, input: layerInput)
        let lastV = weightGEMM("v", k: h, columns: h, input: layerInput)
        if let inputRefill { requirePE(firstQ, inputRefill) }

        var attentionRefill: Dependency?
        if spill.attention > 0 {
            let out = spillOut("attention", bytes: spill.attention, after: .done(.peArray, layerOffset: 0, index: lastV))
            attentionRefill = refill("attention", bytes: spill.attention, after: .done(.dmaWrite, layerOffset: 0, index: out))
        }
        let firstAttention = count(.peArray)
        let lastPV = config.sparse == nil
            ? denseAttention(lastQ: lastQ, lastK: lastK, lastV: lastV)
            : sparseAttention(config.sparse!, lastQ: lastQ, lastK: lastK, lastV: lastV)
        attentionPE = firstAttention...lastPV
        if let attentionRefill {
            // The first attention task on the array (or, with sparse attention, the estimator's).
            if config.sparse == nil {
                requirePE(firstAttention, attentionRefill)
            } else {
                let e = programs[EncoderUnit.estimator.rawValue][0]
                programs[EncoderUnit.estimator.rawValue][0] = PlannedTask(
                    kind: e.kind, cost: e.cost, usefulIssue: e.usefulIssue, dependencies: e.dependencies + [attentionRefill])
            }
        }

        let lastO = weightGEMM("o", k: h, columns: h, input: .done(.peArray, layerOffset: 0, index: lastPV))
        if !doubleBufferedParameters { paramsIndex = addParameters() }
        let params = Dependency.done(.dmaRead, layerOffset: 0, index: paramsIndex)
        let lnCost = config.rowPipeline(config.layerNorm, rows: rows, n: h, inputs: 2, bits: config.precision.activationBits)
        let lnUseful = usefulIssue(lnCost.issue, shape.usefulRows, rows)
        var ln1Dependencies: [Dependency] = kind == .first
            ? [.done(.peArray, layerOffset: 0, index: lastO), params, .previousJobOutput]
            : [.done(.peArray, layerOffset: 0, index: lastO), params]
        if spill.input > 0 { ln1Dependencies.append(refill("x.residual", bytes: spill.input, after: previousX)) }
        add(.layerNorm, PlannedTask(kind: .layerNorm(1), cost: lnCost, usefulIssue: lnUseful,
                                    dependencies: ln1Dependencies))
        let ln1 = Dependency.done(.layerNorm, layerOffset: 0, index: 0)
        var normalizedWrite: Dependency?
        var ffn1Refill: Dependency?
        if spill.normalized > 0 {
            normalizedWrite = .done(.dmaWrite, layerOffset: 0, index: spillOut("y", bytes: spill.normalized, after: ln1))
            ffn1Refill = refill("y", bytes: spill.normalized, after: normalizedWrite)
        }
        let ffn1Start = count(.peArray)
        weightGEMM("ffn1", k: h, columns: f, input: ln1)
        if let ffn1Refill { requirePE(ffn1Start, ffn1Refill) }
        for (g, (_, width)) in groups(f).enumerated() {
            let cost = config.elementwise(config.gelu, elements: rows * width)
            add(.gelu, PlannedTask(kind: .gelu(group: g), cost: cost,
                                   usefulIssue: usefulIssue(cost.issue, shape.usefulRows, rows),
                                   dependencies: [.done(.peArray, layerOffset: 0, index: ffn1Start + g)]))
        }
        let lastGELU = Dependency.done(.gelu, layerOffset: 0, index: count(.gelu) - 1)
        var ffn2Refill: Dependency?
        if spill.ffn > 0 {
            let out = spillOut("ffn", bytes: spill.ffn, after: lastGELU)
            ffn2Refill = refill("ffn", bytes: spill.ffn, after: .done(.dmaWrite, layerOffset: 0, index: out))
        }
        let ffn2Start = count(.peArray)
        let lastFFN2 = weightGEMM("ffn2", k: f, columns: h, input: lastGELU)
        if let ffn2Refill { requirePE(ffn2Start, ffn2Refill) }
        var ln2Dependencies: [Dependency] = [.done(.peArray, layerOffset: 0, index: lastFFN2), params]
        if spill.normalized > 0 { ln2Dependencies.append(refill("y.residual", bytes: spill.normalized, after: normalizedWrite)) }
        add(.layerNorm, PlannedTask(kind: .layerNorm(2), cost: lnCost, usefulIssue: lnUseful, dependencies: ln2Dependencies))
        if spill.input > 0 {
            let index = spillOut("x", bytes: spill.input, after: .done(.layerNorm, layerOffset: 0, index: JobPlan.ln2Index))
            precondition(index == spillXIndex, "the spilled layer output's place in the write program")
        }
    }
}

extension JobPlan {
    /// The cycles a group of queries' gathers take: every query's k kept K (or V) rows, the
    /// most any one bank holds (row j in bank j mod B; a bank delivers one row per cycle). A
    /// query keeps k distinct real keys drawn uniformly, reproducibly from the seed, the pair, the
    /// query and the lengths — the same in every layer of every job of this shape.
    static func gatherCycles(seed: UInt64, pair: Int, queries: Range<Int>, length: Int, paddedLength: Int, keys: Int,
                             banks: Int) -> Int {
        var load = [Int](repeating: 0, count: banks)
        var pool = Array(0..<length)
        for query in queries {
            var rng = SplitMix64(seed: seed ^ (UInt64(pair) &* 0x9E37_79B9) ^ (UInt64(query) << 24)
                ^ (UInt64(length) << 40) ^ (UInt64(paddedLength) << 52))
            for i in 0..<keys {
                let j = i + Int(rng.next() % UInt64(length - i))
                pool.swapAt(i, j)
                load[pool[i] % banks] += 1
            }
        }
        return load.max() ?? 0
    }

}
