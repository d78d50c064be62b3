import BertSimCore
import Foundation

/// Writes a trace (docs/trace-format.md) as it goes, through ``AtomicFile/Stream`` (a
/// temporary file next to the target, renamed into place by ``finish()``), so a reader never
/// sees half a trace and a failed write leaves the target as it was.
public final class TraceWriter {
    public let path: String
    private let file: AtomicFile.Stream
    private var buffer: [UInt8] = []
    public private(set) var written = 0
    /// The first write error, reported by ``finish()``.
    private var failure: OutputError?

    public init(path: String, header: TraceHeader, comments: [String] = []) throws(OutputError) {
        self.path = path
        file = try AtomicFile.Stream(path: path)
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

    /// Writes what is left and moves the trace into place (flushed and synced first).
    public func finish() throws(OutputError) {
        flush()
        if let failure { throw failure }
        try file.commit()
    }

    /// Abandons the trace: removes the temporary file and leaves `path` as it was.
    public func discard() {
        file.discard()
    }

    private func append(_ s: String) { buffer.append(contentsOf: s.utf8) }

    private func flush() {
        if !buffer.isEmpty && failure == nil {
            do {
                try file.write(buffer)
            } catch {
                failure = error
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
