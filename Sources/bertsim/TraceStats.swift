import ArgumentParser
import BertSimCore
import BertSimWorkload
import Foundation

/// `bertsim trace stats TRACE`: count, mean, nearest-rank percentiles, padding waste and a
/// histogram of the request lengths (docs/workloads.md, "Trace statistics").
struct TraceStats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Summarize a trace's lengths: count, mean, percentiles, padding waste, histogram.")

    @Argument(help: "The trace (docs/trace-format.md).")
    var trace: String

    @Option(help: ArgumentHelp("Report the waste of padding every request to this length (default: the model's max positions).", valueName: "tokens"))
    var padTo: Int?

    @Option(help: ArgumentHelp("Report the waste of padding each closed batch of this many requests to its longest (default: the trace's batch:).", valueName: "requests"))
    var batch: Int?

    func validate() throws {
        if let padTo, padTo < 1 { throw InputError(file: "--pad-to", "must be at least 1, not \(padTo)") }
        if let batch, batch < 1 { throw InputError(file: "--batch", "must be at least 1, not \(batch)") }
    }

    func run() throws {
        let (header, s) = try TraceStatistics.read(path: trace, padTo: padTo, batch: batch)
        var out = "trace: \(trace)\n"
        out += "model: \(header.model.headerValue)\n"
        if let source = header.source { out += "source: \(source)\n" }
        if let b = header.batch {
            out += "arrivals: closed batches of \(b)\n"
        } else {
            out += "arrivals: open\n"
        }
        out += "count: \(s.count)\n"
        out += "tokens: \(s.tokens)\n"
        guard let mean = s.mean, let minimum = s.minimum, let maximum = s.maximum else {
            writeStandardOutput(out + "(no requests)\n")
            return
        }
        out += String(format: "mean: %.1f\n", mean)
        out += "min: \(minimum)\n"
        for p in [50.0, 90.0, 99.0] { out += "p\(Int(p)): \(s.percentile(p)!)\n" }
        out += "max: \(maximum)\n"
        if let first = s.firstArrivalNs, let last = s.lastArrivalNs {
            out += "first_arrival_ns: \(first)\n"
            out += "last_arrival_ns: \(last)\n"
            if header.batch == nil && last > 0 { out += String(format: "rate: %.1f requests/s (count / last arrival)\n", Double(s.count) / Double(last) * 1e9) }
        }
        let fixed = s.paddedToLength
        out += "waste at pad-to \(s.padTo): \(percent(fixed))"
        if fixed.longer > 0 {
            out += "; \(fixed.longer) requests longer than \(s.padTo) counted at their own length"
        }
        out += "\n"
        if let perBatch = s.paddedPerBatch, let b = s.batch {
            out += "waste per batch of \(b): \(percent(perBatch)); \(perBatch.batches) batches, each padded to its longest\n"
        } else {
            out += "waste per batch: none (open arrivals: each request alone; --batch B groups consecutive requests)\n"
        }
        out += histogram(s)
        writeStandardOutput(out)
    }

    private func percent(_ w: TraceStatistics.PaddingWaste) -> String {
        String(format: "%.1f%% (%d pad tokens in %d token slots)", w.fraction * 100, w.padding, w.slots)
    }

    /// One line per bucket from the shortest request's to the longest's: the length range, the
    /// count, the share, and a bar of up to 50 `#` (any non-empty bucket shows at least one).
    private func histogram(_ s: TraceStatistics) -> String {
        let width = s.bucketWidth()
        let h = s.histogram(bucketWidth: width)
        let largest = h.counts.max() ?? 0
        var out = "histogram: tokens, \(width) per bucket\n"
        let labels = h.counts.indices.map { i in width == 1 ? "\(i + 1)" : "\(i * width + 1)-\((i + 1) * width)" }
        let labelWidth = labels.map(\.count).max() ?? 0
        let countWidth = String(largest).count
        let first = (s.minimum! - 1) / width
        for (i, n) in h.counts.enumerated() where i >= first {
            let bar = String(repeating: "#", count: largest == 0 ? 0 : (n * 50 + largest - 1) / largest)
            let label = String(repeating: " ", count: labelWidth - labels[i].count) + labels[i]
            let number = String(repeating: " ", count: countWidth - String(n).count) + String(n)
            out += "  \(label) \(number) " + String(format: "%5.1f%%", Double(n) / Double(s.count) * 100)
                + (bar.isEmpty ? "" : " " + bar) + "\n"
        }
        return out
    }
}
