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
    /// Everything ``PrunedWeights/init(pruning:model:config:)`` reads: equal keys, equal weights.
    private struct Key: Hashable {
        var pruning: Pruning
        var model: ModelSpec
        var arrayLanes: Int
        var multipliersPerPE: Int
        var weightBits: Int
        var activationBits: Int
        var axiWidthBytes: Int
    }

    /// Built weights by setting, shared by the simulations of one process (a sweep's twin runs,
    /// the length-aware scheduler's stage costs).
    private final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [Key: PrunedWeights] = [:]

        func value(_ key: Key, build: () throws(DesignError) -> PrunedWeights) throws(DesignError) -> PrunedWeights {
            lock.lock()
            let hit = entries[key]
            lock.unlock()
            if let hit { return hit }
            let built = try build()
            lock.lock()
            if entries.count > 16 { entries.removeAll() }
            entries[key] = built
            lock.unlock()
            return built
        }
    }

    private static let cache = Cache()

    /// The pruned weights of `model` on `config`, built once per process and setting (masks
    /// and schedules do not depend on the workload).
    public static func cached(pruning: Pruning, model: ModelSpec, config: EncoderConfig) throws(DesignError) -> PrunedWeights {
        let p = config.precision, pe = config.peArray
        let key = Key(pruning: pruning, model: model, arrayLanes: pe?.lanes ?? 0, multipliersPerPE: pe?.multipliersPerPE ?? 0,
                      weightBits: p.weightBits, activationBits: p.activationBits, axiWidthBytes: config.memory.axiWidthBytes)
        return try cache.value(key) { () throws(DesignError) in try PrunedWeights(pruning: pruning, model: model, config: config) }
    }
}
