import BertSimAccuracy
import Foundation
import Testing

/// The Swift FP32 forward pass against an independent NumPy float64 forward pass
/// (scripts/make-accuracy-fixtures.py).
@Suite struct FloatEncoderTests {
    struct Case: Decodable {
        var text: String
        var ids: [Int32]
        var embedding: [Double]
    }

    struct Fixture: Decodable { var cases: [Case] }

    @Test func embeddingsEqualNumPysTo1e4() throws {
        let encoder = FloatEncoder(weights: try TestModel.weights())
        let tokenizer = try TestModel.tokenizer()
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: TestModel.fixture("fp32-embeddings.json")))
        #expect(fixture.cases.count >= 8)
        for c in fixture.cases {
            #expect(tokenizer.encode(c.text, maxLength: 256) == c.ids)
            let e = encoder.sentenceEmbedding(c.ids)
            #expect(e.count == c.embedding.count)
            let worst = zip(e, c.embedding).map { abs(Double($0) - $1) }.max() ?? .infinity
            #expect(worst < 1e-4, "\(c.text.prefix(40)): max |Swift − NumPy| = \(worst)")
        }
    }
}
