import BertSimCore
import Foundation

/// Writes a trace (docs/trace-format.md) as it goes, through a temporary file that is renamed
/// into place by ``finish()``, so a reader never sees half a trace.
public final class TraceWriter {
    public let path: String
    private let temporaryPath: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    public private(set) var written = 0
    /// The first write error, reported by ``finish()``.
    private var failure: String?

    public init(path: String, header: TraceHeader, comments: [String] = []) throws(InputError) {
        self.path = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw InputError(file: path, "is a directory, not a file")
        }
        temporaryPath = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil),
            let h = FileHandle(forWritingAtPath: temporaryPath)
        else { throw InputError(file: path, "cannot be created") }
        handle = h
        append(Self.headerText(header, comments: comments))
    }

    public static func headerText(_ header: TraceHeader, comments: [String] = []) -> String {
        var s = "bertsim-trace \(header.version)\n"
        for c in comments { s += "# \(c)\n" }
        s += "model: \(header.model.headerValue)\n"
        if let source = header.source { s += "source: \(source)\n" }
        if let batch = header.batch { s += "batch: \(batch)\n" }
        if let requests = header.requests { s += "requests: \(requests)\n" }
        s += "# id arrival_ns tokens task\n"
        return s
    }

    public static func line(_ r: Request) -> String {
        var s = "\(r.id) \(r.arrivalNs) \(r.tokens)"
        if let task = r.task { s += " \(task)" }
        return s + "\n"
    }

    public func write(_ request: Request) {
        append(Self.line(request))
        written += 1
        if buffer.count > 1 << 16 { flush() }
    }

    /// Writes what is left and moves the trace into place.
    public func finish() throws(InputError) {
        flush()
        try? handle.close()
        if let failure {
            _ = try? FileManager.default.removeItem(atPath: temporaryPath)
            throw InputError(file: path, "cannot be written: \(failure)")
        }
        // rename(2) replaces an existing file atomically and refuses to replace a directory.
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = try? FileManager.default.removeItem(atPath: temporaryPath)
            throw InputError(file: path, "cannot be written: \(reason)")
        }
    }

    /// Abandons the trace: removes the temporary file and leaves `path` as it was.
    public func discard() {
        try? handle.close()
        _ = try? FileManager.default.removeItem(atPath: temporaryPath)
    }

    private func append(_ s: String) { buffer.append(contentsOf: s.utf8) }

    private func flush() {
        if !buffer.isEmpty && failure == nil {
            do {
                try handle.write(contentsOf: buffer)
            } catch {
                failure = "\(error.localizedDescription)"
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
