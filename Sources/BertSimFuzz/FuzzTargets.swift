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
    /// The mask-file reader; a mask set it accepts is then used by a pruned config
    /// (`hw-configs/zcu102-fqbert-n8m16-unstructured75.yaml` with `mask_file:`) that simulates a
    /// one-request tiny-model trace, so the masks' shapes are checked against the model too.
    case mask

    /// What a target did with an input it handled cleanly.
    public enum Verdict: String, Sendable, Equatable {
        /// Read (and simulated) without an error.
        case accepted
        /// Rejected with an ``InputError``.
        case rejected
    }

    /// Runs one input and says whether it was accepted or rejected cleanly (anything else
    /// traps). `root` is the repository checkout (its `hw-configs/` are used).
    @discardableResult
    public func run(_ bytes: [UInt8], root: String = FuzzTarget.root) -> Verdict {
        let simulateConfig = root + "/hw-configs/default.yaml"
        switch self {
        case .trace:
            return withTemporaryFile(bytes, suffix: ".trace") { path in
                expectInputError {
                    let reader = try TraceReader(path: path)
                    var n = 0
                    while n < 100_000, try reader.next() != nil { n += 1 }
                }
            }
        case .config:
            return expectInputError {
                _ = try ConfigLoader.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml")
            }
        case .mask:
            return runMask(bytes, root: root)
        case .simulate:
            return withTemporaryFile(bytes, suffix: ".trace") { path in
                expectInputError {
                    _ = try Simulation.run(SimulationRequest(trace: path, config: simulateConfig, kernel: .native, limit: 4))
                }
            }
        }
    }

    /// The repository checkout: `$BERTSIM_FUZZ_ROOT`, else the current directory.
    public static let root: String = ProcessInfo.processInfo.environment["BERTSIM_FUZZ_ROOT"] ?? "."

    /// The mask target: the bytes as a mask file next to a pruned config that names it, then a
    /// one-request simulation of a tiny model (shape checks) when the config loads.
    private func runMask(_ bytes: [UInt8], root: String) -> Verdict {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("bertsim-fuzz-mask-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let template = (try? String(contentsOfFile: root + "/hw-configs/zcu102-fqbert-n8m16-unstructured75.yaml", encoding: .utf8)) ?? ""
        guard template.contains("    ratio: 0.75\n"), template.contains("    seed: 9\n") else {
            fatalError("fuzz target mask: the unstructured75 config template changed; update FuzzTargets.swift")
        }
        let config = template.replacingOccurrences(of: "    ratio: 0.75\n", with: "    mask_file: fuzz.masks\n")
            .replacingOccurrences(of: "    seed: 9\n", with: "    edge_tiles: partial\n")
        let configPath = dir.appendingPathComponent("pruned.yaml").path
        let tracePath = dir.appendingPathComponent("tiny.trace").path
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("fuzz.masks").path, contents: Data(bytes))
        _ = FileManager.default.createFile(atPath: configPath, contents: Data(config.utf8))
        _ = FileManager.default.createFile(atPath: tracePath, contents: Data(Self.tinyTrace.utf8))
        return expectInputError {
            _ = try Simulation.run(SimulationRequest(trace: tracePath, config: configPath, kernel: .native, limit: 1))
        }
    }

    /// One request on a model small enough for a fuzzer-made mask to fit (hidden 16, FFN 32).
    static let tinyTrace = """
        bertsim-trace 1
        model: custom layers=1 hidden=16 heads=1 head_size=16 ffn=32 max_positions=16
        0 0 8

        """

    private func expectInputError(_ body: () throws -> Void) -> Verdict {
        do {
            try body()
            return .accepted
        } catch is InputError {
            return .rejected
        } catch {
            fatalError("fuzz target \(rawValue): not an input error: \(type(of: error)): \(error)")
        }
    }

    private func withTemporaryFile(_ bytes: [UInt8], suffix: String, _ body: (String) -> Verdict) -> Verdict {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("bertsim-fuzz-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)\(suffix)").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return body(path)
    }
}
