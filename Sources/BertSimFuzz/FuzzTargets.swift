import BertSim
import BertSimConfig
import BertSimCore
import BertSimWorkload
import Foundation

/// The inputs bertsim reads from users, as fuzz targets (docs/robustness.md): each takes
/// arbitrary bytes and must either accept them or reject them with an ``InputError``; any
/// other outcome (a trap, a crash, another error, a hang) is a bug. `make fuzz` drives them
/// with libFuzzer; the tests replay the kept corpus (`Tests/Fuzz/`) through them.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// The trace reader: header and every request.
    case trace
    /// The YAML config loader, with every check it makes (ranges, design limits, board fit).
    case config
    /// A trace simulated on the default design (first 4 requests, native kernel).
    case simulate

    /// Runs one input. Returns normally when the input was accepted or rejected cleanly.
    public func run(_ bytes: [UInt8], simulateConfig: String = FuzzTarget.defaultConfig) {
        switch self {
        case .trace:
            withTemporaryFile(bytes, suffix: ".trace") { path in
                expectInputError {
                    let reader = try TraceReader(path: path)
                    var n = 0
                    while n < 100_000, try reader.next() != nil { n += 1 }
                }
            }
        case .config:
            expectInputError {
                _ = try ConfigLoader.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml")
            }
        case .simulate:
            withTemporaryFile(bytes, suffix: ".trace") { path in
                expectInputError {
                    _ = try Simulation.run(tracePath: path, configPath: simulateConfig,
                                           options: SimulationOptions(kernel: .native, limit: 4))
                }
            }
        }
    }

    /// The design the `simulate` target runs on: `$BERTSIM_FUZZ_CONFIG`, else the shipped default.
    public static let defaultConfig: String = ProcessInfo.processInfo.environment["BERTSIM_FUZZ_CONFIG"] ?? "hw-configs/default.yaml"

    private func expectInputError(_ body: () throws -> Void) {
        do {
            try body()
        } catch is InputError {
            return
        } catch {
            fatalError("fuzz target \(rawValue): not an input error: \(type(of: error)): \(error)")
        }
    }

    private func withTemporaryFile(_ bytes: [UInt8], suffix: String, _ body: (String) -> Void) {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("bertsim-fuzz-\(ProcessInfo.processInfo.processIdentifier)\(suffix)").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        body(path)
    }
}
