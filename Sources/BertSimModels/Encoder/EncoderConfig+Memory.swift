import BertSimCore

extension EncoderConfig {
    /// The off-chip memory technology: it sets the DRAM's and the interface's energy
    /// (docs/power.md) and names the memory in reports.
    public enum MemoryKind: String, Sendable, Equatable, Codable, CaseIterable {
        case ddr4
        case hbm2
    }

    /// Off-chip memory: channels with bandwidth, latency, AXI width and outstanding limit, and
    /// the DMA engines' descriptor setup.
    public struct Memory: Sendable, Equatable, Codable {
        public var kind: MemoryKind
        public var channels: Int
        /// Per channel, in MB/s (10⁶ bytes per second).
        public var bandwidthMBps: Int
        /// Per transaction, in cycles (converted from the config's nanoseconds).
        public var latencyCycles: Int
        public var axiWidthBytes: Int
        public var maxOutstanding: Int
        public var burstBytes: Int
        /// Cycles a DMA engine spends setting up a transfer's descriptor before its first
        /// transaction (docs/encoder-timing.md §8).
        public var descriptorCycles: Int

        public init(kind: MemoryKind = .ddr4, channels: Int = 1, bandwidthMBps: Int, latencyCycles: Int, axiWidthBytes: Int,
                    maxOutstanding: Int, burstBytes: Int, descriptorCycles: Int = 32) {
            self.kind = kind
            self.channels = channels
            self.bandwidthMBps = bandwidthMBps
            self.latencyCycles = latencyCycles
            self.axiWidthBytes = axiWidthBytes
            self.maxOutstanding = maxOutstanding
            self.burstBytes = burstBytes
            self.descriptorCycles = descriptorCycles
        }

        /// Every parameter, declared once (``ParameterTable``). `latency_ns` and
        /// `axi_width_bits` appear in the resolved config as `latency_cycles` (at the clock)
        /// and `axi_width_bytes`.
        public static let parameters = ParameterTable<Memory>(
            "memory",
            summary: "Off-chip DDR4 or HBM channels; a transaction of x bytes takes latency, then max(⌈x/AXI width⌉, ⌈x·f/BW⌉) cycles of data, FIFO per channel.",
            template: Memory(bandwidthMBps: 1, latencyCycles: 0, axiWidthBytes: 64, maxOutstanding: 8, burstBytes: 4096), [
                .choice("kind", \.kind, default: .template,
                        "Memory technology: sets the DRAM and interface energy (docs/power.md) and names it in reports"),
                .integer("channels", \.channels, 1...64, unit: .count, default: .template,
                         "Independent channels; transfers are striped over them"),
                .integer("bandwidth_mb_per_s", \.bandwidthMBps, 1...1_000_000, unit: .count, "Per channel, in MB/s (10⁶ bytes/s)"),
                Parameter("latency_ns", .integer(0...100_000), unit: .nanoseconds, .required, "Request to first data, per transaction",
                          read: { (root: inout Memory, v: ParameterValues, context: ParameterContext) throws(InputError) in
                              root.latencyCycles = (v.int("latency_ns") * (context.clock?.kilohertz ?? 1_000_000)).ceilDiv(1_000_000)
                          },
                          encode: { root, c in try c.encode(root.latencyCycles, forKey: ParameterKey("latency_cycles")) },
                          decode: { root, c in root.latencyCycles = try c.decode(Int.self, forKey: ParameterKey("latency_cycles")) }),
                Parameter("axi_width_bits", .choice(["32", "64", "128", "256", "512", "1024"]), .template, "AXI data width",
                          renderDefault: { String($0.axiWidthBytes * 8) },
                          read: { (root: inout Memory, v: ParameterValues, _: ParameterContext) throws(InputError) in
                              // The schema admits only the listed widths, all whole bytes.
                              root.axiWidthBytes = (Int(v.string("axi_width_bits")) ?? 512) / 8
                          },
                          encode: { root, c in try c.encode(root.axiWidthBytes, forKey: ParameterKey("axi_width_bytes")) },
                          decode: { root, c in root.axiWidthBytes = try c.decode(Int.self, forKey: ParameterKey("axi_width_bytes")) }),
                .integer("max_outstanding", \.maxOutstanding, 1...1024, unit: .count, default: .template, "Transactions in flight per channel"),
                .integer("burst_bytes", \.burstBytes, 64...1_048_576, unit: .bytes, default: .template, "Largest transaction"),
                .integer("descriptor_cycles", \.descriptorCycles, 0...1_000_000, unit: .cycles, default: .template,
                         "Cycles a DMA engine sets up a transfer's descriptor before its first transaction (control)"),
            ],
            statistics: [
                StatisticSpec("bytes.<class>", .bytes, "Bytes moved per tensor class (weights, biases, params, activations_in, activations_out)"),
                StatisticSpec("transactions", .count, "Transactions served"),
            ])

        public static var schema: ComponentSchema { parameters.schema }

        public init(_ p: ParameterValues, clock: Clock) throws(InputError) {
            self = try Self.parameters.read(p, context: ParameterContext(clock: clock))
        }

        public func encode(to encoder: any Encoder) throws { try Self.parameters.encode(self, to: encoder) }
        public init(from decoder: any Decoder) throws { self = try Self.parameters.decode(from: decoder) }
    }
}
