import BertSimCore
import BertSimReport
import Foundation

/// Runs `bertsim simulate … --format json` once per config, each in its own child process,
/// at most `jobs` at a time.
///
/// SystemC allows one simulation per process, so comparing designs on the SystemC kernel
/// needs a process per design; the native kernel goes the same way, so both kernels give
/// the same results. A child's report is what `simulate` prints for that config alone.
public struct ChildSimulations: Sendable {
    /// What one child produced.
    public enum Outcome: Sendable, Equatable {
        /// The child exited 0 with this report.
        case report(RunReport)
        /// The child failed: its exit status (2 bad input, 3 simulation failure, other for a
        /// crash) and the reason it gave (its error line without the `bertsim: error: ` prefix).
        case failed(status: Int32, message: String)
    }

    /// The `bertsim` executable to run.
    public var executable: URL
    /// Children running at once (at least 1).
    public var jobs: Int

    public init(executable: URL, jobs: Int) {
        self.executable = executable
        self.jobs = max(1, jobs)
    }

    /// The running executable (`/proc/self/exe` on Linux), for a command that spawns itself.
    public static var currentExecutable: URL {
        let proc = "/proc/self/exe"
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: proc) { return URL(fileURLWithPath: target) }
        return Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    }

    /// Simulates `tracePath` on every config, returning the outcomes in the order of
    /// `configPaths`. With `stopAtFailure`, no new child starts once one has failed (those
    /// running finish) and the configs never started get nil.
    public func run(tracePath: String, configPaths: [String], kernel: KernelChoice, limit: Int?,
                    stopAtFailure: Bool) throws -> [Outcome?] {
        let arguments = configPaths.map { config in
            ["simulate", tracePath, "--config", config, "--format", "json", "--kernel", kernel.rawValue]
                + (limit.map { ["--limit", String($0)] } ?? [])
        }
        return try run(arguments, stopAtFailure: stopAtFailure)
    }

    /// Runs the executable once per argument list.
    func run(_ argumentLists: [[String]], stopAtFailure: Bool) throws -> [Outcome?] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bertsim-children-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let finished = FinishedQueue()
        var running: [Int: Child] = [:]
        var outcomes = [Outcome?](repeating: nil, count: argumentLists.count)
        var next = 0
        var failed = false
        defer {
            for child in running.values where child.process.isRunning { child.process.terminate() }
        }
        while true {
            while running.count < jobs && next < argumentLists.count && !(stopAtFailure && failed) {
                running[next] = try Child(index: next, arguments: argumentLists[next], executable: executable,
                                          scratch: scratch, finished: finished)
                next += 1
            }
            if running.isEmpty { break }
            let index = finished.wait()
            guard let child = running.removeValue(forKey: index) else { continue }
            let outcome = try child.collect()
            if case .failed = outcome { failed = true }
            outcomes[index] = outcome
        }
        return outcomes
    }

    /// One running child, its output going to files (a child never blocks on a full pipe).
    private struct Child {
        let process: Process
        let stdout: URL
        let stderr: URL

        init(index: Int, arguments: [String], executable: URL, scratch: URL, finished: FinishedQueue) throws {
            stdout = scratch.appendingPathComponent("\(index).out")
            stderr = scratch.appendingPathComponent("\(index).err")
            guard FileManager.default.createFile(atPath: stdout.path, contents: nil),
                  FileManager.default.createFile(atPath: stderr.path, contents: nil) else {
                throw SimulationError(.kernel, "cannot create the output files of a child in \(scratch.path)")
            }
            process = Process()
            process.executableURL = executable
            process.arguments = arguments
            let out = try FileHandle(forWritingTo: stdout)
            let err = try FileHandle(forWritingTo: stderr)
            defer {
                try? out.close()
                try? err.close()
            }
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            process.terminationHandler = { _ in finished.post(index) }
            do {
                try process.run()
            } catch {
                throw SimulationError(.kernel, "cannot start \(executable.path): \(error.localizedDescription)")
            }
        }

        func collect() throws -> Outcome {
            process.waitUntilExit()
            let status = process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
            let errors = String(decoding: (try? Data(contentsOf: stderr)) ?? Data(), as: UTF8.self)
            guard status == 0 else { return .failed(status: status, message: Self.reason(errors, status: status)) }
            let text = String(decoding: try Data(contentsOf: stdout), as: UTF8.self)
            do {
                return .report(try JSONRenderer.decode(text))
            } catch {
                return .failed(status: 3, message: "the child's report could not be read: \(error)")
            }
        }

        /// The child's error line without its prefix, or a description of how it ended.
        static func reason(_ stderr: String, status: Int32) -> String {
            let prefix = "bertsim: error: "
            if let line = stderr.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) {
                return String(line.dropFirst(prefix.count))
            }
            if let line = stderr.split(separator: "\n").last(where: { !$0.isEmpty }) {
                return "exit status \(status): \(line)"
            }
            return status > 128 ? "killed by signal \(status - 128)" : "exit status \(status)"
        }
    }

    /// Indices of finished children, posted by termination handlers on another thread.
    private final class FinishedQueue: @unchecked Sendable {
        private let lock = NSLock()
        private let signal = DispatchSemaphore(value: 0)
        private var indices: [Int] = []

        func post(_ index: Int) {
            lock.lock()
            indices.append(index)
            lock.unlock()
            signal.signal()
        }

        func wait() -> Int {
            signal.wait()
            lock.lock()
            defer { lock.unlock() }
            return indices.removeFirst()
        }
    }
}
