import BertSimAccuracy
import Foundation
import Testing

/// The Swift WordPiece tokenizer against ids from the model package's own tokenizer.json
/// (scripts/make-accuracy-fixtures.py through the reference `tokenizers` library).
@Suite struct TokenizerTests {
    struct Case: Decodable {
        var text: String
        var max_length: Int
        var ids: [Int32]
    }

    struct Fixture: Decodable { var cases: [Case] }

    @Test func idsEqualThePackageTokenizersOnEveryFixtureSentence() throws {
        let tokenizer = try TestModel.tokenizer()
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: TestModel.fixture("tokenizer-ids.json")))
        #expect(fixture.cases.count > 110)
        var mismatches = 0
        for c in fixture.cases {
            let ids = tokenizer.encode(c.text, maxLength: c.max_length)
            if ids != c.ids {
                mismatches += 1
                Issue.record("\(c.text.debugDescription) (max \(c.max_length)): \(ids) != \(c.ids)")
            }
        }
        #expect(mismatches == 0)
    }

    /// Hand-checked pieces on a tiny vocabulary: longest match first (`una` before `un`), `##`
    /// continuations, a word that cannot be covered is `[UNK]`, accents go, truncation keeps `[SEP]`.
    @Test func greedyLongestMatchFirstOnATinyVocabulary() throws {
        let t = try WordPieceTokenizer(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "una", "##ff", "!", "x"])
        #expect(t.encode("Unaffable!", maxLength: 16) == [2, 7, 8, 6, 9, 3])   // una ##ff ##able !
        #expect(t.encode("unaffy x", maxLength: 16) == [2, 1, 10, 3])          // no ##y: the word is [UNK]
        #expect(t.encode("unaffable x", maxLength: 4) == [2, 7, 8, 3])
        #expect(t.encode("Ünäffable", maxLength: 16) == [2, 7, 8, 6, 3])
    }
}
