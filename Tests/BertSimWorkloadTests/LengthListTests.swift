import BertSimCore
import Foundation
import Testing
@testable import BertSimWorkload

/// Reads a length file written from `bytes` and returns the error, if any.
func lengthListError(_ bytes: [UInt8]) -> InputError? {
    let path = traceFile(bytes)
    defer { try? FileManager.default.removeItem(atPath: path) }
    do {
        _ = try LengthList(path: path)
        return nil
    } catch {
        return error
    }
}

func lengthListError(_ text: String) -> InputError? { lengthListError(Array(text.utf8)) }

@Suite struct LengthListTests {
    @Test func readsOneIntegerPerLineInOrder() throws {
        let path = traceFile("# counts\n12\n\n 7\t\n512\n3")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let list = try LengthList(path: path)
        #expect(list.lengths == [12, 7, 512, 3])
        #expect(list.origin == path)
    }

    @Test func readsTheShippedDataInFileOrder() throws {
        let list = try LengthList(path: repositoryPath("data/seq-lengths/mrpc-dev.txt"))
        #expect(list.count == 408)
        #expect(Array(list.lengths.prefix(3)) == [44, 52, 74])
    }

    @Test func nonInteger() {
        let e = lengthListError("12\n7.5\n")
        #expect(e?.line == 2)
        #expect(e?.field == "length")
        #expect(e?.message.hasPrefix("'7.5' is not a positive integer") == true)
        #expect(lengthListError("12\n-3\n")?.line == 2)
        #expect(lengthListError("12 13\n")?.line == 1)
    }

    @Test func zero() {
        let e = lengthListError("12\n0\n")
        #expect(e?.line == 2)
        #expect(e?.message == "length 0 is outside 1...\(LengthList.maximumLength)")
    }

    @Test func tooLarge() {
        #expect(lengthListError("1\n2\n99999999999999999999999\n")?.line == 3)
        #expect(lengthListError("\(LengthList.maximumLength + 1)\n")?.line == 1)
    }

    @Test func emptyFile() {
        #expect(lengthListError("")?.message.hasPrefix("empty length file") == true)
        let e = lengthListError("# nothing\n\n")
        #expect(e?.message.hasPrefix("empty length file") == true)
        #expect(e?.line == 2)
    }

    @Test func binaryAndNotUTF8() {
        let nul = lengthListError([0x31, 0x32, 0x0A, 0x31, 0x00, 0x0A])
        #expect(nul?.line == 2)
        #expect(nul?.message.contains("binary") == true)
        let latin1 = lengthListError([0x31, 0x0A, 0x32, 0xE9, 0x0A])
        #expect(latin1?.line == 2)
        #expect(latin1?.message == "not valid UTF-8 text")
    }
}

/// A path inside the package checkout.
func repositoryPath(_ relative: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(relative).path
}
