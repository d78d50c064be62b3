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
/// run gives the same bytes. The file is written under a temporary name and renamed into
/// place when finished.
public final class VCDWriter {
    private struct Variable {
        var name: String
        var width: Int
        var code: String
    }

    public let path: String
    private let temporaryPath: String
    private var variables: [Variable] = []
    private var last: [UInt64] = []
    private var buffer: [UInt8] = []
    private var handle: FileHandle?
    private var lastTime: Int = -1
    private var started = false
    private var done = false

    /// Opens `path` for writing (through a temporary file next to it).
    public init(path: String) throws {
        self.path = path
        self.temporaryPath = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil),
            let handle = FileHandle(forWritingAtPath: temporaryPath)
        else {
            throw InputError(file: path, field: "--vcd", "cannot create the VCD file")
        }
        self.handle = handle
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

    /// Records the values at the end of the time step at `time`.
    public func sample(at time: Cycle, _ values: ContiguousArray<UInt64>) {
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
        if buffer.count > 1 << 16 { flush() }
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

    /// Ends the dump (`#T`, one past the last time step) and moves the file into place.
    public func finish() {
        guard !done else { return }
        done = true
        if !started { begin() }
        append("\n#\(lastTime + 1)\n")
        flush()
        try? handle?.close()
        handle = nil
        _ = try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.moveItem(atPath: temporaryPath, toPath: path)
    }

    private func append(_ s: String) { buffer.append(contentsOf: s.utf8) }

    private func flush() {
        if !buffer.isEmpty {
            handle?.write(Data(buffer))
            buffer.removeAll(keepingCapacity: true)
        }
    }
}
