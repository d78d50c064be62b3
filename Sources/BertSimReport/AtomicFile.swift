import BertSimCore
import Foundation

/// Writes a file so that readers see either the old contents or the new, never a part: the
/// bytes go to a temporary file in the same directory, which is then renamed over the target.
public enum AtomicFile {
    /// Writes `text` to `path` atomically; a failure is an input error naming the path.
    public static func write(_ text: String, to path: String) throws(InputError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError(file: path, "cannot write: the directory \(directory.path) does not exist")
        }
        let temporary = directory.appendingPathComponent(
            ".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        do {
            try Data(text.utf8).write(to: temporary)
        } catch {
            throw InputError(file: path, "cannot write: \((error as NSError).localizedDescription)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let message = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw InputError(file: path, "cannot write: \(message)")
        }
    }

    /// Creates `path` (and its parents) as a directory unless it is one already.
    public static func makeDirectory(_ path: String) throws(InputError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if !isDirectory.boolValue { throw InputError(file: path, "is a file, not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw InputError(file: path, "cannot create the directory: \((error as NSError).localizedDescription)")
        }
    }
}
