import BertSimCore
import Foundation
import Testing

/// ``AtomicFile``: readers see the old file or the new one; a failure leaves the old one and
/// nothing else.
@Suite struct AtomicFileTests {
    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func contents(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    @Test func aStreamIsInvisibleUntilCommittedAndReplacesTheFile() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("out.txt")
        try Data("old\n".utf8).write(to: target)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: target.path)
        let stream = try AtomicFile.Stream(path: target.path)
        try stream.write("new ")
        try stream.write(Array("contents\n".utf8))
        // Not yet: the old file, and one temporary file beside it.
        #expect(try contents(target) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).count == 2)
        try stream.commit()
        try stream.commit()   // idempotent
        #expect(try contents(target) == "new contents\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.txt"])
        // The replaced file's permissions are kept.
        let mode = try FileManager.default.attributesOfItem(atPath: target.path)[.posixPermissions] as? Int
        #expect(mode == 0o640)
    }

    @Test func aDiscardedStreamLeavesTheOldFileAndNothingElse() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("out.txt")
        try Data("old\n".utf8).write(to: target)
        do {
            let stream = try AtomicFile.Stream(path: target.path)
            try stream.write("half a fi")
            stream.discard()
            #expect(throws: OutputError.self) { try stream.commit() }
        }
        do {
            // Dropped without a commit: the same.
            let stream = try AtomicFile.Stream(path: target.path)
            try stream.write("half a fi")
        }
        #expect(try contents(target) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.txt"])
    }

    @Test func aSymbolicLinkIsFollowed() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let real = dir.appendingPathComponent("real.txt"), link = dir.appendingPathComponent("link.txt")
        try Data("old\n".utf8).write(to: real)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: real)
        try AtomicFile.write("new\n", to: link.path)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == real.path)
        #expect(try contents(real) == "new\n")
    }

    @Test func failuresNameThePathAndWhy() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("no/such/f.txt").path
        #expect(throws: OutputError(path: missing, "the directory \(dir.path)/no/such does not exist")) {
            try AtomicFile.write("x", to: missing)
        }
        #expect(throws: OutputError(path: dir.path, "is a directory")) { try AtomicFile.write("x", to: dir.path) }
        let file = dir.appendingPathComponent("f.txt")
        try Data().write(to: file)
        #expect(throws: OutputError(path: file.path + "/g.txt", "\(file.path) is not a directory")) {
            try AtomicFile.write("x", to: file.path + "/g.txt")
        }
        #expect(throws: OutputError(path: file.path, "is a file, not a directory")) { try AtomicFile.makeDirectory(file.path) }
        // A device is written in place: /dev/null takes anything, /dev/full nothing.
        try AtomicFile.write("x", to: "/dev/null")
        #expect(throws: OutputError(path: "/dev/full", "No space left on device")) { try AtomicFile.write("x", to: "/dev/full") }
        #expect(OutputError(path: "/a/b", "why").description == "/a/b: cannot write: why")
        // makeDirectory creates parents.
        let nested = dir.appendingPathComponent("a/b/c").path
        try AtomicFile.makeDirectory(nested)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: nested, isDirectory: &isDirectory) && isDirectory.boolValue)
    }
}
