import BertSimModels
import Testing

@Suite struct ModelVariantTests {
    @Test func fqbertDatapathIsW4A8DenseDense() {
        #expect(ModelVariant.quantization(.init(), perChannelWeights: false) == "w4a8")
        #expect(ModelVariant.quantization(.init(weightBits: 8, activationBits: 8, softmaxBits: 16), perChannelWeights: true)
                == "w8a8-sm16-pc")
        #expect(ModelVariant.quantization(.init(biasBits: 24, scaleBits: 16, layerNormParameterBits: 12), perChannelWeights: false)
                == "w4a8-b24-s16-ln12")
    }

    @Test func pruningNamesPatternRatioAndStructure() {
        let hp = Pruning(pattern: .hierarchical, ratio: 0.75, tileRatio: 0.5, tileRows: 8, tileCols: 128)
        #expect(ModelVariant.pruning(hp) == "hierarchical75-t8x128-d50")
        #expect(ModelVariant.pruning(Pruning(pattern: .unstructured, ratio: 0.875, tileRows: 8, tileCols: 128)) == "unstructured87.5")
        #expect(ModelVariant.pruning(Pruning(pattern: .block, ratio: 0.5, tileRows: 8, tileCols: 128, blockSize: 16)) == "block16-50")
        #expect(ModelVariant.pruning(Pruning(pattern: .nm, ratio: 0, tileRows: 8, tileCols: 128, n: 2, m: 4)) == "nm2-4")
        let mixed = Pruning(pattern: .unstructured, ratios: [0.5, 0.5, 0.5, 0.5, 0.75, 0.75], tileRows: 8, tileCols: 128)
        #expect(ModelVariant.pruning(mixed) == "unstructured-q50-k50-v50-out50-up75-down75")
    }

    @Test func attentionNamesK() {
        #expect(ModelVariant.attention(.fixed(32)) == "top32")
        #expect(ModelVariant.attention(.fraction(0.25, minimum: 8)) == "topfrac0.25-min8")
    }
}
