/// The native kernel's queue of timed notifications: a 4-ary min-heap on
/// (time, insertion sequence), so equal times come out in insertion order.
///
/// Hand-written rather than swift-collections' `Heap` (a min-max heap, whose extra
/// comparisons cost about a tenth of the event loop); four children per node halve the
/// depth: this is the kernel's innermost loop.
struct TimedQueue {
    struct Entry {
        /// time << 64 | sequence: one branch-free comparison orders by time, then insertion.
        var key: UInt128
        var event: Int32

        init(time: Int, sequence: UInt64, event: Int32) {
            key = UInt128(UInt64(time)) << 64 | UInt128(sequence)
            self.event = event
        }

        var time: Int { Int(truncatingIfNeeded: UInt64(truncatingIfNeeded: key >> 64)) }
        var sequence: UInt64 { UInt64(truncatingIfNeeded: key) }

        @inline(__always)
        static func precedes(_ a: Entry, _ b: Entry) -> Bool { a.key < b.key }
    }

    private var heap: ContiguousArray<Entry> = []

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    var min: Entry? { heap.first }

    mutating func insert(_ entry: Entry) {
        heap.append(entry)
        heap.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            while i > 0 {
                let parent = (i - 1) >> 2
                guard Entry.precedes(entry, h[parent]) else { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = entry
        }
    }

    mutating func popMin() -> Entry? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if heap.isEmpty { return top }
        heap.withUnsafeMutableBufferPointer { h in
            let n = h.count
            var i = 0
            while true {
                let first = 4 * i + 1
                if first >= n { break }
                var child = first
                let end = Swift.min(first + 4, n)
                var c = first + 1
                while c < end {
                    if Entry.precedes(h[c], h[child]) { child = c }
                    c += 1
                }
                guard Entry.precedes(h[child], last) else { break }
                h[i] = h[child]
                i = child
            }
            h[i] = last
        }
        return top
    }
}
