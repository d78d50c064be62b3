/// A file the user asked bertsim to write (a report, a waveform, a sweep's CSV, a trace) that
/// could not be written: the directory is missing or not writable, the disk is full, a write
/// or the final rename failed.
///
/// It names the path and why, as one line: `path: cannot write: reason`. The CLI exits with
/// status 3 for it (the run could not deliver what it was asked for), as for a simulation
/// that could not finish; it is never an ``InputError`` (exit 2), since nothing in the input
/// was wrong. The target is left as it was (docs/robustness.md, "Output files").
public struct OutputError: Error, Equatable, Sendable, Codable, CustomStringConvertible {
    /// The file (or directory) that was to be written, as the user named it.
    public var path: String
    /// What went wrong, e.g. "the directory /x does not exist" or "No space left on device".
    public var reason: String

    public init(path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): cannot write: \(reason)" }
}
