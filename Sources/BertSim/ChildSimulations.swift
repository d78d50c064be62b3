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

    /// When requested (Ctrl-C), the running children are killed and ``run(tracePath:configPaths:kernel:limit:stopAtFailure:)``
    /// throws ``Interrupted``.
    public var stop: Stop?

    public init(executable: URL, jobs: Int, stop: Stop? = nil) {
        self.executable = executable
        self.jobs = max(1, jobs)
        self.stop = stop
    }

    /// A run that ``stop`` ended: `finished` of `total` simulations had finished.
    public struct Interrupted: Error, Sendable, Equatable {
        public var finished: Int
        public var total: Int
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
        var outcomes = [Outcome?](repeating: nil, count: argumentLists.count)
        var failed = false
        let complete = try run(argumentLists, stop: stop, shouldStart: { !(stopAtFailure && failed) }) { index, outcome in
            if case .failed = outcome { failed = true }
            outcomes[index] = outcome
        }
        if !complete { throw Interrupted(finished: outcomes.compactMap { $0 }.count, total: argumentLists.count) }
        return outcomes
    }

    /// Asks a running ``run(_:stop:idleInterval:idle:finished:)`` to stop: from any thread (a
    /// signal handler's dispatch source, say). Children still running are killed; those
    /// that already finished are reported; none starts after.
    public final class Stop: @unchecked Sendable {
        private let lock = NSLock()
        private var requested = false
        private var queues: [FinishedQueue] = []

        public init() {}

        /// Whether a stop was requested.
        public var isRequested: Bool {
            lock.lock()
            defer { lock.unlock() }
            return requested
        }

        public func request() {
            lock.lock()
            requested = true
            let waiting = queues
            lock.unlock()
            for queue in waiting { queue.post(FinishedQueue.wake) }
        }

        fileprivate func attach(_ queue: FinishedQueue) {
            lock.lock()
            queues.append(queue)
            let already = requested
            lock.unlock()
            if already { queue.post(FinishedQueue.wake) }
        }

        fileprivate func detach(_ queue: FinishedQueue) {
            lock.lock()
            queues.removeAll { $0 === queue }
            lock.unlock()
        }
    }

    /// Runs the executable once per argument list, at most `jobs` at a time, and hands each
    /// child's outcome to `finished` (on the calling thread, in the order the children end) as
    /// soon as it ends. `idle` is called when `idleInterval` seconds pass with no child ending.
    /// When `stop` is requested, the children still running are killed (SIGKILL) and their
    /// outcomes dropped, no new child starts, and this returns false; otherwise it returns true
    /// once every child has been reported.
    @discardableResult
    public func run(_ argumentLists: [[String]], stop: Stop? = nil, idleInterval: Double = 1, idle: () throws -> Void = {},
                    finished: (Int, Outcome) throws -> Void) throws -> Bool {
        try run(argumentLists, stop: stop, idleInterval: idleInterval, idle: idle, shouldStart: { true }, finished: finished)
    }

    func run(_ argumentLists: [[String]], stop: Stop? = nil, idleInterval: Double = 1, idle: () throws -> Void = {},
             shouldStart: () -> Bool, finished: (Int, Outcome) throws -> Void) throws -> Bool {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bertsim-children-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let queue = FinishedQueue()
        stop?.attach(queue)
        defer { stop?.detach(queue) }
        var running: [Int: Child] = [:]
        var next = 0
        defer {
            for child in running.values where child.process.isRunning { kill(child.process.processIdentifier, SIGKILL) }
            for child in running.values { child.process.waitUntilExit() }
        }
        while true {
            if stop?.isRequested == true {
                for child in running.values where child.process.isRunning { kill(child.process.processIdentifier, SIGKILL) }
                for (index, child) in running.sorted(by: { $0.key < $1.key }) {
                    child.process.waitUntilExit()
                    // A child that ended on its own before the kill still counts.
                    guard child.process.terminationReason == .exit else { continue }
                    let outcome = try child.collect()
                    if case .report = outcome { try finished(index, outcome) }
                }
                running = [:]
                return false
            }
            while running.count < jobs && next < argumentLists.count && shouldStart() {
                running[next] = try Child(index: next, arguments: argumentLists[next], executable: executable,
                                          scratch: scratch, finished: queue)
                next += 1
            }
            if running.isEmpty { return true }
            guard let index = queue.wait(timeout: idleInterval) else {
                try idle()
                continue
            }
            guard let child = running.removeValue(forKey: index) else { continue }
            try finished(index, try child.collect())
        }
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
            // A long sweep must not fill the scratch directory with reports already read.
            defer {
                try? FileManager.default.removeItem(at: stdout)
                try? FileManager.default.removeItem(at: stderr)
            }
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
    fileprivate final class FinishedQueue: @unchecked Sendable {
        /// Posted to wake the waiting loop without a finished child (a stop request).
        static let wake = -1
        private let lock = NSLock()
        private let signal = DispatchSemaphore(value: 0)
        private var indices: [Int] = []

        func post(_ index: Int) {
            lock.lock()
            indices.append(index)
            lock.unlock()
            signal.signal()
        }

        /// The next posted index, or nil after `timeout` seconds without one.
        ///
        /// Waits by running the current run loop in short slices: Foundation's `Process`
        /// (swift-corelibs-foundation) delivers a child's termination through a source on the
        /// run loop of the thread that launched it, so a thread blocked on the semaphore alone
        /// learnt of a finished child late (up to the timeout), which serialized `--jobs`.
        func wait(timeout: Double) -> Int? {
            let deadline = DispatchTime.now() + timeout
            while true {
                if signal.wait(timeout: .now()) == .success {
                    lock.lock()
                    defer { lock.unlock() }
                    return indices.removeFirst()
                }
                if DispatchTime.now() >= deadline { return nil }
                if !RunLoop.current.run(mode: .default, before: Date(timeIntervalSinceNow: 0.005)) {
                    // No run-loop source: block on the semaphore for a slice instead.
                    if signal.wait(timeout: .now() + 0.005) == .success { signal.signal() }
                }
            }
        }
    }
}
