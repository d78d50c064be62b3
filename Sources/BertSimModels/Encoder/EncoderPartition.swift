import BertSimCore
import BertSimWorkload

/// One partition of the encoder netlist: its compute units, its two DMA engines, its task
/// board, its jobs and its completion monitor. Its engines write their transactions into its
/// own port of the memory channels (a read and a write request queue per channel), which it
/// shares with the other partitions. The padded scheduler's netlist is one partition; the
/// cosimulated length-aware pipeline runs one per stage (docs/length-aware.md §3).
final class EncoderPartition {
    let jobs: JobTable
    let board: TaskBoard
    let units: [ComputeUnit]
    let engines: [DMAEngine]
    let monitor: CompletionMonitor
    let resolver: DependencyResolver
    /// The request queues its engines write, one per channel.
    let readQueues: [Fifo<Transaction>]
    let writeQueues: [Fifo<Transaction>]

    /// Builds the partition on `kernel`: `config` gives the unit set and the memory settings,
    /// `layers` the layers its jobs run; process names start with `prefix`. The units in
    /// `without` are not the partition's own (shared with other partitions).
    init(config: EncoderConfig, layers: Int, jobs: JobTable, kernel: any SimKernel, weightSlots: Int, parameterSlots: Int,
         windowStart: Cycle, recordsIntervals: ActivityLedger.Recording, port: Int = 0, prefix: String = "",
         without: Set<EncoderUnit> = []) {
        self.jobs = jobs
        let board = TaskBoard(kernel: kernel, name: prefix + "board")
        self.board = board
        let resolver = DependencyResolver(jobs: jobs, board: board, layers: layers, weightSlots: weightSlots,
                                          parameterSlots: parameterSlots, hostCycles: config.host.layerCommandCycles)
        self.resolver = resolver
        units = EncoderUnit.computeUnits.filter { (config.sparse != nil || ($0 != .estimator && $0 != .selector)) && !without.contains($0) }.map {
            ComputeUnit($0, kernel: kernel, jobs: jobs, board: board, resolver: resolver, windowStart: windowStart,
                        recordsIntervals: recordsIntervals, prefix: prefix)
        }
        let memory = config.memory
        let readQueues = (0..<memory.channels).map {
            Fifo<Transaction>("\(prefix)channel\($0).reads", capacity: memory.maxOutstanding, kernel: kernel)
        }
        let writeQueues = (0..<memory.channels).map {
            Fifo<Transaction>("\(prefix)channel\($0).writes", capacity: memory.maxOutstanding, kernel: kernel)
        }
        self.readQueues = readQueues
        self.writeQueues = writeQueues
        engines = [
            DMAEngine(.dmaRead, kernel: kernel, jobs: jobs, board: board, resolver: resolver, queues: readQueues,
                      burstBytes: memory.burstBytes, descriptorCycles: memory.descriptorCycles, windowStart: windowStart,
                      recordsIntervals: recordsIntervals, port: port, prefix: prefix),
            DMAEngine(.dmaWrite, kernel: kernel, jobs: jobs, board: board, resolver: resolver, queues: writeQueues,
                      burstBytes: memory.burstBytes, descriptorCycles: memory.descriptorCycles, windowStart: windowStart,
                      recordsIntervals: recordsIntervals, port: port, prefix: prefix),
        ]
        monitor = CompletionMonitor(kernel: kernel, jobs: jobs, board: board, layers: layers, prefix: prefix)
        let units = self.units, engines = self.engines
        monitor.prune = { [jobs] completed in
            // No unit refers to jobs more than two behind the slowest cursor.
            let slowest = min(completed, (units.map(\.cursor.job) + engines.map(\.cursor.job)).min() ?? 0)
            jobs.prune(below: slowest - 2)
        }
    }

    /// Its side of a unit it shares with other partitions.
    var client: SharedComputeUnit.Client { SharedComputeUnit.Client(jobs: jobs, board: board, resolver: resolver) }

    /// Its port of memory channel `c`.
    func port(_ c: Int) -> MemoryChannel.Port { MemoryChannel.Port(reads: readQueues[c], writes: writeQueues[c], board: board) }

    var pe: ComputeUnit { units[0] }

    /// What each unit and engine holds or waits for now (deadlock and partial reports).
    var heldWork: [String] {
        var held: [String] = []
        for u in units { if let w = u.waiting { held.append(w) } }
        for e in engines { if let w = e.waiting { held.append(w) } }
        return held
    }

    func finishLedgers(at end: Cycle) {
        for u in units { u.finishLedger(at: end) }
        for e in engines { e.finishLedger(at: end) }
    }

    func finishLedgers(noEarlierThan end: Cycle) {
        for u in units { u.finishLedger(noEarlierThan: end) }
        for e in engines { e.finishLedger(noEarlierThan: end) }
    }
}
