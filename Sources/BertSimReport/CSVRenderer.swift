import BertSimCore
import BertSimModels
import Foundation

/// Renders a report as one CSV file per category (`totals`, `stages`, `bubbles`, `memory`,
/// `resources`), SCALE-Sim style: a header row, then one row per item, raw numbers (no
/// thousands separators, no units in cells; the units are in the column names). Every row
/// starts with the config path, so files of several runs concatenate. Columns:
/// docs/reports.md.
public enum CSVRenderer {
    /// The file names, in the order they are written.
    public static let files = ["totals.csv", "stages.csv", "bubbles.csv", "memory.csv", "resources.csv"]

    /// Every file's name and contents.
    public static func render(_ r: RunReport) -> [(name: String, contents: String)] {
        [("totals.csv", totals(r)), ("stages.csv", stages(r)), ("bubbles.csv", bubbles(r)),
         ("memory.csv", memory(r)), ("resources.csv", resources(r))]
    }

    /// Writes every file into `directory` (created if missing), each atomically.
    public static func write(_ r: RunReport, to directory: String) throws(OutputError) {
        try AtomicFile.makeDirectory(directory)
        for (name, contents) in render(r) {
            try AtomicFile.write(contents, to: URL(fileURLWithPath: directory).appendingPathComponent(name).path)
        }
    }

    /// The power terms' names (docs/power.md), in report order.
    static let powerTermNames = PowerTerms<Watts>(staticPower: 0, processingSystem: 0, clockTree: 0, dynamic: 0, memoryInterface: 0,
                                                  dram: 0, board: 0).named.map(\.name)

    /// One row: run totals, the latency distribution, and power by term.
    static func totals(_ r: RunReport) -> String {
        let power = r.power
        let header = ["config", "config_hash", "trace", "kernel", "requests", "tokens", "cycles", "clock_mhz",
                      "latency_ms", "throughput_per_s", "latency_mean_ms", "latency_p50_ms", "latency_p90_ms",
                      "latency_p99_ms", "latency_max_ms", "energy_mj", "energy_per_inference_mj", "average_w",
                      "inferences_per_s_per_w"] + powerTermNames.map { $0 + Watts.suffix }
        let t = r.totals
        let l = r.latency
        let row = [r.config.path, r.config.hash, r.workload.path, r.simulator.kernel.rawValue, int(t.requests), int(t.tokens),
                   int(t.cycles), number(t.clockMhz), number(t.latencyMs), number(t.throughputPerS), number(l.meanMs),
                   number(l.p50Ms), number(l.p90Ms), number(l.p99Ms), number(l.maxMs), number(t.energyMj),
                   number(power?.energyPerInferenceMJ), number(power?.averageW), number(power?.inferencesPerSPerW)]
            + powerTermNames.indices.map { i in number(power?.watts.named[i].value) }
        return table([header, row])
    }

    /// One row per stage.
    static func stages(_ r: RunReport) -> String {
        var rows = [["config", "stage", "busy_cycles", "bubble_cycles", "elapsed_cycles", "utilization", "lane_utilization"]]
        for s in r.stages {
            rows.append([r.config.path, s.name, int(s.busyCycles), int(s.bubbles.total), int(s.elapsedCycles),
                         number(s.utilization), number(s.laneUtilization)])
        }
        return table(rows)
    }

    /// One row per stage and bubble cause (all seven, zeros included).
    static func bubbles(_ r: RunReport) -> String {
        var rows = [["config", "stage", "cause", "cycles", "share", "intervals"]]
        for s in r.stages {
            for cause in BubbleCause.allCases {
                let cycles = s.bubbles[cause]
                rows.append([r.config.path, s.name, cause.rawValue, int(cycles),
                             number(s.elapsedCycles == 0 ? 0 : Double(cycles) / Double(s.elapsedCycles)),
                             int(s.bubbleIntervals[cause])])
            }
        }
        return table(rows)
    }

    /// Bytes per tensor class (`scope` = `class`, sorted by name), then per channel
    /// (`scope` = `channel`, in report order). Header only when memory is not modelled.
    static func memory(_ r: RunReport) -> String {
        var rows = [["config", "kind", "scope", "name", "bytes", "transactions", "busy_cycles"]]
        if let m = r.memory {
            for (name, bytes) in m.bytesByClass.sorted(by: { $0.key < $1.key }) {
                rows.append([r.config.path, m.kind, "class", name, int(bytes), "", ""])
            }
            for c in m.channels {
                rows.append([r.config.path, m.kind, "channel", c.name, int(c.bytes), int(c.transactions), int(c.busyCycles)])
            }
        }
        return table(rows)
    }

    /// One row per unit of the estimate, then `total` (used) and `available` (the board's
    /// budget). Header only without a board.
    static func resources(_ r: RunReport) -> String {
        var rows = [["config", "board", "device", "unit", "dsp", "bram18k", "uram", "lut", "ff"]]
        if let res = r.resources {
            let prefix = [r.config.path, res.board, res.device]
            for p in res.byUnit {
                rows.append(prefix + [p.unit, int(p.dsp), int(p.bram18k), int(p.uram), int(p.lut), int(p.ff)])
            }
            rows.append(prefix + ["total"] + [res.dsp, res.bram18k, res.uram, res.lut, res.ff].map { int($0.used) })
            rows.append(prefix + ["available"] + [res.dsp, res.bram18k, res.uram, res.lut, res.ff].map { int($0.available) })
        }
        return table(rows)
    }

    /// Rows joined with commas and `\n`, every field quoted as RFC 4180 requires.
    public static func table(_ rows: [[String]]) -> String {
        rows.map { $0.map(field).joined(separator: ",") + "\n" }.joined()
    }

    /// A field, quoted (with doubled quotes) when it holds a comma, quote or line break.
    public static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func int(_ n: Int) -> String { String(n) }

    /// The shortest text that reads back as the same double (`36.594528`, `0.25`, `3`); empty
    /// for a missing value.
    public static func number(_ x: Double?) -> String {
        guard let x else { return "" }
        if x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) }
        return "\(x)"
    }
}
