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

    public func tasks(_ kind: LayerKind, _ unit: EncoderUnit) -> [PlannedTask] { programs[kind.rawValue][unit.rawValue] }

    /// Index of the `ln2` task in the LayerNorm program (the layer's output).
    public static let ln2Index = 1

    public init(model: ModelSpec, config: EncoderConfig, shape: JobShape) {
        self.shape = shape
        var programs: [[[PlannedTask]]] = []
        var peIndexOfWeightTile: [Int] = []
        var tilesPerLayer = 0
        for kind in LayerKind.allCases {
            let builder = LayerBuilder(model: model, config: config, shape: shape, kind: kind)
            programs.append(builder.programs)
            if kind == .first {
                peIndexOfWeightTile = builder.peIndexOfWeightTile
                tilesPerLayer = builder.peIndexOfWeightTile.count
            }
        }
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

    init(model: ModelSpec, config: EncoderConfig, shape: JobShape, kind: LayerKind) {
        self.model = model
        self.config = config
        self.shape = shape
        self.kind = kind
        switch kind {
        case .before:
            let bytes = config.activationBytes(rows: shape.rows, cols: model.hidden)
            add(.dmaRead, PlannedTask(kind: .transfer("input"), dependencies: [.jobReady, .previousJobDone],
                                      bytes: [(.activationsIn, bytes)]))
        case .after:
            let bytes = config.activationBytes(rows: shape.rows, cols: model.hidden)
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

    /// A weight GEMM over all R rows; returns the PE index of its last tile.
    @discardableResult
    private mutating func weightGEMM(_ name: String, k: Int, columns: Int, input: Dependency) -> Int {
        for (g, (_, width)) in groups(columns).enumerated() {
            let tile = peIndexOfWeightTile.count
            let cost = config.gemmTile(rows: shape.rows, k: k, width: width, mode: .activationWeight)
            peIndexOfWeightTile.append(count(.peArray))
            add(.peArray, PlannedTask(
                kind: .gemm(name: name, pair: nil, group: g), cost: cost,
                usefulIssue: usefulIssue(cost.issue, shape.usefulRows, shape.rows),
                dependencies: [input, .done(.dmaRead, layerOffset: 0, index: 1 + tile)], weightTile: tile))
            let bytes = config.weightTileBytes(k: k, width: width)
            add(.dmaRead, PlannedTask(kind: .transfer("w.\(name)[\(g)]"), dependencies: [.weightSlot(tile: tile)],
                                      bytes: [(.weights, bytes.weights), (.biases, bytes.biases)], weightTile: tile))
        }
        return count(.peArray) - 1
    }

    private mutating func buildLayer() {
        let h = model.hidden, f = model.ffn, d = model.headSize, heads = model.heads
        let lp = shape.paddedLength
        let rows = shape.rows
        add(.dmaRead, PlannedTask(kind: .transfer("params"), dependencies: [.parameterSlot],
                                  bytes: [(.params, config.parameterBytes(hidden: h))]))
        let layerInput: Dependency = kind == .first
            ? .done(.dmaRead, layerOffset: -1, index: 0)
            : .done(.layerNorm, layerOffset: -1, index: JobPlan.ln2Index)
        let lastQ = weightGEMM("q", k: h, columns: h, input: layerInput)
        let lastK = weightGEMM("k", k: h, columns: h, input: layerInput)
        let lastV = weightGEMM("v", k: h, columns: h, input: layerInput)

        // Attention pairs p = s·A + h, software-pipelined one deep on the PE array.
        let pairs = shape.sequences * heads
        var lastQK = [Int](repeating: 0, count: pairs)
        var lastPV = 0
        func qk(_ p: Int) {
            let l = shape.lengths[p / heads]
            for (g, (first, width)) in groups(lp).enumerated() {
                let cost = config.gemmTile(rows: lp, k: d, width: width, mode: .activationActivation)
                let usefulColumns = max(0, min(l, first + width) - first)
                add(.peArray, PlannedTask(
                    kind: .gemm(name: "qk", pair: p, group: g), cost: cost,
                    usefulIssue: usefulIssue(cost.issue, l * usefulColumns, lp * width),
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
                    usefulIssue: usefulIssue(cost.issue, l * l, lp * lp),
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

        let lastO = weightGEMM("o", k: h, columns: h, input: .done(.peArray, layerOffset: 0, index: lastPV))
        let params = Dependency.done(.dmaRead, layerOffset: 0, index: 0)
        let lnCost = config.rowPipeline(config.layerNorm, rows: rows, n: h, inputs: 2, bits: config.precision.activationBits)
        let lnUseful = usefulIssue(lnCost.issue, shape.usefulRows, rows)
        let ln1Dependencies: [Dependency] = kind == .first
            ? [.done(.peArray, layerOffset: 0, index: lastO), params, .previousJobOutput]
            : [.done(.peArray, layerOffset: 0, index: lastO), params]
        add(.layerNorm, PlannedTask(kind: .layerNorm(1), cost: lnCost, usefulIssue: lnUseful,
                                    dependencies: ln1Dependencies))
        let ffn1Start = count(.peArray)
        weightGEMM("ffn1", k: h, columns: f, input: .done(.layerNorm, layerOffset: 0, index: 0))
        for (g, (_, width)) in groups(f).enumerated() {
            let cost = config.elementwise(config.gelu, elements: rows * width)
            add(.gelu, PlannedTask(kind: .gelu(group: g), cost: cost,
                                   usefulIssue: usefulIssue(cost.issue, shape.usefulRows, rows),
                                   dependencies: [.done(.peArray, layerOffset: 0, index: ffn1Start + g)]))
        }
        let lastFFN2 = weightGEMM("ffn2", k: f, columns: h, input: .done(.gelu, layerOffset: 0, index: count(.gelu) - 1))
        add(.layerNorm, PlannedTask(kind: .layerNorm(2), cost: lnCost, usefulIssue: lnUseful,
                                    dependencies: [.done(.peArray, layerOffset: 0, index: lastFFN2), params]))
    }
}
