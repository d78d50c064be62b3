import Foundation

/// Reading a user's input file with the errors every reader gives, as one line naming the file.
public enum InputFile {
    /// The file's bytes: "no such file" or "cannot be read" otherwise.
    public static func data(_ path: String) throws(InputError) -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        return data
    }

    /// The file as UTF-8 text: also "not a text file" (on line 1) for binary data or bytes that
    /// are not UTF-8.
    public static func text(_ path: String) throws(InputError) -> String {
        let data = try data(path)
        guard !data.contains(0), let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, line: 1, "not a text file (binary data or not UTF-8)")
        }
        return text
    }
}
