import BertSimCore
import BertSimModels

/// `--timeline FILE`: the run's recorded intervals as Chrome trace-event JSON, which
/// ui.perfetto.dev and chrome://tracing open (docs/reports.md, "Timeline").
///
/// One track (thread) per stage, in report order. With spans (`--timeline-detail jobs`, the
/// default, or `layers`): one complete (`"ph": "X"`) slice per job or request (and layer) on
/// the stage, and one per idle gap, each with its busy cycles and each bubble cause's in
/// `args`. With intervals (`--timeline-detail intervals`): one slice per interval, busy slices
/// named for what they worked on (the job or request and the layer), bubbles for their cause.
/// Times are microseconds from the first arrival; every slice also carries its exact
/// `start_cycle` and `cycles`, so the slices of a track tile its window: they never overlap,
/// and their cycles add up to the stage's busy + bubble cycles.
public enum PerfettoTimeline {
    /// The JSON text. `layers` names the pseudo-layers −1 (input transfer) and `layers`
    /// (output transfer).
    public static func render(_ result: SimulationResult, clock: Clock, layers: Int, title: String) -> String {
        var out = "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"title\":\(quote(title)),\"clock_mhz\":\(clock.megahertz),"
        out += "\"start_cycle\":\(result.windowStart.value),\"end_cycle\":\(result.windowEnd.value)},\"traceEvents\":[\n"
        out += "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":\(quote(title))}}"
        let origin = result.windowStart.value
        let usPerCycle = 1000.0 / Double(clock.kilohertz)
        for (k, stage) in result.stages.enumerated() {
            let tid = k + 1
            out += ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":\(tid),\"args\":{\"name\":\(quote(stage.name))}}"
            out += ",\n{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":\(tid),\"args\":{\"sort_index\":\(tid)}}"
            for span in stage.ledger.spans {
                let cycles = span.end.value - span.start.value
                guard cycles > 0 else { continue }
                let name: String
                if let item = span.item {
                    let label = item < result.timelineItems.count ? result.timelineItems[item] : "item \(item)"
                    if case .spans(.layers) = stage.ledger.recording, let layer = span.layer {
                        name = "\(label) · " + (layer < 0 ? "input" : layer >= layers ? "output" : "layer \(layer)")
                    } else {
                        name = label
                    }
                } else {
                    name = span.busy == 0 && span.bubbles.enumerated().allSatisfy({ $0.offset == BubbleCause.starved.index || $0.element == 0 })
                        ? "idle" : "untagged"
                }
                let ts = Double(span.start.value - origin) * usPerCycle
                let dur = Double(cycles) * usPerCycle
                out += ",\n{\"name\":\(quote(name)),\"cat\":\"\(span.item == nil ? "idle" : "work")\",\"ph\":\"X\",\"pid\":1,\"tid\":\(tid),"
                out += "\"ts\":\(ts),\"dur\":\(dur),\"args\":{\"start_cycle\":\(span.start.value),\"cycles\":\(cycles),"
                out += "\"busy_cycles\":\(span.busy)"
                for cause in BubbleCause.allCases where span.bubbles[cause.index] > 0 {
                    out += ",\"\(cause.rawValue)_cycles\":\(span.bubbles[cause.index])"
                }
                out += "}}"
            }
            for interval in stage.ledger.intervals {
                let cycles = interval.end.value - interval.start.value
                guard cycles > 0 else { continue }
                let what = interval.item.map { item in
                    let name = item < result.timelineItems.count ? result.timelineItems[item] : "item \(item)"
                    let layer = interval.layer!
                    let part = layer < 0 ? "input" : layer >= layers ? "output" : "layer \(layer)"
                    return "\(name) · \(part)"
                }
                let name: String
                let category: String
                switch interval.activity {
                case .busy:
                    name = what ?? "busy"
                    category = "busy"
                case .bubble(let cause):
                    name = cause.rawValue
                    category = "bubble"
                }
                let ts = Double(interval.start.value - origin) * usPerCycle
                let dur = Double(cycles) * usPerCycle
                out += ",\n{\"name\":\(quote(name)),\"cat\":\"\(category)\",\"ph\":\"X\",\"pid\":1,\"tid\":\(tid),"
                out += "\"ts\":\(ts),\"dur\":\(dur),\"args\":{\"start_cycle\":\(interval.start.value),\"cycles\":\(cycles)"
                if case .bubble = interval.activity, let what { out += ",\"of\":\(quote(what))" }
                out += "}}"
            }
        }
        out += "\n]}\n"
        return out
    }

    /// A JSON string literal.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
