import BertSimCore

/// Reads a trace (docs/trace-format.md) as a stream: the header at once, then one request per
/// call, so a million-request trace needs no more memory than a short one. Every problem is
/// an ``InputError`` naming the file, the line and the field.
public final class TraceReader {
    public let path: String
    public let header: TraceHeader
    private let lines: LineReader
    private var pending: (bytes: ArraySlice<UInt8>, line: Int)?
    private var previousID: Int?
    private var previousArrival = 0
    private var previousLine = 0
    public private(set) var requestsRead = 0
    private var finished = false

    public init(path: String) throws(InputError) {
        self.path = path
        lines = try LineReader(path: path)
        var version: Int?
        var model: ModelSpec?
        var source: String?
        var batch: Int?
        var requests: Int?
        var seen: Set<String> = []
        var sawContent = false
        while let raw = try lines.nextLine() {
            let line = lines.lineNumber
            let text = try Self.decode(raw, path: path, line: line)
            let trimmed = text.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            sawContent = true
            guard let v = version else {
                version = try Self.parseVersion(trimmed, path: path, line: line)
                continue
            }
            _ = v
            if let first = trimmed.utf8.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) {
                pending = (raw, line)
                break
            }
            guard let colon = trimmed.firstIndex(of: ":") else {
                throw InputError(file: path, line: line, "expected a 'key: value' header line or a request line, found '\(trimmed.prefix(40))'")
            }
            let key = String(trimmed[..<colon]).trimmingWhitespace()
            let value = String(trimmed[trimmed.index(after: colon)...]).trimmingWhitespace()
            guard !seen.contains(key) || !["model", "source", "batch", "requests"].contains(key) else {
                throw InputError(file: path, line: line, field: key, "given twice")
            }
            seen.insert(key)
            switch key {
            case "model":
                do {
                    model = try ModelSpec.parse(value)
                } catch {
                    throw InputError(file: path, line: line, field: "model", error.message)
                }
            case "source":
                source = value
            case "batch":
                guard let b = Int(value), b >= 1, b <= 1 << 20 else {
                    throw InputError(file: path, line: line, field: "batch", "must be an integer in 1...\(1 << 20), not '\(value)'")
                }
                batch = b
            case "requests":
                guard let n = Int(value), n >= 0 else {
                    throw InputError(file: path, line: line, field: "requests", "must be a non-negative integer, not '\(value)'")
                }
                requests = n
            default:
                throw InputError(file: path, line: line, field: key,
                                 "unknown header key (known: model, source, batch, requests)")
            }
        }
        guard sawContent, let version else {
            throw InputError(file: path, line: max(lines.lineNumber, 1), "empty trace: no version line 'bertsim-trace \(TraceHeader.currentVersion)'")
        }
        guard let model else {
            throw InputError(file: path, line: pending?.line ?? lines.lineNumber, field: "model", "missing: the header must name the model")
        }
        header = TraceHeader(version: version, model: model, source: source, batch: batch, requests: requests)
    }

    /// The line of the most recently returned request.
    public var currentLine: Int { previousLine }

    /// The next request, or nil at the end of the trace.
    public func next() throws(InputError) -> Request? {
        while true {
            let raw: ArraySlice<UInt8>
            let line: Int
            if let p = pending {
                (raw, line) = p
                pending = nil
            } else {
                guard !finished, let r = try lines.nextLine() else {
                    return try end()
                }
                raw = r
                line = lines.lineNumber
            }
            if let request = try parseRequest(raw, line: line) {
                requestsRead += 1
                previousLine = line
                return request
            }
        }
    }

    /// Reads every remaining request (for small traces and tests).
    public func readAll() throws(InputError) -> [Request] {
        var all: [Request] = []
        while let r = try next() { all.append(r) }
        return all
    }

    private func end() throws(InputError) -> Request? {
        if !finished {
            finished = true
            if let announced = header.requests, announced != requestsRead {
                throw InputError(file: path, line: lines.lineNumber, field: "requests",
                                 "header announces \(announced) requests but the file has \(requestsRead) (truncated?)")
            }
        }
        return nil
    }

    private func parseRequest(_ raw: ArraySlice<UInt8>, line: Int) throws(InputError) -> Request? {
        if raw.contains(0) { throw InputError(file: path, line: line, "binary data (NUL byte), not a trace line") }
        // Fast path: ASCII fields separated by spaces or tabs.
        // The first five fields' bounds stay on the stack, so a line costs no allocation.
        var fields = FieldList(raw: raw)
        var i = raw.startIndex
        while i < raw.endIndex {
            while i < raw.endIndex && (raw[i] == 0x20 || raw[i] == 0x09) { i += 1 }
            if i == raw.endIndex { break }
            if raw[i] == UInt8(ascii: "#") && fields.count == 0 { return nil }
            let s = i
            while i < raw.endIndex && raw[i] != 0x20 && raw[i] != 0x09 { i += 1 }
            fields.append(s..<i)
        }
        if fields.count == 0 { return nil }
        if raw.contains(where: { $0 >= 0x80 }) {
            _ = try Self.decode(raw, path: path, line: line)
        }
        guard fields.count >= 3 else {
            let names = ["id", "arrival_ns", "tokens"]
            throw InputError(file: path, line: line, field: names[fields.count],
                             "truncated line: expected 'id arrival_ns tokens [task]', found \(fields.count) field\(fields.count == 1 ? "" : "s")")
        }
        guard fields.count <= 4 else {
            throw InputError(file: path, line: line, field: "field \(fields.count > 4 ? 5 : fields.count)",
                             "unknown field '\(String(decoding: fields[4], as: UTF8.self))': a request line is 'id arrival_ns tokens [task]'")
        }
        let id = try integer(fields[0], field: "id", line: line)
        let arrival = try integer(fields[1], field: "arrival_ns", line: line)
        let tokens = try integer(fields[2], field: "tokens", line: line)
        if let previousID, id <= previousID {
            throw InputError(file: path, line: line, field: "id",
                             id == previousID ? "duplicate id \(id) (also on line \(previousLine))"
                                              : "id \(id) is lower than the previous id \(previousID): ids must increase")
        }
        if arrival < previousArrival {
            throw InputError(file: path, line: line, field: "arrival_ns",
                             "arrival \(arrival) ns goes back in time (previous request arrived at \(previousArrival) ns)")
        }
        guard tokens >= 1 && tokens <= header.model.maxPositions else {
            throw InputError(file: path, line: line, field: "tokens",
                             "length \(tokens) is outside 1...\(header.model.maxPositions) (the model's max positions)")
        }
        var task: String?
        if fields.count == 4 {
            let t = fields[3]
            guard t.allSatisfy({ Self.isTaskByte($0) }) else {
                throw InputError(file: path, line: line, field: "task", "must match [A-Za-z0-9_.-]+")
            }
            task = String(decoding: t, as: UTF8.self)
        }
        previousID = id
        previousArrival = arrival
        return Request(id: id, arrivalNs: arrival, tokens: tokens, task: task)
    }

    /// The fields of one request line as slices of it: the bounds of the first five (one more
    /// than a valid line has) and how many there are in all.
    private struct FieldList {
        let raw: ArraySlice<UInt8>
        private var bounds: (Range<Int>, Range<Int>, Range<Int>, Range<Int>, Range<Int>) = (0..<0, 0..<0, 0..<0, 0..<0, 0..<0)
        private(set) var count = 0

        init(raw: ArraySlice<UInt8>) { self.raw = raw }

        mutating func append(_ r: Range<Int>) {
            switch count {
            case 0: bounds.0 = r
            case 1: bounds.1 = r
            case 2: bounds.2 = r
            case 3: bounds.3 = r
            case 4: bounds.4 = r
            default: break
            }
            count += 1
        }

        subscript(i: Int) -> ArraySlice<UInt8> {
            switch i {
            case 0: raw[bounds.0]
            case 1: raw[bounds.1]
            case 2: raw[bounds.2]
            case 3: raw[bounds.3]
            default: raw[bounds.4]
            }
        }
    }

    static func isTaskByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
            || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") || b == UInt8(ascii: "-")
    }

    private func integer(_ bytes: ArraySlice<UInt8>, field: String, line: Int) throws(InputError) -> Int {
        var value = 0
        guard !bytes.isEmpty, bytes.count <= 18 else {
            throw InputError(file: path, line: line, field: field,
                             "'\(String(decoding: bytes.prefix(24), as: UTF8.self))' is not a non-negative integer")
        }
        for b in bytes {
            guard b >= 0x30 && b <= 0x39 else {
                throw InputError(file: path, line: line, field: field,
                                 "'\(String(decoding: bytes.prefix(24), as: UTF8.self))' is not a non-negative integer")
            }
            value = value * 10 + Int(b - 0x30)
        }
        return value
    }

    static func decode(_ raw: ArraySlice<UInt8>, path: String, line: Int) throws(InputError) -> String {
        if raw.contains(0) { throw InputError(file: path, line: line, "binary data (NUL byte), not a trace") }
        guard let s = String(validating: raw, as: UTF8.self) else {
            throw InputError(file: path, line: line, "not valid UTF-8 text")
        }
        return s
    }

    static func parseVersion(_ text: String, path: String, line: Int) throws(InputError) -> Int {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 2, words[0] == "bertsim-trace" else {
            throw InputError(file: path, line: line, field: "version",
                             "missing version line: expected 'bertsim-trace \(TraceHeader.currentVersion)', found '\(text.prefix(40))'")
        }
        guard let v = Int(words[1]), v == TraceHeader.currentVersion else {
            throw InputError(file: path, line: line, field: "version",
                             "unsupported trace version '\(words[1])' (this bertsim reads version \(TraceHeader.currentVersion))")
        }
        return v
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
