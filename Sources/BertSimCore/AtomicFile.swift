import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that readers see either the old contents or the new, never a part, and
/// so that a failed write leaves the old file as it was and nothing else behind.
///
/// Every output file bertsim writes at a user's request goes through here (reports, CSVs,
/// timelines, VCD waveforms, sweep tables, goldens, traces): the bytes go to a temporary file
/// in the target's directory (`.NAME.tmp-PID-UUID`), which is flushed, `fsync`ed and renamed
/// over the target on success, and deleted on failure. A failure is an ``OutputError`` naming
/// the path (exit status 3). ``Stream`` does the same for a file written as it goes (a VCD
/// can be large).
///
/// A target that exists and is neither a regular file nor a directory (a character device
/// such as `/dev/null` or `/dev/full`, a FIFO) is written in place: there is nothing to
/// rename over, and a write error is still an ``OutputError``. A symbolic link is followed:
/// the file it points to is replaced, not the link.
public enum AtomicFile {
    /// Writes `text` to `path` atomically.
    public static func write(_ text: String, to path: String) throws(OutputError) {
        let stream = try Stream(path: path)
        try stream.write(text)
        try stream.commit()
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws(OutputError) {
        let stream = try Stream(path: path)
        try stream.write(bytes)
        try stream.commit()
    }

    /// Creates `path` (and its parents) as a directory unless it is one already.
    public static func makeDirectory(_ path: String) throws(OutputError) {
        var info = stat()
        if stat(path, &info) == 0 {
            if info.st_mode & S_IFMT != S_IFDIR { throw OutputError(path: path, "is a file, not a directory") }
            return
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if parent != path && stat(parent, &info) != 0 { try makeDirectory(parent) }
        if mkdir(path, 0o777) != 0 && !(errno == EEXIST && stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR) {
            throw OutputError(path: path, "cannot create the directory: \(Stream.errnoText())")
        }
    }

    /// A file written as it goes: ``write(_:)-(String)`` appends, ``commit()`` publishes it at
    /// its path, ``discard()`` (or deinitializing an uncommitted stream) leaves the path as it
    /// was. A write error discards the temporary file at once and is thrown; so is an error of
    /// the final `fsync`, `close` or `rename`.
    public final class Stream {
        /// The target, as the user named it (errors name it).
        public let path: String
        /// Where the bytes are renamed to: `path` with symbolic links resolved.
        private let target: String
        /// The temporary file, or nil when writing in place (a device or a FIFO).
        private let temporary: String?
        private var descriptor: Int32
        private var state = State.open

        private enum State { case open, committed, discarded }

        /// Opens a temporary file next to `path` (or `path` itself when it is a device or a
        /// FIFO). Fails when the directory does not exist or cannot be written, or when `path`
        /// is a directory.
        public init(path: String) throws(OutputError) {
            self.path = path
            var info = stat()
            let exists = stat(path, &info) == 0
            let kind = info.st_mode & S_IFMT
            if exists && kind == S_IFDIR { throw OutputError(path: path, "is a directory") }
            if exists && kind != S_IFREG {
                // A device or a FIFO: write in place.
                let fd = open(path, O_WRONLY | O_CLOEXEC)
                guard fd >= 0 else { throw OutputError(path: path, Self.errnoText()) }
                target = path
                temporary = nil
                descriptor = fd
                return
            }
            let resolved = exists ? (Self.realPath(path) ?? path) : path
            let url = URL(fileURLWithPath: resolved)
            let directory = url.deletingLastPathComponent().path
            var directoryInfo = stat()
            guard stat(directory, &directoryInfo) == 0 else {
                throw OutputError(path: path, "the directory \(directory) does not exist")
            }
            guard directoryInfo.st_mode & S_IFMT == S_IFDIR else {
                throw OutputError(path: path, "\(directory) is not a directory")
            }
            let name = ".\(url.lastPathComponent).tmp-\(getpid())-\(UUID().uuidString)"
            let temporary = URL(fileURLWithPath: directory).appendingPathComponent(name).path
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            guard fd >= 0 else {
                throw OutputError(path: path, "cannot create a file in \(directory): \(Self.errnoText())")
            }
            // Replacing a file keeps its permissions.
            if exists { _ = fchmod(fd, info.st_mode & 0o7777) }
            target = resolved
            self.temporary = temporary
            descriptor = fd
        }

        deinit {
            if state == .open { discard() }
        }

        /// Appends `text`.
        public func write(_ text: String) throws(OutputError) {
            var text = text
            let result: Result<Void, OutputError> = text.withUTF8 { bytes in
                do throws(OutputError) {
                    try write(UnsafeRawBufferPointer(bytes))
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            try result.get()
        }

        /// Appends `bytes`.
        public func write(_ bytes: [UInt8]) throws(OutputError) {
            let result: Result<Void, OutputError> = bytes.withUnsafeBytes { raw in
                do throws(OutputError) {
                    try write(raw)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            try result.get()
        }

        /// Appends `bytes`, retrying short writes; on an error the stream is discarded.
        public func write(_ bytes: UnsafeRawBufferPointer) throws(OutputError) {
            guard state == .open else { throw OutputError(path: path, "the file was already closed") }
            guard var base = bytes.baseAddress else { return }
            var left = bytes.count
            while left > 0 {
                let n = systemWrite(descriptor, base, left)
                if n < 0 {
                    if errno == EINTR { continue }
                    let reason = Self.errnoText()
                    discard()
                    throw OutputError(path: path, reason)
                }
                base += n
                left -= n
            }
        }

        /// Makes the file durable and puts it in place: `fsync`, `close`, `rename` over the
        /// target, then `fsync` of the directory (best effort). Idempotent once it succeeded.
        public func commit() throws(OutputError) {
            switch state {
            case .committed: return
            case .discarded: throw OutputError(path: path, "the file was discarded after an earlier error")
            case .open: break
            }
            guard let temporary else {
                // In place (a device or a FIFO): nothing to sync or rename.
                state = .committed
                if close(descriptor) != 0 { throw OutputError(path: path, Self.errnoText()) }
                return
            }
            if fsync(descriptor) != 0 {
                let reason = Self.errnoText()
                discard()
                throw OutputError(path: path, reason)
            }
            let closed = close(descriptor)
            descriptor = -1
            if closed != 0 {
                let reason = Self.errnoText()
                discard()
                throw OutputError(path: path, reason)
            }
            if rename(temporary, target) != 0 {
                let reason = Self.errnoText()
                discard()
                throw OutputError(path: path, reason)
            }
            state = .committed
            let directory = open(URL(fileURLWithPath: target).deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if directory >= 0 {
                _ = fsync(directory)
                _ = close(directory)
            }
        }

        /// Abandons the file: the temporary file is deleted, the target left as it was.
        public func discard() {
            guard state == .open else { return }
            state = .discarded
            if descriptor >= 0 { _ = close(descriptor) }
            descriptor = -1
            if let temporary { _ = unlink(temporary) }
        }

        private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
            #if canImport(Glibc)
            Glibc.write(fd, bytes, count)
            #else
            Darwin.write(fd, bytes, count)
            #endif
        }

        static func errnoText() -> String { String(cString: strerror(errno)) }

        static func realPath(_ path: String) -> String? {
            guard let resolved = realpath(path, nil) else { return nil }
            defer { free(resolved) }
            return String(cString: resolved)
        }
    }
}
