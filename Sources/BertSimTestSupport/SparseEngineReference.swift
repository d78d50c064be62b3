/// A literal, cycle-by-cycle reading of the sparse engine's rule (docs/pruning.md, "Timing
/// model"), for tests to hold the fast model to: in each cycle every lane with work left asks
/// the bank of its next fetch; each bank grants its lowest-numbered requesters up to its ports;
/// the others stall. Returns cycles and stalled lane-cycles.
public enum SparseEngineReference {
    public static func run(banksPerLane requests: [[Int]], banks: Int, ports: Int) -> (cycles: Int, stalls: Int) {
        var next = [Int](repeating: 0, count: requests.count)
        var cycles = 0, stalls = 0
        while zip(next, requests).contains(where: { $0 < $1.count }) {
            var requesters = [[Int]](repeating: [], count: banks)
            for (lane, fetches) in requests.enumerated() where next[lane] < fetches.count {
                requesters[fetches[next[lane]]].append(lane)
            }
            for lanes in requesters {
                for (rank, lane) in lanes.sorted().enumerated() {
                    if rank < ports { next[lane] += 1 } else { stalls += 1 }
                }
            }
            cycles += 1
        }
        return (cycles, stalls)
    }
}
