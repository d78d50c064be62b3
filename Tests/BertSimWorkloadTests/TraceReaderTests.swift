import BertSimCore
import Foundation
import Testing
@testable import BertSimWorkload

/// Writes `bytes` to a temporary trace file and returns its path.
func traceFile(_ bytes: [UInt8]) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("t-\(UUID()).trace").path
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

func traceFile(_ text: String) -> String { traceFile(Array(text.utf8)) }

/// Reads the whole trace and returns the first error.
func traceError(_ text: String) -> InputError? { traceError(Array(text.utf8)) }

func traceError(_ bytes: [UInt8]) -> InputError? {
    let path = traceFile(bytes)
    defer { try? FileManager.default.removeItem(atPath: path) }
    do {
        _ = try TraceReader(path: path).readAll()
        return nil
    } catch {
        return error
    }
}

let header = "bertsim-trace 1\nmodel: bert-base\n"

@Suite struct TraceReaderTests {
    @Test func readsHeaderAndRequests() throws {
        let path = traceFile(header + "source: hand-made\nbatch: 2\nrequests: 3\n# id arrival_ns tokens task\n0 0 12 sst2\n1 5\t7\n\n3 5 512 x.y-z\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try TraceReader(path: path)
        #expect(r.header.model == .bertBase)
        #expect(r.header.batch == 2)
        #expect(r.header.source == "hand-made")
        #expect(try r.readAll() == [
            Request(id: 0, arrivalNs: 0, tokens: 12, task: "sst2"),
            Request(id: 1, arrivalNs: 5, tokens: 7),
            Request(id: 3, arrivalNs: 5, tokens: 512, task: "x.y-z"),
        ])
    }

    @Test func customModel() throws {
        let path = traceFile("bertsim-trace 1\nmodel: custom layers=2 hidden=64 heads=2 head_size=32 ffn=256 max_positions=16\n0 0 16\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try TraceReader(path: path)
        #expect(r.header.model.hidden == 64)
        #expect(r.header.model.headerValue.hasPrefix("custom layers=2"))
    }

    @Test func missingVersion() {
        let e = traceError("model: bert-base\n0 0 5\n")
        #expect(e?.line == 1)
        #expect(e?.field == "version")
    }

    @Test func wrongVersion() {
        let e = traceError("# c\nbertsim-trace 2\nmodel: bert-base\n")
        #expect(e?.line == 2)
        #expect(e?.message.contains("unsupported trace version '2'") == true)
    }

    @Test func emptyFile() {
        #expect(traceError("")?.message.hasPrefix("empty trace") == true)
        #expect(traceError("# only a comment\n\n")?.message.hasPrefix("empty trace") == true)
    }

    @Test func zeroLength() {
        let e = traceError(header + "0 0 0\n")
        #expect(e?.line == 3)
        #expect(e?.field == "tokens")
    }

    @Test func lengthAboveMaxPositions() {
        let e = traceError(header + "0 0 513\n")
        #expect(e?.line == 3)
        #expect(e?.message == "length 513 is outside 1...512 (the model's max positions)")
    }

    @Test func arrivalsGoingBack() {
        let e = traceError(header + "0 10 5\n1 9 5\n")
        #expect(e?.line == 4)
        #expect(e?.field == "arrival_ns")
    }

    @Test func duplicateIDs() {
        let e = traceError(header + "0 0 5\n1 0 5\n1 0 5\n")
        #expect(e?.line == 5)
        #expect(e?.message == "duplicate id 1 (also on line 4)")
    }

    @Test func unknownField() {
        let e = traceError(header + "0 0 5 sst2 extra\n")
        #expect(e?.line == 3)
        #expect(e?.message.hasPrefix("unknown field 'extra'") == true)
    }

    @Test func unknownHeaderKey() {
        let e = traceError(header + "precision: int8\n0 0 5\n")
        #expect(e?.line == 3)
        #expect(e?.field == "precision")
    }

    @Test func truncatedLine() {
        let e = traceError(header + "0 0 5\n1 7")
        #expect(e?.line == 4)
        #expect(e?.field == "tokens")
        #expect(e?.message.hasPrefix("truncated line") == true)
    }

    @Test func announcedCountCatchesTruncatedFile() {
        let e = traceError(header + "requests: 3\n0 0 5\n1 0 5\n")
        #expect(e?.field == "requests")
    }

    @Test func notUTF8() {
        let e = traceError(Array((header + "0 0 5 caf").utf8) + [0xC3, 0x28] + [0x0A])
        #expect(e?.line == 3)
        #expect(e?.message == "not valid UTF-8 text")
    }

    @Test func binaryGarbage() {
        var bytes: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00]
        var rng = SplitMix64(seed: 1)
        for _ in 0..<5000 { bytes.append(UInt8(truncatingIfNeeded: rng.next())) }
        let e = traceError(bytes)
        #expect(e != nil)
        #expect(e?.line != nil)
    }

    @Test func binaryAfterHeader() {
        let e = traceError(Array((header + "0 0 5\n").utf8) + [0x31, 0x00, 0x20, 0x0A])
        #expect(e?.line == 4)
        #expect(e?.message.contains("binary") == true)
    }

    @Test func badModel() {
        #expect(traceError("bertsim-trace 1\nmodel: gpt-5\n")?.field == "model")
        #expect(traceError("bertsim-trace 1\nmodel: custom layers=2 hidden=64\n")?.message == "custom model lacks heads=")
        #expect(traceError("bertsim-trace 1\nmodel: custom layers=2 hidden=65 heads=2 head_size=32 ffn=1 max_positions=8\n")?.field == "model")
        #expect(traceError("bertsim-trace 1\n0 0 5\n")?.field == "model")
    }

    @Test func nonIntegerFields() {
        #expect(traceError(header + "0 -1 5\n")?.field == "arrival_ns")
        #expect(traceError(header + "0 0 5\nx 0 5\n")?.field == "id")
        #expect(traceError(header + "x 0 5\n")?.message.hasPrefix("expected a 'key: value' header line") == true)
        #expect(traceError(header + "0 0 5.5\n")?.field == "tokens")
        #expect(traceError(header + "0 0 99999999999999999999999\n")?.field == "tokens")
    }

    @Test func writerRoundTrips() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("w-\(UUID()).trace").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let requests = (0..<100).map { Request(id: $0, arrivalNs: $0 * 37, tokens: 1 + $0 % 60, task: $0 % 3 == 0 ? "t" : nil) }
        let w = try TraceWriter(path: path, header: TraceHeader(model: .bertBase, source: "test", batch: 4, requests: 100))
        for r in requests { w.write(r) }
        try w.finish()
        let r = try TraceReader(path: path)
        #expect(r.header.batch == 4)
        #expect(try r.readAll() == requests)
    }
}
