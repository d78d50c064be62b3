/// The accelerator clock: converts between cycles and wall-clock units in integer arithmetic.
///
/// The frequency is held in kHz so that configs like `clock_mhz: 214` or `187.5` convert
/// exactly; nanoseconds become cycles by rounding up (an arrival between two edges is seen
/// at the next edge).
public struct Clock: Hashable, Sendable, Codable {
    /// Frequency in kHz (1 MHz = 1,000 kHz).
    public let kilohertz: Int

    public init(kilohertz: Int) {
        precondition(kilohertz > 0)
        self.kilohertz = kilohertz
    }

    public var megahertz: Double { Double(kilohertz) / 1000 }

    /// The first cycle edge at or after `nanoseconds`: ⌈ns × kHz ÷ 10⁶⌉.
    public func cycle(atNanoseconds nanoseconds: Int) -> Cycle {
        let (product, overflow) = nanoseconds.multipliedReportingOverflow(by: kilohertz)
        precondition(!overflow, "arrival time too large for the clock")
        return Cycle(product.ceilDiv(1_000_000))
    }

    /// A duration in milliseconds: cycles ÷ kHz.
    public func milliseconds(_ cycles: Cycles) -> Double { Double(cycles.count) / Double(kilohertz) }
    /// A duration in seconds.
    public func seconds(_ cycles: Cycles) -> Double { milliseconds(cycles) / 1000 }
}
