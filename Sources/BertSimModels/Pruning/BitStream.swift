/// Writes fields of any width into bytes, least significant bit first: bit j of the stream is
/// bit j mod 8 of byte j / 8, and a field's bit 0 comes first (docs/hp-format.md).
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private(set) var bitCount = 0

    /// Writes the low `width` bits of `value` (two's complement for negative values).
    mutating func write(_ value: Int, width: Int) {
        guard width > 0 else { return }
        let v = UInt64(bitPattern: Int64(value))
        for i in 0..<width {
            if bitCount % 8 == 0 { bytes.append(0) }
            if (v >> UInt64(i)) & 1 == 1 { bytes[bytes.count - 1] |= UInt8(1) << UInt8(bitCount % 8) }
            bitCount += 1
        }
    }

    /// Pads with zero bits to a byte boundary.
    mutating func alignToByte() { bitCount = bytes.count * 8 }

    /// Pads with zero bytes to a multiple of `alignment` bytes.
    mutating func align(to alignment: Int) {
        alignToByte()
        while bytes.count % alignment != 0 { bytes.append(0) }
        bitCount = bytes.count * 8
    }
}

/// Reads what ``BitWriter`` wrote.
struct BitReader {
    let bytes: [UInt8]
    private(set) var bit: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        bit = 0
    }

    /// An unsigned field of `width` bits, or nil past the end.
    mutating func read(_ width: Int) -> Int? {
        guard width > 0 else { return 0 }
        guard bit + width <= bytes.count * 8 else { return nil }
        var v: UInt64 = 0
        for i in 0..<width {
            let b = bit + i
            if (bytes[b / 8] >> UInt8(b % 8)) & 1 == 1 { v |= UInt64(1) << UInt64(i) }
        }
        bit += width
        return Int(v)
    }

    /// A two's-complement field of `width` bits.
    mutating func readSigned(_ width: Int) -> Int? {
        guard let u = read(width) else { return nil }
        return width > 0 && u >> (width - 1) == 1 ? u - (1 << width) : u
    }

    /// Skips to the next byte boundary; false if a skipped bit is set.
    mutating func alignToByte() -> Bool {
        var clean = true
        while bit % 8 != 0 {
            if (bytes[bit / 8] >> UInt8(bit % 8)) & 1 == 1 { clean = false }
            bit += 1
        }
        return clean
    }

    /// Skips zero bytes to a multiple of `alignment`; false if a skipped byte is not zero or the
    /// data ends first.
    mutating func align(to alignment: Int) -> Bool {
        guard alignToByte() else { return false }
        while (bit / 8) % alignment != 0 {
            guard bit / 8 < bytes.count, bytes[bit / 8] == 0 else { return false }
            bit += 8
        }
        return true
    }
}
