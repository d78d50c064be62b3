import BertSimCore
import BertSimWorkload
import Foundation

/// What pruning did over a run: the weights (masks, formats, schedules) and the sparse engine's
/// counts summed over every layer of every job.
public struct PruningResult: Sendable {
    public var weights: PrunedWeights
    public var totals: PruningAccounting

    public init(weights: PrunedWeights, totals: PruningAccounting) {
        self.weights = weights
        self.totals = totals
    }
}

extension PrunedWeights {
    private struct Key: Hashable {
        var pruning: Pruning
        var model: String, hidden: Int, ffn: Int
        var config: String
    }

    nonisolated(unsafe) private static var cache: [Key: PrunedWeights] = [:]
    private static let lock = NSLock()

    /// The pruned weights of `model` on `config`, built once per process and setting (masks
    /// and schedules do not depend on the workload).
    public static func cached(pruning: Pruning, model: ModelSpec, config: EncoderConfig) throws(DesignError) -> PrunedWeights {
        let p = config.precision, pe = config.peArray
        let key = Key(pruning: pruning, model: model.name, hidden: model.hidden, ffn: model.ffn,
                      config: "\(pe?.lanes ?? 0)/\(pe?.multipliersPerPE ?? 0)/\(p.weightBits)/\(p.activationBits)/\(config.memory.axiWidthBytes)")
        lock.lock()
        if let hit = cache[key] {
            lock.unlock()
            return hit
        }
        lock.unlock()
        let built = try PrunedWeights(pruning: pruning, model: model, config: config)
        lock.lock()
        if cache.count > 16 { cache.removeAll() }
        cache[key] = built
        lock.unlock()
        return built
    }
}
