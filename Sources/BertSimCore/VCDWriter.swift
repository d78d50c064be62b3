import Foundation

/// Writes traced integer signals as a Value Change Dump (IEEE 1364 §18), laid out as
/// SystemC 2.3's VCD writer lays it out, so the native and SystemC kernels give the same
/// value changes (and files a waveform viewer shows the same way).
///
/// Conventions copied from SystemC: one `$scope module SystemC` around everything; a dotted
/// name `a.b.x` becomes scopes `a`, `b` and a variable `x`; identifiers `aaaaa`, `aaaab`, … in
/// declaration order; width-1 signals as scalars (`1aaaaa`), wider ones as binary vectors
/// without leading zeros (`b101 aaaab`); values sampled at the end of each time step and
/// written only for steps where something changed; the file ends with `#T` where T is one
/// past the last time step. Unlike SystemC's, the header holds no host date, so the same
/// run gives the same bytes.
///
/// The file is written as it goes through ``AtomicFile/Stream`` (a temporary file next to the
/// target, renamed over it by ``finish()``): a write error ends the dump with an
/// ``OutputError`` (thrown by ``sample(at:_:)`` or ``finish()``, and kept in ``failure``), the
/// temporary file is deleted and the target left as it was.
public final class VCDWriter {
    private struct Variable {
        var name: String
        var width: Int
        var code: String
    }

    public let path: String
    private var variables: [Variable] = []
    private var last: [UInt64] = []
    private var buffer: [UInt8] = []
    private let file: AtomicFile.Stream
    /// The first write error; the dump stopped there and the target was left as it was.
    public private(set) var failure: OutputError?
    private var lastTime: Int = -1
    private var started = false
    private var done = false

    /// Opens `path` for writing (through a temporary file next to it): fails at once when
    /// the directory does not exist or cannot be written.
    public init(path: String) throws(OutputError) {
        self.path = path
        file = try AtomicFile.Stream(path: path)
        buffer.reserveCapacity(1 << 16)
    }

    /// SystemC's identifier for the n-th declared variable: five letters, base 26.
    public static func identifier(_ n: Int) -> String {
        var digits = [UInt8](repeating: UInt8(ascii: "a"), count: 5)
        var v = n
        var i = 4
        while v > 0 && i >= 0 {
            digits[i] = UInt8(ascii: "a") + UInt8(v % 26)
            v /= 26
            i -= 1
        }
        return String(decoding: digits, as: UTF8.self)
    }

    public func declare(_ name: String, width: Int) {
        precondition(!started, "VCD variables must be declared before the run")
        precondition((1...64).contains(width), "VCD width must be 1...64")
        variables.append(Variable(name: name, width: width, code: Self.identifier(variables.count)))
        last.append(0)
    }

    /// Writes the header. Called by the kernel when elaboration ends.
    public func begin() {
        started = true
        append("$version\n bertsim VCD (SystemC 2.3 layout)\n$end\n\n$timescale\n     1 ns\n$end\n\n")
        append("$comment\n one time unit is one accelerator clock cycle\n$end\n\n")
        append("$scope module SystemC $end\n")
        writeScope(prefix: [], indices: Array(variables.indices))
        append("$upscope $end\n$enddefinitions  $end\n\n")
        append("$comment\nAll initial values are dumped below at time 0 sec = 0 timescale units.\n$end\n\n")
    }

    private func writeScope(prefix: [Substring], indices: [Int]) {
        var children: [Substring: [Int]] = [:]
        for i in indices {
            let parts = variables[i].name.split(separator: ".")
            if parts.count == prefix.count + 1 {
                let v = variables[i]
                let widthField = String(repeating: " ", count: max(0, 4 - String(v.width).count)) + "\(v.width)"
                let range = v.width == 1 ? "      " : " [\(v.width - 1):0] "
                append("$var wire \(widthField)  \(v.code)  \(parts.last!)\(range) $end\n")
            } else {
                children[parts[prefix.count], default: []].append(i)
            }
        }
        for key in children.keys.sorted() {
            append("$scope module \(key) $end\n")
            writeScope(prefix: prefix + [key], indices: children[key]!)
            append("$upscope $end\n")
        }
    }

    /// Records the values at the end of the time step at `time`; throws the first write error.
    public func sample(at time: Cycle, _ values: ContiguousArray<UInt64>) throws(OutputError) {
        if lastTime < 0 {
            append("$dumpvars\n")
            for i in variables.indices {
                writeValue(i, values[i])
                last[i] = values[i]
            }
            append("$end\n")
        } else {
            var wroteTime = false
            for i in variables.indices where values[i] != last[i] {
                if !wroteTime {
                    append("\n#\(time.value)\n")
                    wroteTime = true
                }
                writeValue(i, values[i])
                last[i] = values[i]
            }
        }
        lastTime = time.value
        if buffer.count > 1 << 16 { try flush() }
    }

    private func writeValue(_ i: Int, _ value: UInt64) {
        let v = variables[i]
        if v.width == 1 {
            append(value & 1 == 1 ? "1" : "0")
            append(v.code)
            append("\n")
        } else {
            append("b" + String(value, radix: 2) + " " + v.code + "\n")
        }
    }

    /// Ends the dump (`#T`, one past the last time step) and moves the file into place
    /// (flushed and synced first). Idempotent; after a failure it throws that failure again.
    public func finish() throws(OutputError) {
        if let failure { throw failure }
        guard !done else { return }
        done = true
        if !started { begin() }
        append("\n#\(lastTime + 1)\n")
        try flush()
        do {
            try file.commit()
        } catch {
            failure = error
            throw error
        }
    }

    private func append(_ s: String) { buffer.append(contentsOf: s.utf8) }

    private func flush() throws(OutputError) {
        if let failure { throw failure }
        guard !buffer.isEmpty else { return }
        do {
            try file.write(buffer)
        } catch {
            failure = error
            done = true
            throw error
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
