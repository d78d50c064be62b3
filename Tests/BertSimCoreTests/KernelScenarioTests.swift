import BertSimCore
import BertSimTestSupport
import Testing

@Suite struct NativeKernelScenarioTests {
    @Test(arguments: KernelScenarios.all.map(\.name))
    func scenario(_ name: String) throws {
        let s = try #require(KernelScenarios.named(name))
        #expect(try s.body(EventQueueKernel()) == s.expected)
        #expect(try s.body(EventQueueKernel(tieBreak: .random(seed: 99))) == s.expected)
    }
}
