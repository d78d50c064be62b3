import ArgumentParser
import BertSimCore
import BertSimWorkload
import Foundation

/// Requests per second of the streaming ``TraceReader`` and the peak memory of the process.
///
/// Generates an open-arrival trace of N requests (lengths cycled from a length file, Poisson at
/// 1,000 requests/s, seed 1) into a temporary file, or takes an existing one with `--path`,
/// then reads it start to end with a fresh reader per repetition. Run one size per process:
/// peak resident memory (VmHWM) is per process, and it should not grow with N.
struct TraceBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace-read", abstract: "Trace reader throughput (requests/s) and peak memory.")

    @Option(help: "Requests in the generated trace.") var requests = 1_000_000
    @Option(help: "Read this trace instead of generating one.") var path: String?
    @Option(help: "Lengths of the generated trace (one per line, cycled).") var lengths = "data/seq-lengths/sst2.txt"
    @Option(help: "Repetitions (the median is reported).") var repetitions = 5

    func validate() throws {
        if requests < 1 { throw InputError(file: "--requests", "must be at least 1, not \(requests)") }
        if repetitions < 1 { throw InputError(file: "--repetitions", "must be at least 1, not \(repetitions)") }
    }

    func run() throws {
        var file = path
        var generatedPath: String?
        if file == nil {
            let p = FileManager.default.temporaryDirectory.appendingPathComponent("bertsim-bench-\(UUID()).trace").path
            let generator = TraceGenerator(lengths: .empirical(try LengthList(path: lengths), shuffled: false),
                                           arrivals: .poisson(rate: 1000), count: requests, seed: 1)
            let started = DispatchTime.now().uptimeNanoseconds
            try generator.write(to: p)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            print(String(format: "trace generate: %@requests/s (%d requests, %.2f s)",
                         formatRate(Double(requests) / seconds), requests, seconds))
            file = p
            generatedPath = p
        }
        defer { if let generatedPath { try? FileManager.default.removeItem(atPath: generatedPath) } }
        let tracePath = file!
        let bytes = (try? FileManager.default.attributesOfItem(atPath: tracePath)[.size] as? Int) ?? 0
        var read = 0
        var tokens = 0
        let m = try measure("trace-read", repetitions: repetitions) {
            let reader = try TraceReader(path: tracePath)
            read = 0
            tokens = 0
            while let r = try reader.next() {
                read += 1
                tokens += r.tokens
            }
        }
        if path == nil && read != requests {
            throw InputError(file: tracePath, "read \(read) requests, expected \(requests)")
        }
        print(String(format: "trace read: %@requests/s, %.1f MB/s (median of %d × %d requests, %d tokens, %.1f MB)",
                     formatRate(Double(read) / m.median), Double(bytes) / m.median / 1e6, repetitions, read, tokens,
                     Double(bytes) / 1e6))
        print(String(format: "trace peak memory: %.1f MiB resident (VmHWM of this process, %d requests)",
                     peakResidentMiB() ?? .nan, read))
    }
}
