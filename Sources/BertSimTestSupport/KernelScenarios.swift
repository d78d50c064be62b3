import BertSimCore

/// Small programs that pin down ``SimKernel``'s semantics. Each runs on a fresh kernel and
/// returns a log of what happened; the native kernel (in process) and the SystemC kernel (one
/// child process per scenario) must produce exactly ``Scenario/expected``.
public enum KernelScenarios {
    public struct Scenario: Sendable {
        public var name: String
        public var expected: [String]
        public var body: @Sendable (any SimKernel) throws -> [String]
    }

    /// A process that runs a closure.
    final class Body: SimProcess {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
        func evaluate() { run() }
    }

    /// One process with one event; `onWake(n)` is called on the n-th wake (from 1).
    static func single(_ k: any SimKernel, log: Box<[String]>, onWake: @escaping (Int, EventID) -> Void) -> EventID {
        var n = 0
        var event: EventID!
        let p = k.addProcess("p", Body {
            n += 1
            log.value.append("wake \(n) @\(k.now.value)")
            onWake(n, event)
        })
        event = k.addEvent("e", triggering: p)
        return event
    }

    public final class Box<T>: @unchecked Sendable {
        public var value: T
        public init(_ value: T) { self.value = value }
    }

    public static let all: [Scenario] = [
        Scenario(name: "timed", expected: ["wake 1 @7", "idle @7"]) { k in
            let log = Box<[String]>([])
            let e = single(k, log: log) { _, _ in }
            k.notify(e, after: 7)
            let outcome = try k.run()
            return log.value + ["\(outcome) @\(k.now.value)"]
        },
        Scenario(name: "earlier-replaces-later", expected: ["wake 1 @4", "idle @4"]) { k in
            let log = Box<[String]>([])
            let e = single(k, log: log) { _, _ in }
            k.notify(e, after: 10)
            k.notify(e, after: 4)
            k.notify(e, after: 6)
            let outcome = try k.run()
            return log.value + ["\(outcome) @\(k.now.value)"]
        },
        Scenario(name: "delta-cancels-timed", expected: ["wake 1 @0", "idle @0"]) { k in
            let log = Box<[String]>([])
            let e = single(k, log: log) { _, _ in }
            k.notify(e, after: 5)
            k.notify(e, after: .zero)
            k.notify(e, after: 3)
            let outcome = try k.run()
            return log.value + ["\(outcome) @\(k.now.value)"]
        },
        Scenario(name: "once-per-delta", expected: ["a or b @3", "idle @3"]) { k in
            var log: [String] = []
            let p = k.addProcess("p", Body { log.append("a or b @\(k.now.value)") })
            let a = k.addEvent("a", triggering: p)
            let b = k.addEvent("b", triggering: p)
            k.notify(a, after: 3)
            k.notify(b, after: 3)
            let outcome = try k.run()
            return log + ["\(outcome) @\(k.now.value)"]
        },
        Scenario(name: "delta-chain", expected: ["wake 1 @2", "wake 2 @2", "wake 3 @2", "wake 4 @5", "idle @5"]) { k in
            let log = Box<[String]>([])
            let e = single(k, log: log) { n, e in
                if n < 3 { k.notify(e, after: .zero) } else if n == 3 { k.notify(e, after: 3) }
            }
            k.notify(e, after: 2)
            let outcome = try k.run()
            return log.value + ["\(outcome) @\(k.now.value)"]
        },
        Scenario(name: "pause-at-limit", expected: ["wake 1 @10", "wake 2 @20", "paused @30", "wake 3 @30", "wake 4 @40", "idle @40"]) { k in
            let log = Box<[String]>([])
            let e = single(k, log: log) { n, e in if n < 4 { k.notify(e, after: 10) } }
            k.notify(e, after: 10)
            let first = try k.run(until: Cycle(30))   // events at 30 wait for the next run
            log.value.append("\(first) @\(k.now.value)")
            let second = try k.run()
            return log.value + ["\(second) @\(k.now.value)"]
        },
        Scenario(name: "pause-beyond-limit", expected: ["wake 1 @10", "paused @30", "wake 2 @50", "idle @50"]) { k in
            let log = Box<[String]>([])
            let e = single(k, log: log) { n, e in if n < 2 { k.notify(e, after: 40) } }
            k.notify(e, after: 10)
            let first = try k.run(until: Cycle(30))   // the next event (50) lies beyond: time stops at 30
            log.value.append("\(first) @\(k.now.value)")
            let second = try k.run()
            return log.value + ["\(second) @\(k.now.value)"]
        },
        Scenario(name: "stop", expected: ["wake 1 @1", "wake 2 @2", "wake 3 @3", "stopped @3", "stopped"]) { k in
            let log = Box<[String]>([])
            let e = single(k, log: log) { n, e in
                k.notify(e, after: 1)
                if n == 3 { k.stop() }
            }
            k.notify(e, after: 1)
            let outcome = try k.run()
            return log.value + ["\(outcome) @\(k.now.value)", "\(try k.run())"]
        },
        Scenario(name: "fifo-visibility", expected: [
            "write 10 @5", "read 10 @5", "write 20 @5", "read 20 @5", "write 30 @5", "read 30 @5", "peak 1",
        ]) { k in
            var log: [String] = []
            let fifo = Fifo<Int>("f", capacity: 1, kernel: k)
            var pending = [10, 20, 30]
            let writer = k.addProcess("w", Body {
                while fifo.canWrite, !pending.isEmpty {
                    let v = pending.removeFirst()
                    fifo.write(v)
                    log.append("write \(v) @\(k.now.value)")
                }
            })
            let reader = k.addProcess("r", Body {
                while fifo.canRead { log.append("read \(fifo.read()) @\(k.now.value)") }
            })
            fifo.bindWriter(writer)
            fifo.bindReader(reader)
            k.notify(k.addEvent("go", triggering: writer), after: 5)
            _ = try k.run()
            return log + ["peak \(fifo.peakOccupancy)"]
        },
        Scenario(name: "signal-commits-next-delta", expected: ["writer sees 0, after writing 1 still 0 @4", "reader sees 1 @4"]) { k in
            var log: [String] = []
            let s = Signal<Int>("s", initial: 0, kernel: k)
            let writer = k.addProcess("w", Body {
                let before = s.value
                s.write(1)
                log.append("writer sees \(before), after writing 1 still \(s.value) @\(k.now.value)")
            })
            let reader = k.addProcess("r", Body { log.append("reader sees \(s.value) @\(k.now.value)") })
            s.bindReader(reader)
            k.notify(k.addEvent("go", triggering: writer), after: 4)
            _ = try k.run()
            return log
        },
    ]

    public static func named(_ name: String) -> Scenario? { all.first { $0.name == name } }
}
