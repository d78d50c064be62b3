import BertSimCore
import BertSimModels

/// `--timeline FILE`: the run's recorded intervals as Chrome trace-event JSON, which
/// ui.perfetto.dev and chrome://tracing open (docs/reports.md, "Timeline").
///
/// One track (thread) per stage, in report order; one complete (`"ph": "X"`) slice per
/// interval: busy slices are named for what they worked on (the job or request and the layer),
/// bubbles for their cause. Times are microseconds from the first arrival; every slice also
/// carries its exact `start_cycle` and `cycles`, so the slices of a track tile its window:
/// they never overlap, and their cycles add up to the stage's busy + bubble cycles.
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
