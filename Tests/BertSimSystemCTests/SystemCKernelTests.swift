import BertSimCore
import BertSimTestSupport
import Foundation
import Testing
@testable import BertSimSystemC

/// SystemC allows one elaboration per process, so every test that runs the SystemC kernel
/// runs its body in a fresh child process (a Swift Testing exit test).
@Suite struct SystemCKernelTests {
    @Test(arguments: KernelScenarios.all.map(\.name))
    func scenarioMatchesTheNativeKernel(_ name: String) async throws {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) { [name = name as String] in
            let log = try KernelScenarios.named(name)!.body(SystemCKernel())
            print(log.joined(separator: "\n"))
        }
        let output = String(decoding: result?.standardOutputContent ?? [], as: UTF8.self)
        #expect(output.split(separator: "\n").map(String.init) == KernelScenarios.named(name)!.expected)
    }

    /// A second kernel in one process is refused with a clear error, not an abort.
    @Test func secondKernelIsRefused() async {
        await #expect(processExitsWith: .exitCode(3)) {
            _ = try SystemCKernel()
            do {
                _ = try SystemCKernel()
            } catch let e as SimulationError {
                exit(e.kind == .kernel && e.message.contains("one simulation per process") ? 3 : 1)
            }
            exit(1)
        }
    }

    /// Elaborating after the simulation started is a SystemC error (sc_prim_channel after
    /// sc_start): it comes back as a thrown SimulationError carrying SystemC's message.
    @Test func systemCErrorAfterStartIsAThrownError() async throws {
        let result = await #expect(processExitsWith: .exitCode(3), observing: [\.standardOutputContent]) {
            let k = try SystemCKernel()
            final class Late: SimProcess, UpdatableChannel {
                unowned let kernel: any SimKernel
                init(_ k: any SimKernel) { kernel = k }
                func evaluate() { _ = kernel.addChannel("late", self) }
                func update() {}
            }
            let late = Late(k)
            let p = k.addProcess("late", late)
            k.notify(k.addEvent("go", triggering: p), after: 3)
            do {
                _ = try k.run()
            } catch let e as SimulationError {
                print(e.description)
                exit(e.kind == .kernel && e.message.hasPrefix("SystemC") ? 3 : 1)
            }
            exit(1)
        }
        let output = String(decoding: result?.standardOutputContent ?? [], as: UTF8.self)
        #expect(output.contains("simulation kernel: SystemC"), "\(output)")
        #expect(!output.contains("\n\n"))
    }
}

/// The walking-skeleton netlist on SystemC gives the per-cycle reference's cycles and bubbles.
@Suite struct SystemCPipelineTests {
    @Test(arguments: 0..<16)
    func randomNetlistMatchesTheReference(_ trial: Int) async throws {
        let seed = UInt64(1000 + trial)
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) { [seed = seed as UInt64] in
            let p = RandomPipeline(seed: seed)
            let kernel = try SystemCKernel()
            let r = try p.simulate(on: kernel)
            print(RandomPipeline.summary(RandomPipeline.outcome(r)))
            print("evaluations \(kernel.evaluationCount)")
        }
        let p = RandomPipeline(seed: seed)
        let native = EventQueueKernel()
        let nativeResult = try p.simulate(on: native)
        let lines = String(decoding: result?.standardOutputContent ?? [], as: UTF8.self).split(separator: "\n")
        #expect(lines.first.map(String.init) == RandomPipeline.summary(p.reference))
        #expect(lines.first.map(String.init) == RandomPipeline.summary(RandomPipeline.outcome(nativeResult)))
        // Same semantics, same work: both kernels run the same number of process evaluations.
        #expect(lines.last.map(String.init) == "evaluations \(native.evaluationCount)")
    }
}
