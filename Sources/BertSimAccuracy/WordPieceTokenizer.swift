import BertSimCore
import Foundation

/// BERT's uncased WordPiece tokenizer, from a `vocab.txt` (docs/accuracy.md, "Tokenizer").
///
/// The same steps as the model's `tokenizer.json` (BertNormalizer, BertPreTokenizer, WordPiece,
/// the `[CLS] … [SEP]` template), on Unicode scalars:
/// 1. clean: drop U+0000, U+FFFD and "other" characters (categories Cc, Cf, Cs, Co, Cn) except
///    tab, newline and return; every White_Space character becomes a space;
/// 2. put spaces around CJK ideographs (the ranges of BERT's `_is_chinese_char`);
/// 3. strip accents: canonical decomposition (NFD), then drop nonspacing marks (Mn);
/// 4. lowercase, scalar by scalar (full lowercase mappings, no context);
/// 5. split on spaces, and split off every punctuation scalar as a word of its own (ASCII
///    punctuation, or a Unicode P* category);
/// 6. WordPiece: greedy longest match first, continuations prefixed `##`; a word that cannot be
///    covered, or longer than 100 scalars, is `[UNK]`;
/// 7. `[CLS]` + the first `maxLength − 2` pieces + `[SEP]`.
public struct WordPieceTokenizer: Sendable {
    public let vocabulary: [String: Int32]
    public let unknown: Int32
    public let classification: Int32
    public let separator: Int32
    /// Words longer than this (in scalars) are `[UNK]` (BERT's `max_input_chars_per_word`).
    public static let maxWordScalars = 100

    /// Reads `vocab.txt`: one token a line, its id the line number from 0.
    public init(vocabularyPath path: String) throws(InputError) {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, "cannot be read as UTF-8 text")
        }
        var tokens = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        if tokens.last == "" { tokens.removeLast() }
        try self.init(tokens: tokens, path: path)
    }

    /// A vocabulary from its tokens in id order; `path` names it in errors.
    public init(tokens: [String], path: String = "vocab") throws(InputError) {
        var vocabulary: [String: Int32] = [:]
        vocabulary.reserveCapacity(tokens.count)
        for (i, t) in tokens.enumerated() where vocabulary[t] == nil { vocabulary[t] = Int32(i) }
        func id(_ t: String) throws(InputError) -> Int32 {
            guard let v = vocabulary[t] else { throw InputError(file: path, field: t, "special token missing from the vocabulary") }
            return v
        }
        self.vocabulary = vocabulary
        unknown = try id("[UNK]")
        classification = try id("[CLS]")
        separator = try id("[SEP]")
    }

    /// The ids of `text`: `[CLS]`, its pieces (at most `maxLength − 2`), `[SEP]`.
    public func encode(_ text: String, maxLength: Int) -> [Int32] {
        var ids: [Int32] = [classification]
        let budget = max(0, maxLength - 2)
        outer: for word in words(text) {
            for id in pieces(word) {
                if ids.count - 1 >= budget { break outer }
                ids.append(id)
            }
        }
        ids.append(separator)
        return ids
    }

    /// Steps 1–5: the normalized words of `text`.
    public func words(_ text: String) -> [[Unicode.Scalar]] {
        // 1 and 2: clean, and pad CJK ideographs.
        var cleaned = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if s.value == 0 || s.value == 0xFFFD || Self.isOther(s) { continue }
            if Self.isWhitespace(s) {
                cleaned.append(" ")
            } else if Self.isCJK(s) {
                cleaned.append(" ")
                cleaned.append(s)
                cleaned.append(" ")
            } else {
                cleaned.append(s)
            }
        }
        // 3 and 4: strip accents, lowercase.
        var normalized: [Unicode.Scalar] = []
        for s in String(cleaned).decomposedStringWithCanonicalMapping.unicodeScalars
        where s.properties.generalCategory != .nonspacingMark {
            normalized.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
        }
        // 5: split on spaces and punctuation.
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for s in normalized {
            if Self.isWhitespace(s) {
                if !current.isEmpty { words.append(current); current = [] }
            } else if Self.isPunctuation(s) {
                if !current.isEmpty { words.append(current); current = [] }
                words.append([s])
            } else {
                current.append(s)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Step 6: WordPiece ids of one word.
    public func pieces(_ word: [Unicode.Scalar]) -> [Int32] {
        if word.count > Self.maxWordScalars { return [unknown] }
        var ids: [Int32] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32?
            while start < end {
                var piece = start > 0 ? "##" : ""
                piece.unicodeScalars.append(contentsOf: word[start..<end])
                if let id = vocabulary[piece] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else { return [unknown] }
            ids.append(id)
            start = end
        }
        return ids
    }

    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\n" || s == "\r" || s.properties.isWhitespace
    }

    /// Categories Cc, Cf, Cs, Co, Cn, except tab, newline and return (counted as whitespace).
    static func isOther(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        switch s.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The CJK ideograph ranges of the tokenizers library's BertNormalizer (as BERT's `_is_chinese_char`, but from U+2B920 where that has U+2B820).
    static func isCJK(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F, 0x2B920...0x2CEAF,
             0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
