import BertSimCore
import BertSimModels
import Foundation

/// Renders a report for people: a summary, latency, and a per-stage table of busy cycles and
/// bubbles by cause, with units.
public enum TextRenderer {
    public static func render(_ r: RunReport) -> String {
        var out = ""
        func line(_ s: String = "") { out += s + "\n" }
        line("bertsim \(r.simulator.version) · \(r.designName) · \(r.simulator.kernel.rawValue) kernel")
        line("config    \(r.config.path) (hash \(r.config.hash))")
        var workload = "workload  \(r.workload.path): \(group(r.workload.requests)) requests, \(group(r.workload.tokens)) tokens, model \(r.workload.model.name)"
        if let b = r.workload.batch { workload += ", closed batches of \(b)" } else { workload += ", open arrivals" }
        line(workload)
        if let sch = r.scheduler { line("scheduler " + schedulerLine(sch)) }
        if let p = r.partial {
            line("PARTIAL   \(p.reason) at cycle \(group(p.cycle)): \(group(p.requestsCompleted)) requests completed, \(group(p.requestsUnfinished)) unfinished")
            for h in p.held { line("          \(h)") }
        }
        line()
        let t = r.totals
        line("cycles          \(group(t.cycles))  (first arrival to last completion, \(fixed(t.clockMhz, 1)) MHz)")
        line("latency         \(fixed(t.latencyMs, 3)) ms")
        line("throughput      \(fixed(t.throughputPerS, 1)) requests/s, \(fixed(Double(t.tokens) / max(t.latencyMs, 1e-9) * 1000, 0)) tokens/s")
        if let p = r.power {
            line("power           \(fixed(p.averageW, 2)) W average · \(fixed(p.energyPerInferenceMJ, 2)) mJ per inference · \(fixed(p.inferencesPerSPerW, 1)) inferences/s/W")
            line("                " + powerTerms(p.watts).map { "\($0.0) \(fixed($0.1, 2))" }.joined(separator: " · ") + " W")
        }
        if let res = r.resources {
            let cells = res.rows.map { name, u in
                "\(name) \(group(u.used))/\(group(u.available))" + (u.available > 0 ? " (\(percent(Double(u.used) / Double(u.available))))" : "")
            }
            line("resources       \(res.board) (\(res.device)): " + cells.joined(separator: " · "))
        }
        if let s = r.sparseAttention {
            line("attention mass kept: \(fixed(s.massKept.mean, 3)) mean, \(fixed(s.massKept.minimum, 3)) worst sequence (top-k of real attention; docs/sparse-attention.md)")
            line("attention speedup vs dense: \(fixed(s.attentionSpeedupVsDense, 2))× on the attention phase, \(fixed(s.endToEndSpeedupVsDense, 2))× end to end (\(group(s.denseCycles)) cycles dense)")
            line("sparse attention: exact MACs \(percent(s.exactMACRatio)) of dense, K/V bytes read \(percent(s.kvByteRatio)), \(group(s.totals.lutOps)) LUT products, \(group(s.totals.comparisons)) comparisons, \(group(s.totals.conflictCycles)) cycles of gather conflicts" + (s.clampedSequences > 0 ? "; k clamped to the length for \(s.clampedSequences) sequences" : ""))
        }
        if let p = r.pruning {
            line("pruning (\(p.pattern); docs/pruning.md): weight bytes \(group(p.weightBytes)) vs \(group(p.denseWeightBytes)) dense (\(percent(p.weightByteRatio))), \(fixed(p.speedupVsDense, 2))× vs dense (\(group(p.denseCycles)) cycles, mean latency \(fixed(p.denseMeanLatencyMs, 3)) ms dense)")
            line("sparse engine: \(p.lanes) lanes over \(p.banks) banks × \(p.portsPerBank) ports; \(group(p.bankConflictStalls)) bank-conflict stalls, \(group(p.conflictCycles)) conflict cycles, \(group(p.rowImbalanceCycles)) row-imbalance cycles; density " + p.matrices.map { "\($0.matrix) \(fixed($0.density, 3))" }.joined(separator: " · "))
        }
        let l = r.latency
        line("request latency mean \(fixed(l.meanMs, 3)) · p50 \(fixed(l.p50Ms, 3)) · p90 \(fixed(l.p90Ms, 3)) · p99 \(fixed(l.p99Ms, 3)) · max \(fixed(l.maxMs, 3)) ms")
        line()
        var rows: [[String]] = [["stage", "busy", "util"] + BubbleCause.allCases.map(\.rawValue) + ["elapsed", "lanes"]]
        for s in r.stages {
            rows.append([s.name, group(s.busyCycles), percent(s.utilization)]
                + BubbleCause.allCases.map { group(s.bubbles[$0]) }
                + [group(s.elapsedCycles), percent(s.laneUtilization)])
        }
        out += table(rows, rightAligned: Set(1..<(rows[0].count)))
        line("(cycles; util = busy ÷ elapsed; lanes = useful lane-slots ÷ lane-slots while busy)")
        if let both = r.schedulers, both.count > 1 {
            line()
            line("schedulers side by side (shares of the array stages' elapsed cycles):")
            var rows: [[String]] = [["scheduler", "cycles", "latency ms", "req/s", "p99 ms", "busy"] + BubbleCause.allCases.map(\.rawValue)]
            for x in both {
                rows.append([x.scheduler.rawValue, group(x.cycles), fixed(x.latencyMs, 3), fixed(x.throughputPerS, 1), fixed(x.p99Ms, 3),
                             percent(x.busyShare)] + BubbleCause.allCases.map { percent(x.bubbleShares[$0.rawValue] ?? 0) })
            }
            out += table(rows, rightAligned: Set(1..<(rows[0].count)))
            let base = both[0], other = both[1]
            if base.throughputPerS > 0 {
                line("\(other.scheduler.rawValue) vs \(base.scheduler.rawValue): \(fixed(other.throughputPerS / base.throughputPerS, 2))× throughput, "
                     + "p99 \(Self.ratio(other.p99Ms, to: base.p99Ms)); padding was \(percent(base.bubbleShares["padding"] ?? 0)) of the \(base.scheduler.rawValue) array's cycles")
            }
        }
        if let memory = r.memory {
            line()
            let classes = memory.bytesByClass.sorted { $0.key < $1.key }.filter { $0.value > 0 }
            line("memory (\(memory.kind))  " + classes.map { "\($0.key) \(bytes($0.value))" }.joined(separator: " · "))
            if let overlap = r.statistics.first(where: { $0.name == "encoder.overlap" }) {
                line("  load/compute overlap \(percent(overlap.value)): share of off-chip data time hidden behind PE array work")
            }
            for c in memory.channels {
                let share = r.totals.cycles == 0 ? 0 : Double(c.busyCycles) / Double(r.totals.cycles)
                line("  \(c.name)  \(bytes(c.bytes)) in \(group(c.transactions)) transactions, data on the bus \(percent(share)) of the time")
            }
        }
        if !r.notes.isEmpty {
            line()
            for n in r.notes { line("note: \(n)") }
        }
        return out
    }

    static func schedulerLine(_ s: RunReport.Scheduler) -> String {
        guard let stages = s.pipelineStages else {
            return s.name.rawValue + (s.padTo.map { ": batches padded to at least \($0) tokens" } ?? ": batches padded to their longest sequence")
        }
        var text = "\(s.name.rawValue): \(stages) pipeline stages"
        if let layers = s.stageLayers { text += " (layers " + layers.map(String.init).joined(separator: "+") + ")" }
        if let r = s.repartitionCycles { text += ", \(r)-cycle repartition" }
        if let beats = s.beats, let changes = s.repartitions { text += "; \(group(beats)) beats, \(group(changes)) re-balanced" }
        return text
    }

    /// Rows aligned in columns (two spaces apart), the `rightAligned` columns flush right.
    public static func table(_ rows: [[String]], rightAligned: Set<Int>) -> String {
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        var out = ""
        for row in rows {
            let cells = row.enumerated().map { c, s in
                let pad = String(repeating: " ", count: widths[c] - s.count)
                return rightAligned.contains(c) ? pad + s : s + pad
            }
            out += cells.joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }
        return out
    }

    /// 1234567 → "1,234,567".
    public static func group(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// 36,238,336 → "36.2 MB" (decimal units).
    public static func bytes(_ n: Int) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var x = Double(n)
        var u = 0
        while x >= 1000 && u < units.count - 1 {
            x /= 1000
            u += 1
        }
        return u == 0 ? "\(n) B" : String(format: "%.1f %@", x, units[u])
    }

    /// The power terms with their display names: every term (`all`), or those to show, every
    /// one but a zero board term (a board measured at its rails).
    static func powerTerms<Q>(_ t: PowerTerms<Q>, all: Bool = false) -> [(String, Double)] {
        let names = ["static": "static", "processing_system": "processing system", "clock_tree": "clock tree", "dynamic": "dynamic",
                     "memory_interface": "memory interface", "dram": "DRAM", "board": "board"]
        return t.named.filter { all || $0.name != "board" || $0.value != 0 }.map { (names[$0.name] ?? $0.name, $0.value) }
    }

    public static func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

    static func percent(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
}

extension TextRenderer {
    /// `a` against `b` as a factor a reader cannot misread: "2.05× lower", "2.24× higher" or
    /// "the same".
    static func ratio(_ a: Double, to b: Double) -> String {
        guard a > 0, b > 0 else { return a == b ? "the same" : (a < b ? "lower" : "higher") }
        if a == b { return "the same" }
        return a < b ? String(format: "%.2f× lower", b / a) : String(format: "%.2f× higher", a / b)
    }
}
