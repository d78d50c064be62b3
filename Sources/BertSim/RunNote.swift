import BertSimReport
import BertSimCore
import BertSimModels

/// What a report's numbers do and do not include: the report's `notes`, one case each, so the
/// wording lives in one place.
enum RunNote {
    case skeletonTiming
    case skeletonUnmodelled
    case hostStages
    /// `isolated`: with cosimulated stages, the isolated-cost model's window on the same trace and the run's own.
    case lengthAware(stages: Int, evaluations: Int, isolated: (cycles: Int, cosimulated: Int)? = nil, sharedSpecialUnits: Bool = false)
    case padded(batch: Int?, padTo: Int?, jobs: Int)
    case weightSlots(Int)
    case limited(Int)
    case partial(PartialRun)
    case denseAttentionTwin
    case denseWeightsTwin

    var text: String {
        switch self {
        case .skeletonTiming:
            "walking-skeleton pipeline: stage timing from the config, not the BERT encoder datapath"
        case .skeletonUnmodelled:
            "energy, memory traffic and resources are not modelled for this design (null)"
        case .hostStages:
            "embedding and the task head run on the host and are not timed"
        case .lengthAware(let stages, let evaluations, let isolated, let shared):
            if let isolated {
                "length-aware scheduler: \(stages) pipeline stages, no padding, cosimulated as partitions of one netlist sharing "
                    + (shared ? "the memory channels and the softmax, LayerNorm and GELU units" : "the memory channels")
                    + "; split and priority from \(evaluations) simulated stage costs; the isolated stage-cost "
                    + "model (--stage-costs isolated) gives \(TextRenderer.group(isolated.cycles)) cycles, "
                    + Self.distance(isolated.cycles, isolated.cosimulated)
            } else {
                "length-aware scheduler: \(stages) pipeline stages, no padding; "
                    + "stage costs from the encoder model on each partition (\(evaluations) simulated)"
            }
        case .padded(let batch, let padTo, let jobs):
            {
                let target = padTo.map { "at least \($0) tokens" } ?? "their longest sequence"
                return batch.map { "padded scheduler: closed batches of \($0) padded to \(target), \(jobs) jobs" }
                    ?? "padded scheduler: open arrivals, one request per job\(padTo == nil ? ", no padding" : " padded to \(target)")"
            }()
        case .weightSlots(let slots):
            "\(slots) weight-buffer slots"
        case .limited(let limit):
            "limited to the first \(limit) requests (--limit)"
        case .partial(let p):
            "PARTIAL: \(p.reason) at cycle \(p.cycle); numbers cover the \(p.requestsCompleted) requests completed by then"
        case .denseAttentionTwin:
            "speedup vs dense from the same run with dense attention, under the same scheduler, on the native kernel"
        case .denseWeightsTwin:
            "pruning: latency vs dense from the same run without pruning, under the same scheduler, on the native kernel; masks are the same in every layer"
        }
    }

    /// "0.87% fewer" / "0.12% more" / "the same": `a` against `b`.
    static func distance(_ a: Int, _ b: Int) -> String {
        guard a != b, b > 0 else { return "the same" }
        let percent = Double(abs(a - b)) / Double(b) * 100
        return String(format: "%.2f%% %@", percent, a < b ? "fewer" : "more")
    }
}
