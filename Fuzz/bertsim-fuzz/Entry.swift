import BertSimFuzz
import Foundation

// Built by `make fuzz` with -sanitize=fuzzer and -DFUZZING: libFuzzer's main calls this for
// every input; the target comes from $BERTSIM_FUZZ_TARGET (trace, config, simulate).
#if FUZZING
let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["BERTSIM_FUZZ_TARGET"] ?? "trace"
    guard let t = FuzzTarget(rawValue: name) else { fatalError("BERTSIM_FUZZ_TARGET must be one of \(FuzzTarget.allCases.map(\.rawValue))") }
    return t
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    target.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// libFuzzer's driver, entered from our own main: SwiftPM links an executable target with its
/// `main` renamed to `bertsim_fuzz_main`, so libFuzzer's `main` is never pulled in.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("bertsim_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
}
#else
/// Without libFuzzer: `bertsim-fuzz TARGET FILE…` replays inputs (a crash file from `make fuzz`).
@main struct Replay {
    static func main() {
        let args = CommandLine.arguments.dropFirst()
        guard let name = args.first, let target = FuzzTarget(rawValue: name), args.count >= 2 else {
            FileHandle.standardError.write(Data("usage: bertsim-fuzz trace|config|simulate|mask FILE…\n".utf8))
            exit(2)
        }
        for file in args.dropFirst() {
            guard let data = FileManager.default.contents(atPath: file) else {
                FileHandle.standardError.write(Data("bertsim-fuzz: cannot read \(file)\n".utf8))
                exit(2)
            }
            target.run(Array(data))
            print("\(file): ok")
        }
    }
}
#endif
