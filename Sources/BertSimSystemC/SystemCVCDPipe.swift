import BertSimCore
import Foundation

/// Carries the VCD that SystemC writes to the user's file, atomically and with every write
/// checked.
///
/// SystemC's VCD writer opens a file by name and writes it with `fprintf`, ignoring errors, so
/// a full disk would leave a truncated waveform and no error. Instead SystemC is given a FIFO
/// (in a private temporary directory) as its file; a reader thread copies what comes out of
/// it, without the host-dated `$date … $end` header block (reports are deterministic), into an
/// ``AtomicFile/Stream`` at the target. ``finish()`` waits for SystemC's end of file and
/// publishes the file, or throws the first ``OutputError`` (the target is then left as it was).
///
/// The reader never stops early: after a write error it keeps draining the FIFO, so SystemC
/// can never block on a full pipe. A second write end, held from ``init(path:)`` to
/// ``finish()``, keeps the reader from seeing an end of file before SystemC has opened the
/// FIFO (or when it never does), so the wait in ``finish()`` always ends.
final class SystemCVCDPipe: @unchecked Sendable {
    /// The user's path.
    let path: String
    /// What SystemC is given: the FIFO's path without its ".vcd" suffix (SystemC appends it).
    let systemCBase: String
    private let directory: String
    private let fifo: String
    private let output: AtomicFile.Stream
    private var keeper: Int32
    private let done = DispatchSemaphore(value: 0)
    /// Written by the reader thread only until it signals `done`.
    private var failure: OutputError?

    /// Opens the target's temporary file (failing at once when its directory is missing or not
    /// writable) and the FIFO, and starts the reader.
    init(path: String) throws(OutputError) {
        self.path = path
        output = try AtomicFile.Stream(path: path)
        var template = Array((FileManager.default.temporaryDirectory.path + "/bertsim-vcd-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            output.discard()
            throw OutputError(path: path, "cannot create a temporary directory for SystemC's VCD: \(String(cString: strerror(errno)))")
        }
        directory = String(cString: made)
        systemCBase = directory + "/trace"
        fifo = systemCBase + ".vcd"
        guard mkfifo(fifo, 0o600) == 0 else {
            let reason = String(cString: strerror(errno))
            output.discard()
            _ = rmdir(directory)
            throw OutputError(path: path, "cannot create a FIFO for SystemC's VCD: \(reason)")
        }
        // The read end first (non-blocking, or open would wait for a writer), then the keeper.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        keeper = reader >= 0 ? open(fifo, O_WRONLY | O_CLOEXEC) : -1
        guard reader >= 0, keeper >= 0 else {
            let reason = String(cString: strerror(errno))
            if reader >= 0 { _ = close(reader) }
            output.discard()
            _ = unlink(fifo)
            _ = rmdir(directory)
            throw OutputError(path: path, "cannot open the FIFO for SystemC's VCD: \(reason)")
        }
        _ = fcntl(reader, F_SETFL, fcntl(reader, F_GETFL) & ~O_NONBLOCK)
        let thread = Thread { [self] in copy(from: reader) }
        thread.name = "bertsim-vcd"
        thread.start()
    }

    /// The reader thread: copies until the end of file, then signals.
    private func copy(from reader: Int32) {
        defer {
            _ = close(reader)
            done.signal()
        }
        var header: [UInt8] = []
        var inHeader = true
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                record(OutputError(path: path, "reading SystemC's VCD: \(String(cString: strerror(errno)))"))
                // Keep the pipe from filling: nothing more can be read, so stop here.
                return
            }
            if n == 0 { break }
            if inHeader {
                header += chunk[0..<n]
                // The date is in the first lines; pass on the header once it is complete.
                if Self.contains(header, "$enddefinitions") || header.count >= 1 << 16 {
                    write(Self.removingDate(header))
                    header = []
                    inHeader = false
                }
            } else {
                write(Array(chunk[0..<n]))
            }
        }
        if inHeader { write(Self.removingDate(header)) }
    }

    private func write(_ bytes: [UInt8]) {
        guard failure == nil else { return }
        do {
            try output.write(bytes)
        } catch {
            record(error)
        }
    }

    private func record(_ error: OutputError) {
        if failure == nil { failure = error }
    }

    /// After SystemC closed its file (`bsc_finish`): waits for the reader to drain the FIFO,
    /// then publishes the VCD at its path or throws the first write error.
    func finish() throws(OutputError) {
        if keeper >= 0 {
            _ = close(keeper)
            keeper = -1
        }
        done.wait()
        _ = unlink(fifo)
        _ = rmdir(directory)
        if let failure {
            output.discard()
            throw failure
        }
        try output.commit()
    }

    /// Leaves the target as it was (SystemC failed): the reader is left to itself.
    func abandon() {
        output.discard()
        _ = unlink(fifo)
        _ = rmdir(directory)
    }

    static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard bytes.count >= needle.count else { return false }
        return (0...(bytes.count - needle.count)).contains { i in bytes[i..<i + needle.count].elementsEqual(needle) }
    }

    /// SystemC's header without its `$date … $end` block (the host's wall-clock time).
    static func removingDate(_ header: [UInt8]) -> [UInt8] {
        var text = String(decoding: header, as: UTF8.self)
        if let start = text.range(of: "$date"), let end = text.range(of: "$end", range: start.upperBound..<text.endIndex) {
            var after = end.upperBound
            while after < text.endIndex, text[after] == "\n" { after = text.index(after: after) }
            text.removeSubrange(start.lowerBound..<after)
        }
        return Array(text.utf8)
    }
}
