@testable import BertSim
import BertSimCore
import BertSimReport
import Foundation
import Testing

/// Progress lines (issue 17): a run that reports its progress is sliced in simulated time, and
/// slicing changes nothing in the report, on either kernel.
@Suite struct ProgressTests {
    /// `bertsim _run` with and without a progress file: the same report, byte for byte.
    @Test(arguments: [KernelChoice.systemc, .native], [SchedulerChoice.padded, .lengthAware])
    func progressChangesNothingInTheReport(kernel: KernelChoice, scheduler: SchedulerChoice) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("progress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var request = SimulationRequest(trace: Paths.repo("traces/sst2-batch32.trace"), config: Paths.repo("hw-configs/default.yaml"),
                                        kernel: kernel, scheduler: scheduler, limit: 96)
        func run(_ request: SimulationRequest) throws -> RunReport {
            let input = dir.appendingPathComponent("request-\(UUID().uuidString).json")
            try JSONEncoder().encode(request).write(to: input)
            let r = try bertsim(["_run"], stdin: input)
            #expect(r.status == 0, "\(r.stderr)")
            return try JSONDecoder().decode(SimulationOutcome.self, from: Data(r.stdout.utf8)).get()
        }
        let plain = try run(request)
        request.outputs.progress = dir.appendingPathComponent("progress.json").path
        let observed = try run(request)
        #expect(try JSONRenderer.render(plain) == JSONRenderer.render(observed))
    }

    /// The reporter hands out snapshots no more often than its interval and writes the last one
    /// to the progress file as JSON.
    @Test func reporterWritesSnapshots() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("progress-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        var seen: [RunProgress] = []
        let reporter = ProgressReporter(total: 10, interval: 0, callback: { seen.append($0) }, file: file)
        reporter.observe(Cycle(1000), 3)
        reporter.observe(Cycle(5000), 7)
        #expect(seen.map(\.requestsDone) == [3, 7])
        #expect(seen.map(\.cycle) == [1000, 5000])
        let written = try JSONDecoder().decode(RunProgress.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
        #expect(written.requestsDone == 7 && written.requestsTotal == 10 && written.cycle == 5000)
        // A long interval: only the first snapshot passes.
        var few = 0
        let slow = ProgressReporter(total: nil, interval: 3600, callback: { _ in few += 1 }, file: nil)
        for i in 1...100 { slow.observe(Cycle(i), i) }
        #expect(few == 1)
    }

    @Test func progressText() {
        let p = RunProgress(requestsDone: 100, requestsTotal: 400, cycle: 2_000_000_000, seconds: 10)
        #expect(p.rate == 2e8)
        #expect(p.eta == 30)
        #expect(p.description == "100/400 requests · 2e+09 cycles · 2e+08 cycles/s · ETA 30s")
        #expect(RunProgress(requestsDone: 0, requestsTotal: nil, cycle: 0, seconds: 0).description.hasSuffix("ETA ?"))
        #expect(RunProgress.duration(185) == "3m05s")
    }
}
