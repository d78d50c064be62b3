@testable import BertSimAccuracy
import BertSimCore
import BertSimModels
import BertSimWorkload
import Testing

/// Magnitude masks keep the pattern's structure: the same counts as the seeded generator the
/// timing model uses, the same sparse-engine schedule for hierarchical masks, and the largest
/// weights wherever the pattern leaves a choice.
@Suite struct MagnitudePrunerTests {
    static func weights(rows: Int, cols: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<(rows * cols)).map { _ in Float(Int64(rng.next() % 20001) - 10000) / 10000 }
    }

    /// On the shipped hp75 setting (8 × 128 tiles, half the tiles, L = 96, B = 128) every row has
    /// the generator's count, and the engine runs each row group in exactly the seeded masks'
    /// cycles with no stall.
    @Test func hierarchicalMasksKeepTheSeededSchedule() {
        let pruning = Pruning(pattern: .hierarchical, ratio: 0.75, tileRatio: 0.5, tileRows: 8, tileCols: 128, banks: 128, seed: 9)
        let rows = 384, cols = 1536
        let w = Self.weights(rows: rows, cols: cols, seed: 1)
        let pruner = MagnitudePruner(pruning: pruning, arrayLanes: 96)
        let magnitude = pruner.mask(w, rows: rows, cols: cols, density: 0.25)
        let seeded = MaskGenerator(pruning: pruning, lanes: 96, banks: 128).mask(.ffnDown, rows: rows, cols: cols, seed: 9)
        #expect(magnitude.nnz == seeded.nnz)
        for r in 0..<rows { #expect(magnitude.count(row: r) == seeded.count(row: r)) }
        for group in stride(from: 0, to: rows, by: 96) {
            func schedule(_ m: SparseMask) -> SparseEngine.Schedule {
                let requests = (group..<(group + 96)).map { r in
                    SparseEngine.fetchOrder(m, row: r, lanes: 96, banks: 128, tileCols: 128).map { $0 % 128 }
                }
                return SparseEngine.schedule(requests, banks: 128, ports: 1)
            }
            let a = schedule(magnitude), b = schedule(seeded)
            #expect(a == b)
            #expect(a.stalls == 0 && a.cycles == a.longest)
        }
        // Level 1 kept, in every tile row, the tiles of largest energy.
        for tileRow in 0..<(rows / 8) {
            var energy = [Float](repeating: 0, count: 12), kept = Set<Int>()
            for r in (tileRow * 8)..<(tileRow * 8 + 8) {
                for c in 0..<cols { energy[c / 128] += w[r * cols + c] * w[r * cols + c] }
                for c in magnitude.row(r) { kept.insert(Int(c) / 128) }
            }
            let best = Set((0..<12).sorted { energy[$0] > energy[$1] }.prefix(6))
            #expect(kept == best)
        }
    }

    @Test func unstructuredKeepsTheLargest() {
        let pruning = Pruning(pattern: .unstructured, ratio: 0.75, tileRows: 8, tileCols: 128)
        let w = Self.weights(rows: 64, cols: 96, seed: 2)
        let mask = MagnitudePruner(pruning: pruning, arrayLanes: 96).mask(w, rows: 64, cols: 96, density: 0.25)
        #expect(mask.nnz == 1536)
        var keptMin: Float = .infinity, droppedMax: Float = 0
        for r in 0..<64 {
            let kept = Set(mask.row(r).map(Int.init))
            for c in 0..<96 {
                let v = abs(w[r * 96 + c])
                if kept.contains(c) { keptMin = min(keptMin, v) } else { droppedMax = max(droppedMax, v) }
            }
        }
        #expect(keptMin >= droppedMax)
    }

    @Test func nmAndBlockKeepTheLargestInTheirGroups() {
        let w = Self.weights(rows: 16, cols: 32, seed: 3)
        let nm = MagnitudePruner(pruning: Pruning(pattern: .nm, ratio: 0.5, tileRows: 8, tileCols: 128, n: 2, m: 4), arrayLanes: 96)
            .mask(w, rows: 16, cols: 32, density: 0.5)
        for r in 0..<16 {
            let kept = Set(nm.row(r).map(Int.init))
            for g in stride(from: 0, to: 32, by: 4) {
                let group = (g..<(g + 4)).sorted { abs(w[r * 32 + $0]) > abs(w[r * 32 + $1]) }
                #expect(Set(group.prefix(2)) == kept.intersection(g..<(g + 4)))
            }
        }
        let block = MagnitudePruner(pruning: Pruning(pattern: .block, ratio: 0.75, tileRows: 8, tileCols: 128, blockSize: 4), arrayLanes: 96)
            .mask(w, rows: 16, cols: 32, density: 0.25)
        #expect(block.nnz == 8 * 16)
        var energy = [Float](repeating: 0, count: 32)
        for r in 0..<16 { for c in 0..<32 { energy[(r / 4) * 8 + c / 4] += w[r * 32 + c] * w[r * 32 + c] } }
        let best = Set((0..<32).sorted { energy[$0] > energy[$1] }.prefix(8))
        var kept = Set<Int>()
        for r in 0..<16 { for c in block.row(r) { kept.insert((r / 4) * 8 + Int(c) / 4) } }
        #expect(kept == best)
    }

    /// A mask file's masks are used as they are, in every layer; a wrong shape names the file.
    @Test func maskFilesAreUsedAsGiven() throws {
        let spec = ModelSpec(name: "custom", layers: 2, hidden: 8, heads: 2, headSize: 4, ffn: 16, maxPositions: 16)
        let text = "bertsim-masks 1\nmatrix q 8 8\n" + (0..<8).map { "\($0)" }.joined(separator: "\n") + "\n"
        let set = try MaskFile.parse(text, file: "m.txt", fingerprint: "f")
        let pruning = Pruning(pattern: .unstructured, ratios: [], tileRows: 8, tileCols: 8, source: .file(path: "m.txt", fingerprint: "f", masks: set))
        let layer = ModelWeights.Layer(matrices: MatrixClass.allCases.map { c in [Float](repeating: 1, count: c.shape(spec).rows * c.shape(spec).cols) },
                                       biases: MatrixClass.allCases.map { [Float](repeating: 0, count: $0.shape(spec).rows) },
                                       attentionNormGamma: [], attentionNormBeta: [], outputNormGamma: [], outputNormBeta: [])
        let weights = ModelWeights(spec: spec, vocabularySize: 1, layerNormEpsilon: 1e-12, wordEmbeddings: [], positionEmbeddings: [],
                                   tokenTypeEmbeddings: [], embeddingNormGamma: [], embeddingNormBeta: [], layers: [layer, layer])
        let masks = try MagnitudePruner(pruning: pruning, arrayLanes: 8).masks(weights)
        #expect(masks.count == 2 && masks.allSatisfy { $0[0] == set.masks[.q] && $0[1] == nil })
        let bad = try MaskFile.parse("bertsim-masks 1\nmatrix k 4 8\n0\n1\n2\n3\n", file: "m.txt", fingerprint: "g")
        let badPruning = Pruning(pattern: .unstructured, ratios: [], tileRows: 8, tileCols: 8, source: .file(path: "m.txt", fingerprint: "g", masks: bad))
        #expect(throws: InputError(file: "m.txt", field: "k", "mask is 4 × 8, but the model's k matrix is 8 × 8")) {
            try MagnitudePruner(pruning: badPruning, arrayLanes: 8).masks(weights)
        }
    }
}
