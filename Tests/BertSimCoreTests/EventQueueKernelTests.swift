import Testing
@testable import BertSimCore

/// A process that logs when it runs and can re-arm its events.
final class Probe: SimProcess {
    unowned let kernel: any SimKernel
    var log: [(Int, UInt64)] = []
    var onEvaluate: (Probe) -> Void = { _ in }
    init(_ kernel: any SimKernel) { self.kernel = kernel }
    func evaluate() {
        log.append((kernel.now.value, kernel.deltaCount))
        onEvaluate(self)
    }
    var times: [Int] { log.map(\.0) }
}

/// The shared semantics (timed and delta notification, pause, stop, channels) are in
/// BertSimTestSupport's KernelScenarios, run on both kernels; these are native-only.
@Suite struct EventQueueKernelTests {
    @Test func priorityOrdersSameDeltaProcesses() throws {
        let k = EventQueueKernel()
        var order: [String] = []
        final class Named: SimProcess {
            let name: String
            let sink: (String) -> Void
            init(_ n: String, _ s: @escaping (String) -> Void) { name = n; sink = s }
            func evaluate() { sink(name) }
        }
        let late = k.addProcess("late", priority: 5, Named("late") { order.append($0) })
        let early = k.addProcess("early", priority: -1, Named("early") { order.append($0) })
        let e1 = k.addEvent("e1", triggering: late)
        let e2 = k.addEvent("e2", triggering: early)
        k.notify(e1, after: 1)
        k.notify(e2, after: 1)
        _ = try k.run()
        #expect(order == ["early", "late"])
    }

    @Test func manyTimersFireInTimeOrder() throws {
        let k = EventQueueKernel()
        let p = Probe(k)
        let pid = k.addProcess("p", p)
        var rng = SplitMix64(seed: 7)
        var expected: Set<Int> = []
        for i in 0..<200 {
            let e = k.addEvent("e\(i)", triggering: pid)
            let t = Int(rng.next() % 1000) + 1
            k.notify(e, after: Cycles(t))
            expected.insert(t)
        }
        _ = try k.run()
        #expect(p.times == expected.sorted())
    }
}

@Suite struct TimedQueueTests {
    /// Pops come out in (time, insertion) order whatever the insertion order.
    @Test func popsInTimeThenInsertionOrder() {
        var q = TimedQueue()
        var rng = SplitMix64(seed: 3)
        var expected: [(Int, UInt64)] = []
        for seq in 1...2000 as ClosedRange<UInt64> {
            let t = Int(rng.next() % 50)
            q.insert(.init(time: t, sequence: seq, event: Int32(seq % 7)))
            expected.append((t, seq))
        }
        expected.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var got: [(Int, UInt64)] = []
        while let e = q.popMin() { got.append((e.time, e.sequence)) }
        #expect(got.map(\.0) == expected.map(\.0))
        #expect(got.map(\.1) == expected.map(\.1))
    }
}
