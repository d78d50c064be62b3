import Foundation

/// Runs independent items on all cores (`DispatchQueue.concurrentPerform`) and returns their
/// results in item order, so every reduction afterwards happens in a fixed order: results do
/// not depend on the number of threads.
enum Parallel {
    /// Where each item writes its own slot: no two items share one.
    private final class Slots<T>: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<T?>
        init(_ count: Int) {
            buffer = .allocate(capacity: count)
            buffer.initialize(repeating: nil)
        }
        deinit {
            buffer.deinitialize()
            buffer.deallocate()
        }
    }

    static func map<T>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let slots = Slots<T>(count)
        DispatchQueue.concurrentPerform(iterations: count) { i in slots.buffer[i] = body(i) }
        return slots.buffer.map { $0! }
    }
}
