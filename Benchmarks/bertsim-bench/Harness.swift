import Foundation

/// Times a body several times and reports the median (machines are shared and noisy).
struct Measurement {
    var name: String
    var seconds: [Double]

    var median: Double {
        let s = seconds.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

func measure(_ name: String, repetitions: Int, _ body: () throws -> Void) rethrows -> Measurement {
    var times: [Double] = []
    for _ in 0..<repetitions {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return Measurement(name: name, seconds: times)
}

/// Peak resident memory of this process so far (VmHWM), in MiB; nil where /proc is absent.
func peakResidentMiB() -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kb / 1024
    }
    return nil
}

func formatRate(_ x: Double) -> String {
    if x >= 1e9 { return String(format: "%.2f G", x / 1e9) }
    if x >= 1e6 { return String(format: "%.2f M", x / 1e6) }
    if x >= 1e3 { return String(format: "%.2f k", x / 1e3) }
    return String(format: "%.2f ", x)
}

/// Runs this benchmark binary again with `arguments` (a `--once` run on the SystemC kernel,
/// which allows one elaboration per process) and returns its wall seconds; it must print
/// `seconds S cycles C` with C = `cycles`.
func childSeconds(_ arguments: [String], cycles: Int) throws -> Double {
    let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: me)
    p.arguments = arguments
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let words = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace)
    guard p.terminationStatus == 0, words.count >= 4, let s = Double(words[1]), Int(words[3]) == cycles else {
        throw ChildFailure()
    }
    return s
}

/// A `--once` child failed or disagreed with the native run on cycles.
struct ChildFailure: Error, CustomStringConvertible {
    var description: String { "SystemC child failed or disagreed on cycles" }
}
