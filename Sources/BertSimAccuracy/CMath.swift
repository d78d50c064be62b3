#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The C library's erf, exp and log, under names that do not clash with Foundation's overloads.
enum CMath {
    @inline(__always) static func erf(_ x: Double) -> Double { erfC(x) }

    @inline(__always) static func exp(_ x: Double) -> Double { expC(x) }
    @inline(__always) static func exp(_ x: Float) -> Float { expfC(x) }
    @inline(__always) static func log(_ x: Double) -> Double { logC(x) }
}

@inline(__always) private func erfC(_ x: Double) -> Double { erf(x) }
@inline(__always) private func expC(_ x: Double) -> Double { exp(x) }
@inline(__always) private func expfC(_ x: Float) -> Float { expf(x) }
@inline(__always) private func logC(_ x: Double) -> Double { log(x) }
