import BertSimCore
import BertSimModels

/// What a report's numbers do and do not include: the report's `notes`, one case each, so the
/// wording lives in one place.
enum RunNote {
    case skeletonTiming
    case skeletonUnmodelled
    case hostStages
    case lengthAware(stages: Int, evaluations: Int)
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
        case .lengthAware(let stages, let evaluations):
            "length-aware scheduler: \(stages) pipeline stages, no padding; "
                + "stage costs from the encoder model on each partition (\(evaluations) simulated)"
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
}
