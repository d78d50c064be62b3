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
