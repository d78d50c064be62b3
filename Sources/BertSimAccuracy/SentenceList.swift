import BertSimCore
import Foundation

/// A text file of sentences, one a line (`data/text/calibration-sentences.txt`); `#` lines and
/// blank lines are skipped.
public struct SentenceList: Sendable, Equatable {
    public var path: String
    public var sentences: [String]

    public init(path: String) throws(InputError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw InputError(file: path, line: 1, "not UTF-8 text") }
        self.path = path
        sentences = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.hasPrefix("#") && !$0.allSatisfy(\.isWhitespace) }
        guard !sentences.isEmpty else { throw InputError(file: path, "no sentences") }
    }
}
