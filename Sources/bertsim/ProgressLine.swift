import BertSimCore
import BertSimStudies
import Foundation

/// One progress line on stderr, redrawn in place; only when stderr is a terminal (nil
/// otherwise), so logs and pipes never see it.
final class ProgressLine: @unchecked Sendable {
    private let label: String
    private var drawn = false

    init?(label: String) {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        self.label = label
    }

    /// Replaces the line with `text` (cut to the terminal's width).
    func draw(_ text: String) {
        var line = "\(label): \(text)"
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 1, line.count >= Int(size.ws_col) {
            line = String(line.prefix(Int(size.ws_col) - 2)) + "…"
        }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
        drawn = true
    }

    /// Erases the line (before the final messages).
    func clear() {
        guard drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        drawn = false
    }
}

extension ProgressLine {
    /// A `compare` or `select` line: children finished of all, then each running child's
    /// config (file name) and progress.
    func draw(_ watch: ChildSimulations.Watch, names: [String]) {
        var parts = ["\(watch.finished)/\(watch.total) done"]
        for child in watch.running {
            let name = names.indices.contains(child.index) ? names[child.index] : "#\(child.index)"
            guard let p = child.progress else {
                parts.append("\(name) starting")
                continue
            }
            parts.append("\(name) \(p.requestsDone)/\(p.requestsTotal.map(String.init) ?? "?") "
                         + String(format: "%.2g cycles/s", p.rate) + " ETA " + (p.eta.map(RunProgress.duration) ?? "?"))
        }
        draw(parts.joined(separator: " · "))
    }

    /// Config paths as short names (the file name without `.yaml`).
    static func names(_ configs: [String]) -> [String] {
        configs.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
    }
}
