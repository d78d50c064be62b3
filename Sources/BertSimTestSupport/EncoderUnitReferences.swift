import BertSimCore
import BertSimModels

/// Per-cycle readings of the encoder's units (docs/encoder-timing.md §1, §2, §5), written
/// from the spec without the closed forms of `EncoderCosts.swift`, so that the tests can
/// check each closed form against the unit it summarises.
///
/// Convention for every reference here: work issued in cycle `x` occupies that cycle and is
/// available at the start of cycle `x + 1` ("boundary" `x + 1`) when the stage that follows
/// has latency 0; a stage of latency `L` adds `L` boundaries. All cycles are relative to the
/// task's start (cycle 0).
public enum EncoderUnitReferences {
    /// One GEMM tile on the PE array, executed one cycle at a time as a bit-split
    /// inner-product (BIM) pipeline: multiplier, adder trees, shift-add/accumulator per chunk,
    /// then the quantization unit per row.
    ///
    /// A product of `aBits × bBits` takes `q = ⌈a/8⌉·⌈b/4⌉` of a PE's M 8×4 multipliers (§1).
    /// Each cycle the array issues one chunk (up to M multiplier-uses per PE) of the current row;
    /// a row's chunks are issued back to back, rows follow each other. A chunk leaves the
    /// multiplier `L_mul` boundaries after it entered, the adder trees `L_tree` after that,
    /// the accumulator `L_acc` after that; when a row's last chunk has left the accumulator
    /// the row's result enters the quantization unit and leaves `L_q` later. Control (§8):
    /// after a row's last chunk the array issues nothing for `r` cycles (the inner-product
    /// loop's drain and the row loop's step), and a row's first chunk issues no earlier than
    /// `⌈N/Q⌉` cycles after the previous row's first (the PU's quantization unit takes its N
    /// outputs, Q a cycle, through the double-buffered partial sums); the task's issue lasts
    /// until the last row's period is over, and those idle cycles are control. Returns the
    /// issue cycles, the cycles from the end of issue to the last result out (none if it is
    /// out before), the useful products, the lane-slots offered (`P × N × m` per cycle that
    /// issues a chunk) and the control cycles.
    public static func gemmTile(_ pe: EncoderConfig.PEArray, rows: Int, k: Int, width: Int, aBits: Int, bBits: Int) -> TaskCost {
        precondition(rows >= 1 && k >= 1 && width >= 1 && width <= pe.processingUnits * pe.pesPerUnit)
        let q = aBits.ceilDiv(8) * bBits.ceilDiv(4)
        let m = pe.multipliersPerPE
        let uses = k * q   // multiplier-uses one output of a row needs
        let lanes = pe.processingUnits * pe.pesPerUnit
        let latencies = [pe.multiplierLatency, pe.adderTreeLatency, pe.accumulatorLatency]
        let quantizerCycles = (pe.pesPerUnit + pe.quantizerOutputsPerCycle - 1) / pe.quantizerOutputsPerCycle
        var control = 0
        var rowStart = 0           // cycle the current row's first chunk issues (or may issue)
        var previousRowStart = 0
        var issueEnd = 0           // the issue window so far: the last row's period included

        struct Chunk { var row: Int; var left: Int }
        var stages = [[Chunk]](repeating: [], count: 3)
        var quantization: [Chunk] = []
        var chunksOfRow = [Int](repeating: 0, count: rows)
        var chunksOut = [Int](repeating: 0, count: rows)
        var rowsOut = 0
        var row = 0, consumed = 0
        var issue = 0, work = 0, laneSlots = 0
        var cycle = 0
        var lastOut = 0
        while rowsOut < rows || cycle < issueEnd {
            // Cycle `cycle`: issue one chunk of the current row, if any is left and its row may
            // start; a cycle inside the issue window without a chunk is control.
            var issued: Chunk?
            if row < rows && cycle >= rowStart {
                if consumed == 0 { previousRowStart = cycle }
                let step = min(m, uses - consumed)
                consumed += step
                work += step * width
                laneSlots += lanes * m
                issue += 1
                chunksOfRow[row] += 1
                issued = Chunk(row: row, left: latencies[0])
                if consumed == uses {
                    row += 1
                    consumed = 0
                    rowStart = max(cycle + 1 + pe.rowOverhead, previousRowStart + quantizerCycles)
                    issueEnd = rowStart
                }
            } else if cycle < issueEnd || row < rows {
                issue += 1
                control += 1
            }
            // Boundary `cycle + 1`: everything in flight advances one cycle, the new chunk
            // enters the multiplier, and whatever has no latency left moves on.
            let boundary = cycle + 1
            for s in 0..<3 { for i in stages[s].indices { stages[s][i].left -= 1 } }
            for i in quantization.indices { quantization[i].left -= 1 }
            if let issued { stages[0].append(issued) }
            for s in 0..<3 {
                let leaving = stages[s].filter { $0.left <= 0 }
                stages[s].removeAll { $0.left <= 0 }
                for c in leaving {
                    if s < 2 {
                        stages[s + 1].append(Chunk(row: c.row, left: latencies[s + 1]))
                    } else {
                        chunksOut[c.row] += 1
                        // The row's last chunk: the row has been issued completely (the
                        // array moved on) and all its chunks have left the accumulator.
                        if c.row < row, chunksOut[c.row] == chunksOfRow[c.row] {
                            quantization.append(Chunk(row: c.row, left: pe.quantizationLatency))
                        }
                    }
                }
            }
            let out = quantization.filter { $0.left <= 0 }
            quantization.removeAll { $0.left <= 0 }
            if !out.isEmpty {
                rowsOut += out.count
                lastOut = boundary
            }
            cycle += 1
        }
        // `work` counted multiplier-uses; a MAC is q of them.
        return TaskCost(issue: issue, latency: max(0, lastOut - issue), work: work / q, usedSlots: work, laneSlots: laneSlots,
                        control: control)
    }

    /// A three-pass row pipeline (softmax or LayerNorm), one cycle at a time.
    ///
    /// Three pass units each work on one row at a time, `lanes` elements per cycle, so a
    /// pass over a row of `n` elements lasts until all `n` are processed. A row enters pass 1
    /// as soon as pass 1 is free (rows enter back to back), pass 2 when it has left pass 1
    /// and pass 2 is free, then waits the middle latency (reciprocal or inverse square root),
    /// then pass 3 when pass 3 is free, then the output latency. Issue cycles are the cycles
    /// pass 1 is busy; the latency runs from the end of issue to the last row out.
    public static func rowPipeline(_ unit: EncoderConfig.SpecialUnit, rows: Int, n: Int) -> TaskCost {
        precondition(rows >= 1 && n >= 1 && unit.lanes >= 1)
        struct Pass { var row: Int; var remaining: Int }
        struct Wait { var row: Int; var left: Int }
        var pass1: Pass?, pass2: Pass?, pass3: Pass?
        var toPass2: [Int] = [], toPass3: [Int] = []
        var middle: [Wait] = [], output: [Wait] = []
        var nextRow = 0, rowsOut = 0
        var issue = 0, work = 0, cycle = 0, lastOut = 0
        while rowsOut < rows {
            // Cycle `cycle`: free passes take their next row, busy passes process one beat.
            if pass1 == nil, nextRow < rows {
                pass1 = Pass(row: nextRow, remaining: n)
                nextRow += 1
            }
            if pass2 == nil, !toPass2.isEmpty { pass2 = Pass(row: toPass2.removeFirst(), remaining: n) }
            if pass3 == nil, !toPass3.isEmpty { pass3 = Pass(row: toPass3.removeFirst(), remaining: n) }
            var leaving1: Int?, leaving2: Int?, leaving3: Int?
            if var p = pass1 {
                issue += 1
                let beat = min(unit.lanes, p.remaining)
                work += beat
                p.remaining -= beat
                pass1 = p.remaining == 0 ? nil : p
                if p.remaining == 0 { leaving1 = p.row }
            }
            if var p = pass2 {
                p.remaining -= min(unit.lanes, p.remaining)
                pass2 = p.remaining == 0 ? nil : p
                if p.remaining == 0 { leaving2 = p.row }
            }
            if var p = pass3 {
                p.remaining -= min(unit.lanes, p.remaining)
                pass3 = p.remaining == 0 ? nil : p
                if p.remaining == 0 { leaving3 = p.row }
            }
            // Boundary `cycle + 1`.
            let boundary = cycle + 1
            for i in middle.indices { middle[i].left -= 1 }
            for i in output.indices { output[i].left -= 1 }
            if let r = leaving1 { toPass2.append(r) }
            if let r = leaving2 { middle.append(Wait(row: r, left: unit.middleLatency)) }
            if let r = leaving3 { output.append(Wait(row: r, left: unit.outputLatency)) }
            toPass3 += middle.filter { $0.left <= 0 }.map(\.row)
            middle.removeAll { $0.left <= 0 }
            let out = output.filter { $0.left <= 0 }
            output.removeAll { $0.left <= 0 }
            if !out.isEmpty {
                rowsOut += out.count
                lastOut = boundary
            }
            cycle += 1
        }
        return TaskCost(issue: issue, latency: lastOut - issue, work: work, laneSlots: issue * unit.lanes)
    }

    /// The GELU unit over `elements` values, one cycle at a time: `lanes` values per cycle
    /// enter the LUT and leave it `L_g` later.
    public static func elementwise(_ unit: EncoderConfig.SpecialUnit, elements: Int) -> TaskCost {
        precondition(elements >= 1 && unit.lanes >= 1)
        struct Beat { var values: Int; var left: Int }
        var remaining = elements
        var inFlight: [Beat] = []
        var issue = 0, cycle = 0, lastOut = 0, out = 0, work = 0
        while out < elements {
            // Cycle `cycle`: up to `lanes` values enter the LUT.
            var entering: Beat?
            if remaining > 0 {
                let values = min(unit.lanes, remaining)
                remaining -= values
                work += values
                issue += 1
                entering = Beat(values: values, left: unit.outputLatency)
            }
            // Boundary `cycle + 1`.
            for i in inFlight.indices { inFlight[i].left -= 1 }
            if let entering { inFlight.append(entering) }
            let leaving = inFlight.filter { $0.left <= 0 }
            inFlight.removeAll { $0.left <= 0 }
            if !leaving.isEmpty {
                out += leaving.reduce(0) { $0 + $1.values }
                lastOut = cycle + 1
            }
            cycle += 1
        }
        return TaskCost(issue: issue, latency: lastOut - issue, work: work, laneSlots: issue * unit.lanes)
    }

    /// A transaction waiting at a memory channel: its bytes, the cycle an engine wrote it,
    /// and which engine wrote it.
    public struct ChannelRequest: Sendable, Equatable {
        public var bytes: Int
        public var requestCycle: Int
        public var fromReadEngine: Bool

        public init(bytes: Int, requestCycle: Int, fromReadEngine: Bool = true) {
            self.bytes = bytes
            self.requestCycle = requestCycle
            self.fromReadEngine = fromReadEngine
        }
    }

    /// When a channel accepted a transaction, and when its data phase started and ended.
    public struct ChannelTiming: Sendable, Equatable, CustomStringConvertible {
        public var accepted: Int
        public var start: Int
        public var end: Int

        public init(accepted: Int, start: Int, end: Int) {
            self.accepted = accepted
            self.start = start
            self.end = end
        }

        public var description: String { "(\(accepted), \(start), \(end))" }
    }

    /// One memory channel served one cycle at a time (§5), from requests already in its two
    /// request queues (each engine's requests in the order given).
    ///
    /// Each cycle, first the data phase that ended at this boundary frees its outstanding
    /// slot; then the channel accepts, oldest request cycle first (read engine first on a
    /// tie), requests written at earlier cycles while fewer than `O` are in flight; each
    /// accepted transaction counts its latency down one per cycle; the bus takes the oldest
    /// transaction whose latency is over and moves its bytes, at most the AXI width per cycle
    /// and no more than the bandwidth has allowed so far in this data phase (a byte credit of
    /// `BW × 10⁶ / (f × 10³)` per cycle), until all its bytes are moved.
    public static func channel(_ memory: EncoderConfig.Memory, clock: Clock, requests: [ChannelRequest]) -> [ChannelTiming] {
        var channel = ReferenceChannel(memory: memory, clock: clock)
        var queues: [[Int]] = [requests.indices.filter { requests[$0].fromReadEngine },
                               requests.indices.filter { !requests[$0].fromReadEngine }]
        var timings = [ChannelTiming?](repeating: nil, count: requests.count)
        var cycle = 0
        var finished = 0
        while finished < requests.count {
            if let id = channel.retire() {
                timings[id]!.end = cycle
                finished += 1
            }
            while channel.hasOutstandingRoom {
                let heads = queues.indices.compactMap { q in queues[q].first.map { (q, $0) } }
                    .filter { requests[$0.1].requestCycle < cycle }
                // Oldest request cycle first; the read queue (0) first on a tie.
                guard let (q, id) = heads.min(by: { (requests[$0.1].requestCycle, $0.0) < (requests[$1.1].requestCycle, $1.0) })
                else { break }
                queues[q].removeFirst()
                channel.accept(id: id, bytes: requests[id].bytes)
                timings[id] = ChannelTiming(accepted: cycle, start: -1, end: -1)
            }
            if let id = channel.step() { timings[id]!.start = cycle }
            channel.endCycle()
            cycle += 1
            precondition(cycle < 100_000_000, "channel reference does not terminate")
        }
        return timings.map { $0! }
    }
}

/// One memory channel's per-cycle state (§5): accepted transactions counting down their
/// latency, the bus moving one data phase's bytes per cycle, and the outstanding count.
/// Shared by the unit reference and the whole-system reference.
struct ReferenceChannel {
    struct Accepted {
        var id: Int
        var bytes: Int
        var latencyLeft: Int
    }

    struct Phase {
        var id: Int
        var remaining: Int
        /// Bandwidth credit in units of 1 / f_kHz bytes.
        var credit: Int
    }

    let latency: Int
    let maxOutstanding: Int
    let axiWidth: Int
    /// Bytes per cycle × f_kHz: `BW` MB/s = BW × 10⁶ B/s over f × 10³ cycles/s.
    let creditPerCycle: Int
    let kilohertz: Int
    /// Accepted, data not started, in acceptance order.
    private(set) var waiting: [Accepted] = []
    private(set) var phase: Phase?
    /// Set when the phase moved its last byte this cycle; retired at the next boundary.
    private var finishedPhase: Int?

    init(memory: EncoderConfig.Memory, clock: Clock) {
        latency = memory.latencyCycles
        maxOutstanding = memory.maxOutstanding
        axiWidth = memory.axiWidthBytes
        creditPerCycle = memory.bandwidthMBps * 1000
        kilohertz = clock.kilohertz
    }

    /// In flight: accepted and not yet at the end of its data phase.
    var inFlight: Int { waiting.count + (phase == nil ? 0 : 1) }
    var hasOutstandingRoom: Bool { inFlight < maxOutstanding }

    /// Start of cycle `t`: the transaction whose data phase moved its last byte in cycle
    /// `t − 1` ends at `t` and frees its slot. Returns its id.
    mutating func retire() -> Int? {
        guard let id = finishedPhase else { return nil }
        finishedPhase = nil
        phase = nil
        return id
    }

    mutating func accept(id: Int, bytes: Int) {
        precondition(hasOutstandingRoom && bytes >= 1)
        waiting.append(Accepted(id: id, bytes: bytes, latencyLeft: latency))
    }

    /// The bus in this cycle: starts the oldest transaction whose latency is over if the bus
    /// is idle (returns its id), then moves bytes.
    mutating func step() -> Int? {
        var started: Int?
        if phase == nil, let first = waiting.first, first.latencyLeft == 0 {
            waiting.removeFirst()
            phase = Phase(id: first.id, remaining: first.bytes, credit: 0)
            started = first.id
        }
        if var p = phase {
            p.credit += creditPerCycle
            let moved = min(axiWidth, p.remaining, p.credit / kilohertz)
            p.credit -= moved * kilohertz
            p.remaining -= moved
            phase = p
            if p.remaining == 0 { finishedPhase = p.id }
        }
        return started
    }

    /// What the channel did this cycle (§7): busy in a data phase; `memory` while an
    /// accepted transaction waits out its latency; else starved.
    var activity: Activity {
        if phase != nil { return .busy }
        if waiting.contains(where: { $0.latencyLeft > 0 }) { return .bubble(.memory) }
        return .bubble(.starved)
    }

    /// End of the cycle: accepted transactions' latencies count down.
    mutating func endCycle() {
        for i in waiting.indices where waiting[i].latencyLeft > 0 { waiting[i].latencyLeft -= 1 }
    }
}
