/// A growable buffer of records owned by one kernel, indexed without copy-on-write checks.
///
/// The native kernel touches a few records per event; Swift arrays stored in a class check
/// uniqueness on every write, which cost about a tenth of the event loop. Records are only
/// appended (during elaboration) and never removed; the owner frees the memory with
/// ``deallocate()``.
struct SlotBuffer<Element> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init() {
        capacity = 16
        base = .allocate(capacity: capacity)
    }

    mutating func append(_ element: Element) {
        if count == capacity {
            let grown = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
            grown.moveInitialize(from: base, count: count)
            base.deallocate()
            base = grown
            capacity *= 2
        }
        (base + count).initialize(to: element)
        count += 1
    }

    @inline(__always)
    subscript(index: Int) -> Element {
        get {
            assert(index >= 0 && index < count)
            return base[index]
        }
        nonmutating set {
            assert(index >= 0 && index < count)
            base[index] = newValue
        }
    }

    /// A pointer to the record at `index`, for in-place updates.
    @inline(__always)
    func pointer(_ index: Int) -> UnsafeMutablePointer<Element> {
        assert(index >= 0 && index < count)
        return base + index
    }

    func deallocate() {
        base.deinitialize(count: count)
        base.deallocate()
    }
}
