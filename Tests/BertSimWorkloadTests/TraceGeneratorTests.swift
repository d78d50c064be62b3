import BertSimCore
import Foundation
import Testing
@testable import BertSimWorkload

func temporaryTracePath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("g-\(UUID()).trace").path
}

func generated(_ g: TraceGenerator) throws(InputError) -> [Request] {
    var requests = try g.makeRequests()
    var all: [Request] = []
    while let r = try requests.next() { all.append(r) }
    return all
}

func generatorError(_ g: TraceGenerator) -> InputError? {
    do {
        _ = try generated(g)
        return nil
    } catch {
        return error
    }
}

@Suite struct TraceGeneratorTests {
    let list = LengthList(origin: "lengths.txt", lengths: [3, 5, 7])

    @Test func fullListInFileOrderReproducesTheList() throws {
        let g = TraceGenerator(lengths: .empirical(list, shuffled: false), arrivals: .closedBatches(1), count: 3, seed: 9,
                               task: "sst2")
        #expect(try generated(g) == [
            Request(id: 0, arrivalNs: 0, tokens: 3, task: "sst2"),
            Request(id: 1, arrivalNs: 0, tokens: 5, task: "sst2"),
            Request(id: 2, arrivalNs: 0, tokens: 7, task: "sst2"),
        ])
        #expect(g.header == TraceHeader(model: .bertBase, source: "token counts from lengths.txt", batch: 1, requests: 3))
    }

    @Test func cyclesWhenTheCountExceedsTheList() throws {
        let g = TraceGenerator(lengths: .empirical(list, shuffled: false), arrivals: .closedBatches(32), count: 8, seed: 0)
        #expect(try generated(g).map(\.tokens) == [3, 5, 7, 3, 5, 7, 3, 5])
        #expect(try generated(g).allSatisfy { $0.arrivalNs == 0 && $0.task == nil })
    }

    @Test func shuffleDrawsAFreshPermutationEveryPass() throws {
        let values = LengthList(origin: "l", lengths: Array(1...10))
        let g = TraceGenerator(lengths: .empirical(values, shuffled: true), arrivals: .poisson(rate: 100), count: 30, seed: 4)
        let requests = try generated(g)
        let passes = stride(from: 0, to: 30, by: 10).map { requests[$0..<$0 + 10].map(\.tokens) }
        for pass in passes { #expect(pass.sorted() == Array(1...10)) }
        #expect(passes[0] != Array(1...10))
        #expect(passes[0] != passes[1] || passes[1] != passes[2])
        #expect(try generated(g) == requests)
        // Shuffling has its own random stream: the arrivals are those of the unshuffled trace.
        var unshuffled = g
        unshuffled.lengths = .empirical(values, shuffled: false)
        #expect(try generated(unshuffled).map(\.arrivalNs) == requests.map(\.arrivalNs))
    }

    @Test func permutationsAreUniform() {
        // 6,000 shuffles of three values: each of the 6 orders expects 1,000 with a standard
        // deviation of √(6000 · 1/6 · 5/6) ≈ 28.9; accept 4 standard deviations.
        var random = SplitMix64(seed: 11)
        var seen: [[Int]: Int] = [:]
        for _ in 0..<6000 {
            var v = [0, 1, 2]
            TraceGenerator.Requests.permute(&v, using: &random)
            seen[v, default: 0] += 1
        }
        #expect(seen.count == 6)
        for (order, n) in seen { #expect(abs(n - 1000) <= 116, "\(order): \(n)") }
    }

    @Test func lengthsAboveMaxPositionsAreTruncatedAndCounted() throws {
        let long = LengthList(origin: "l", lengths: [10, 600, 513, 512])
        let g = TraceGenerator(lengths: .empirical(long, shuffled: false), arrivals: .closedBatches(1), count: 4, seed: 0)
        var requests = try g.makeRequests()
        var tokens: [Int] = []
        while let r = try requests.next() { tokens.append(r.tokens) }
        #expect(tokens == [10, 512, 512, 512])
        #expect(requests.truncated == 2)

        let tiny = try ModelSpec.parse("custom layers=2 hidden=64 heads=2 head_size=32 ffn=256 max_positions=16")
        let path = temporaryTracePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let summary = try TraceGenerator(model: tiny, lengths: .fixed(20), arrivals: .closedBatches(2), count: 5, seed: 0)
            .write(to: path)
        #expect(summary == TraceGenerator.Summary(requests: 5, truncated: 5))
        let reader = try TraceReader(path: path)
        #expect(reader.header.model == tiny)
        #expect(try reader.readAll().map(\.tokens) == [16, 16, 16, 16, 16])
    }

    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        let g = TraceGenerator(model: ModelSpec.preset("minilm-l6")!, lengths: .empirical(list, shuffled: true),
                               arrivals: .poisson(rate: 250), count: 1000, seed: 42, task: "t")
        let a = temporaryTracePath(), b = temporaryTracePath(), c = temporaryTracePath()
        defer { for p in [a, b, c] { try? FileManager.default.removeItem(atPath: p) } }
        try g.write(to: a)
        try g.write(to: b)
        var other = g
        other.seed = 43
        try other.write(to: c)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: a))
        #expect(bytes == (try Data(contentsOf: URL(fileURLWithPath: b))))
        #expect(bytes != (try Data(contentsOf: URL(fileURLWithPath: c))))
    }

    @Test func writtenTraceReadsBackAsGenerated() throws {
        let g = TraceGenerator(lengths: .empirical(list, shuffled: false), arrivals: .poisson(rate: 1e6), count: 500, seed: 3,
                               source: "hand-made; three lengths")
        let path = temporaryTracePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let summary = try g.write(to: path)
        #expect(summary == TraceGenerator.Summary(requests: 500, truncated: 0))
        let reader = try TraceReader(path: path)
        #expect(reader.header == g.header)
        #expect(reader.header.batch == nil)
        #expect(reader.header.source == "hand-made; three lengths")
        let requests = try reader.readAll()
        #expect(requests == (try generated(g)))
        #expect(requests.first!.arrivalNs > 0)
        #expect(zip(requests, requests.dropFirst()).allSatisfy { $0.arrivalNs <= $1.arrivalNs })
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("# arrivals: Poisson at 1000000 requests/s, seed 3\n"))
        #expect(!text.contains(path))
    }

    @Test func fixedLength() throws {
        let g = TraceGenerator(lengths: .fixed(128), arrivals: .closedBatches(8), count: 20, seed: 0)
        let requests = try generated(g)
        #expect(requests.count == 20)
        #expect(requests.allSatisfy { $0.tokens == 128 })
        #expect(g.header.source == "fixed length of 128 tokens")
    }

    @Test func badSettingsNameTheFlag() {
        let ok = TraceGenerator(lengths: .fixed(8), arrivals: .closedBatches(1), count: 1, seed: 0)
        var g = ok
        g.count = 0
        #expect(generatorError(g)?.file == "--count")
        g = ok
        g.lengths = .fixed(0)
        #expect(generatorError(g)?.file == "--length")
        g = ok
        g.arrivals = .closedBatches(0)
        #expect(generatorError(g)?.file == "--batch")
        for rate in [0, -5, Double.infinity, .nan, 2e9] {
            g = ok
            g.arrivals = .poisson(rate: rate)
            #expect(generatorError(g)?.file == "--rate", "\(rate)")
        }
        for task in ["", "a b", "é"] {
            g = ok
            g.task = task
            #expect(generatorError(g)?.file == "--task", "\(task)")
        }
        for source in ["", "two\nlines", " padded"] {
            g = ok
            g.source = source
            #expect(generatorError(g)?.file == "--source", "\(source)")
        }
        #expect(generatorError(ok) == nil)
    }

    @Test func arrivalsBeyond64BitsOfNanosecondsAreAnErrorAndLeaveNothing() throws {
        // At the slowest rate a gap averages 10^15 ns: about 9,200 of them fill an Int.
        let g = TraceGenerator(lengths: .fixed(8), arrivals: .poisson(rate: PoissonArrivals.minimumRate), count: 20_000, seed: 1)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("overflow-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("x.trace").path
        #expect(throws: InputError.self) { try g.write(to: path) }
        #expect(generatorError(g)?.file == "--rate")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func unwritableOutputIsAnOutputErrorAndLeavesNothing() {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("missing-\(UUID())").path
        let g = TraceGenerator(lengths: .fixed(8), arrivals: .closedBatches(1), count: 1, seed: 0)
        #expect(throws: OutputError(path: dir + "/x.trace", "the directory \(dir) does not exist")) { try g.write(to: dir + "/x.trace") }
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test func aDirectoryIsNeverReplaced() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("keep-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(FileManager.default.createFile(atPath: dir.appendingPathComponent("inside").path, contents: Data("x".utf8)))
        let g = TraceGenerator(lengths: .fixed(8), arrivals: .closedBatches(1), count: 1, seed: 0)
        #expect(throws: OutputError(path: dir.path, "is a directory")) { try g.write(to: dir.path) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["inside"])
    }

    @Test func anExistingTraceIsReplaced() throws {
        let path = temporaryTracePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data("old".utf8)))
        try TraceGenerator(lengths: .fixed(8), arrivals: .closedBatches(1), count: 2, seed: 0).write(to: path)
        #expect(try TraceReader(path: path).readAll().count == 2)
    }
}
