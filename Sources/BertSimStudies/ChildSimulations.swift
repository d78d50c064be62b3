import BertSim
import BertSimCore
import BertSimReport
import Foundation

/// Runs ``SimulationRequest``s in child processes (`bertsim _run`, which reads a request as
/// JSON on stdin and writes its ``SimulationOutcome`` as JSON on stdout), at most `jobs` at a
/// time.
///
/// SystemC allows one simulation per process, so comparing designs on the SystemC kernel
/// needs a process per design; the native kernel goes the same way, so both kernels give
/// the same results. A child's report is what `simulate` reports for that request alone.
public struct ChildSimulations: Sendable {
    /// What one child produced.
    public enum Outcome: Sendable, Equatable {
        /// The child ran its request: the report, or the error it ended with.
        case finished(SimulationOutcome)
        /// The child ended without an outcome (it crashed or was killed).
        case crashed(Termination)

        /// The report, when the child produced one.
        public var report: RunReport? {
            if case .finished(.report(let report)) = self { return report }
            return nil
        }
    }

    /// How a child that produced no outcome ended.
    public struct Termination: Sendable, Equatable, CustomStringConvertible {
        public enum Reason: Sendable, Equatable {
            case exit(Int32)
            case signal(Int32)
        }

        public var reason: Reason
        /// The last line the child wrote on stderr (what a crashing runtime says), if any.
        public var lastWords: String?

        public init(reason: Reason, lastWords: String? = nil) {
            self.reason = reason
            self.lastWords = lastWords
        }

        /// Killed from outside (SIGHUP, SIGINT, SIGKILL, SIGTERM: Ctrl-C reaches the whole
        /// process group), as opposed to a crash of its own.
        public var isInterruption: Bool {
            if case .signal(let n) = reason { return [SIGHUP, SIGINT, SIGKILL, SIGTERM].contains(n) }
            return false
        }

        public var description: String {
            switch reason {
            case .signal(let n): "killed by signal \(n)"
            case .exit(let status): "exit status \(status)" + (lastWords.map { ": \($0)" } ?? "")
            }
        }
    }

    /// The `bertsim` executable to run.
    public var executable: URL
    /// Children running at once (at least 1).
    public var jobs: Int

    /// Where a batch of children stands: how many finished, and each running child's latest
    /// ``RunProgress`` (nil before its first report).
    public struct Watch: Sendable {
        public struct Running: Sendable {
            public var index: Int
            public var progress: RunProgress?
        }

        public var finished: Int
        public var total: Int
        public var running: [Running]
    }

    /// When set, every child reports its progress through a file and this sees them all about
    /// four times a second (a progress line; nothing reaches the reports).
    public var watch: (@Sendable (Watch) -> Void)?

    /// When requested (Ctrl-C), the running children are killed and ``run(_:stopAtFailure:)``
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

    /// Runs every request, returning the outcomes in the order of `requests`. With
    /// `stopAtFailure`, no new child starts once one has not produced a report (those running
    /// finish) and the requests never started get nil.
    public func run(_ requests: [SimulationRequest], stopAtFailure: Bool) throws -> [Outcome?] {
        var outcomes = [Outcome?](repeating: nil, count: requests.count)
        var failed = false
        let complete = try run(requests, stop: stop, shouldStart: { !(stopAtFailure && failed) }) { index, outcome in
            if outcome.report == nil { failed = true }
            outcomes[index] = outcome
        }
        if !complete { throw Interrupted(finished: outcomes.compactMap { $0 }.count, total: requests.count) }
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

    /// Runs one child per request, at most `jobs` at a time, and hands each
    /// child's outcome to `finished` (on the calling thread, in the order the children end) as
    /// soon as it ends. `idle` is called when `idleInterval` seconds pass with no child ending.
    /// When `stop` is requested, the children still running are killed (SIGKILL) and their
    /// outcomes dropped, no new child starts, and this returns false; otherwise it returns true
    /// once every child has been reported.
    @discardableResult
    public func run(_ requests: [SimulationRequest], stop: Stop? = nil, idleInterval: Double = 1, idle: () throws -> Void = {},
                    finished: (Int, Outcome) throws -> Void) throws -> Bool {
        try run(requests, stop: stop, idleInterval: idleInterval, idle: idle, shouldStart: { true }, finished: finished)
    }

    func run(_ requests: [SimulationRequest], stop: Stop? = nil, idleInterval: Double = 1, idle: () throws -> Void = {},
             shouldStart: () -> Bool, finished: (Int, Outcome) throws -> Void) throws -> Bool {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bertsim-children-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        } catch {
            throw OutputError(path: scratch.path, "cannot create the children's directory: \((error as NSError).localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: scratch) }
        let queue = FinishedQueue()
        stop?.attach(queue)
        defer { stop?.detach(queue) }
        var running: [Int: Child] = [:]
        var next = 0
        var done = 0
        var lastEvent = Date()
        func report() {
            guard let watch else { return }
            watch(Watch(finished: done, total: requests.count, running: running.keys.sorted().map { index in
                let file = scratch.appendingPathComponent("\(index).progress")
                let progress = (try? Data(contentsOf: file)).flatMap { try? JSONDecoder().decode(RunProgress.self, from: $0) }
                return Watch.Running(index: index, progress: progress)
            }))
        }
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
                    if outcome.report != nil { try finished(index, outcome) }
                }
                running = [:]
                return false
            }
            while running.count < jobs && next < requests.count && shouldStart() {
                var request = requests[next]
                if watch != nil { request.outputs.progress = scratch.appendingPathComponent("\(next).progress").path }
                running[next] = try Child(index: next, request: request, executable: executable,
                                          scratch: scratch, finished: queue)
                next += 1
            }
            if running.isEmpty { return true }
            guard let index = queue.wait(timeout: watch == nil ? idleInterval : min(idleInterval, 0.25)) else {
                report()
                if Date().timeIntervalSince(lastEvent) >= idleInterval {
                    lastEvent = Date()
                    try idle()
                }
                continue
            }
            lastEvent = Date()
            guard let child = running.removeValue(forKey: index) else { continue }
            try? FileManager.default.removeItem(at: scratch.appendingPathComponent("\(index).progress"))
            try finished(index, try child.collect())
            done += 1
            report()
        }
    }

    /// One running child: its request on stdin from a file, its output going to files (a child
    /// never blocks on a full pipe).
    private struct Child {
        let process: Process
        let stdin: URL
        let stdout: URL
        let stderr: URL

        init(index: Int, request: SimulationRequest, executable: URL, scratch: URL, finished: FinishedQueue) throws {
            stdin = scratch.appendingPathComponent("\(index).in")
            stdout = scratch.appendingPathComponent("\(index).out")
            stderr = scratch.appendingPathComponent("\(index).err")
            let encoded = try JSONEncoder().encode(request)
            guard FileManager.default.createFile(atPath: stdin.path, contents: encoded),
                  FileManager.default.createFile(atPath: stdout.path, contents: nil),
                  FileManager.default.createFile(atPath: stderr.path, contents: nil) else {
                throw OutputError(path: scratch.path, "cannot create the files of a child there")
            }
            process = Process()
            process.executableURL = executable
            process.arguments = [ChildSimulations.command]
            let input = try FileHandle(forReadingFrom: stdin)
            let out = try FileHandle(forWritingTo: stdout)
            let err = try FileHandle(forWritingTo: stderr)
            defer {
                try? input.close()
                try? out.close()
                try? err.close()
            }
            process.standardInput = input
            process.standardOutput = out
            process.standardError = err
            process.terminationHandler = { _ in finished.post(index) }
            do {
                try process.run()
            } catch {
                throw SimulationError(.kernel, "cannot start \(executable.path): \(error.localizedDescription)")
            }
        }

        /// The child's outcome, or how it ended without one.
        func collect() throws -> Outcome {
            process.waitUntilExit()
            // A long sweep must not fill the scratch directory with reports already read.
            defer {
                for file in [stdin, stdout, stderr] { try? FileManager.default.removeItem(at: file) }
            }
            if process.terminationReason == .uncaughtSignal {
                return .crashed(Termination(reason: .signal(process.terminationStatus)))
            }
            let output = (try? Data(contentsOf: stdout)) ?? Data()
            if let outcome = try? JSONDecoder().decode(SimulationOutcome.self, from: output) { return .finished(outcome) }
            let errors = String(decoding: (try? Data(contentsOf: stderr)) ?? Data(), as: UTF8.self)
            let last = errors.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            return .crashed(Termination(reason: .exit(process.terminationStatus), lastWords: last.map(String.init)))
        }
    }

    /// The hidden subcommand a child runs: `bertsim _run` (request on stdin, outcome on stdout).
    public static let command = "_run"

    /// Runs one request in one child of `executable` and returns its report, or throws what
    /// it ended with: the length-aware twin of a SystemC run (``Simulation/ChildRunner``).
    public static func runner(executable: URL) -> Simulation.ChildRunner {
        { request in
            let outcomes = try ChildSimulations(executable: executable, jobs: 1).run([request], stopAtFailure: true)
            switch outcomes.first ?? nil {
            case .finished(let outcome): return try outcome.get()
            case .crashed(let termination):
                throw SimulationError(.kernel, "the length-aware twin's child process ended without a report: \(termination)")
            case nil:
                throw SimulationError(.kernel, "the length-aware twin's child process did not run")
            }
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
