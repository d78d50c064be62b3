import BertSimCore
import Foundation

/// A text file of sentences, one a line (`data/text/calibration-sentences.txt`); `#` lines and
/// blank lines are skipped.
public struct SentenceList: Sendable, Equatable {
    public var path: String
    public var sentences: [String]

    public init(path: String) throws(InputError) {
        let text = try InputFile.text(path)
        self.path = path
        sentences = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.hasPrefix("#") && !$0.allSatisfy(\.isWhitespace) }
        guard !sentences.isEmpty else { throw InputError(file: path, "no sentences") }
    }
}
