import Foundation
import Testing
@testable import BertSimCore

@Suite struct VCDWriterTests {
    @Test func writesSystemCStyleValueChanges() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vcd-\(UUID()).vcd").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let vcd = try VCDWriter(path: path)
        let k = EventQueueKernel(vcd: vcd)
        let a = k.addTrace("top.busy", width: 1)
        let b = k.addTrace("depth", width: 8)
        final class P: SimProcess {
            let body: () -> Void
            init(_ b: @escaping () -> Void) { body = b }
            func evaluate() { body() }
        }
        var n = 0
        var e: EventID!
        let pid = k.addProcess("p", P {
            n += 1
            k.setTrace(a, UInt64(n % 2))
            if n == 2 { k.setTrace(b, 5) }
            if n < 4 { k.notify(e, after: 3) }
        })
        e = k.addEvent("e", triggering: pid)
        k.notify(e, after: .zero)
        _ = try k.run()
        k.finish()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("$scope module top $end\n$var wire    1  aaaaa  busy       $end"))
        #expect(text.contains("$var wire    8  aaaab  depth [7:0]  $end"))
        let body = text.components(separatedBy: "$dumpvars\n")[1]
        #expect(body == "1aaaaa\nb0 aaaab\n$end\n\n#3\n0aaaaa\nb101 aaaab\n\n#6\n1aaaaa\n\n#9\n0aaaaa\n\n#10\n")
        #expect(VCDWriter.identifier(0) == "aaaaa")
        #expect(VCDWriter.identifier(27) == "aaabb")
    }
}
