import Testing
@testable import BertSimCore

@Suite struct FifoTests {
    /// A writer and a reader at the same cycle: the item is readable one delta after the write,
    /// and freed space one delta after the read; no cycle is lost either way.
    @Test func writeIsVisibleNextDeltaSameCycle() throws {
        let k = EventQueueKernel()
        let fifo = Fifo<Int>("f", capacity: 1, kernel: k)
        var readAt: [(Int, UInt64, Int)] = []
        var writes = [10, 20, 30]
        var writtenAt: [(Int, UInt64)] = []
        final class Fn: SimProcess {
            let body: () -> Void
            init(_ b: @escaping () -> Void) { body = b }
            func evaluate() { body() }
        }
        let writer = k.addProcess("w", Fn {
            while fifo.canWrite, !writes.isEmpty {
                fifo.write(writes.removeFirst())
                writtenAt.append((k.now.value, k.deltaCount))
            }
        })
        let reader = k.addProcess("r", Fn {
            while fifo.canRead { readAt.append((k.now.value, k.deltaCount, fifo.read())) }
        })
        fifo.bindWriter(writer)
        fifo.bindReader(reader)
        let start = k.addEvent("start", triggering: writer)
        k.notify(start, after: 5)
        _ = try k.run()
        // Capacity 1: write (delta 0), read (delta 1), write (delta 2), read (delta 3), …
        #expect(writtenAt.map(\.0) == [5, 5, 5])
        #expect(writtenAt.map(\.1) == [0, 2, 4])
        #expect(readAt.map(\.2) == [10, 20, 30])
        #expect(readAt.map(\.1) == [1, 3, 5])
        #expect(fifo.peakOccupancy == 1)
    }

    @Test func readerSeesOnlyCommittedItems() throws {
        let k = EventQueueKernel()
        let fifo = Fifo<Int>("f", capacity: 4, kernel: k)
        final class Fn: SimProcess {
            let body: () -> Void
            init(_ b: @escaping () -> Void) { body = b }
            func evaluate() { body() }
        }
        var seenInSameDelta = -1
        let both = k.addProcess("both", Fn {
            if k.deltaCount == 0 {
                fifo.write(1)
                fifo.write(2)
                seenInSameDelta = fifo.readableCount
            }
        })
        var readable: [Int] = []
        let reader = k.addProcess("r", Fn { readable.append(fifo.readableCount) })
        fifo.bindWriter(both)
        fifo.bindReader(reader)
        k.notify(k.addEvent("go", triggering: both), after: .zero)
        _ = try k.run()
        #expect(seenInSameDelta == 0)
        #expect(readable == [2])
        #expect(fifo.freeCount == 2)
    }
}
