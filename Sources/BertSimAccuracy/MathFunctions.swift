#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The C library's erf, exp and log in double precision, under names that do not clash with
/// Foundation's overloads.
@inline(__always) func erfDouble(_ x: Double) -> Double { erf(x) }
@inline(__always) func expDouble(_ x: Double) -> Double { exp(x) }
@inline(__always) func expFloat(_ x: Float) -> Float { expf(x) }
@inline(__always) func logDouble(_ x: Double) -> Double { log(x) }
