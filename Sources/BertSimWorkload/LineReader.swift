import BertSimCore
import Foundation

/// Reads a file line by line in fixed-size chunks, so memory stays bounded however long the
/// file is. Lines are handed out as byte arrays with their 1-based number; a line longer than
/// ``maximumLineBytes`` is an error (binary garbage without newlines cannot exhaust memory).
final class LineReader {
    static let chunkBytes = 1 << 18
    static let maximumLineBytes = 1 << 16

    let path: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private(set) var lineNumber = 0

    init(path: String) throws(InputError) {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(file: path, "no such file")
        }
        guard !isDirectory.boolValue else { throw InputError(file: path, "is a directory, not a file") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InputError(file: path, "cannot be opened for reading")
        }
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// The next line without its terminator (`\n`, or `\r\n`), or nil at the end of the file.
    func nextLine() throws(InputError) -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = buffer[start..<end]
                start = newline + 1
                lineNumber += 1
                return line
            }
            if buffer.count - start > Self.maximumLineBytes {
                throw InputError(file: path, line: lineNumber + 1,
                                 "line longer than \(Self.maximumLineBytes) bytes (binary data?)")
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                lineNumber += 1
                return line
            }
            refill()
        }
    }

    private func refill() {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        let data = (try? handle.read(upToCount: Self.chunkBytes)) ?? nil
        if let data, !data.isEmpty {
            buffer.append(contentsOf: data)
        } else {
            atEnd = true
        }
    }
}
