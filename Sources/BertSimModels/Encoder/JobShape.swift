/// The shape of a job: `b` sequences, each padded to `paddedLength` (docs/encoder-timing.md §2).
public struct JobShape: Hashable, Sendable {
    /// Real lengths of the job's sequences, in order.
    public var lengths: [Int]
    /// The length every sequence is padded to (≥ every length).
    public var paddedLength: Int

    public init(lengths: [Int], paddedLength: Int) {
        precondition(!lengths.isEmpty && lengths.allSatisfy { $0 >= 1 && $0 <= paddedLength })
        self.lengths = lengths
        self.paddedLength = paddedLength
    }

    public var sequences: Int { lengths.count }
    /// Activation rows including padding: b × Lp.
    public var rows: Int { sequences * paddedLength }
    /// Rows of real tokens.
    public var usefulRows: Int { lengths.reduce(0, +) }
}
