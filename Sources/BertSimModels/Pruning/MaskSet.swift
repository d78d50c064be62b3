/// One mask per matrix class, shared by every layer (from a mask file; the seeded generator
/// builds the same structure per model). A reference so configs holding it stay cheap to copy.
public final class MaskSet: Sendable, Hashable {
    public let masks: [MatrixClass: SparseMask]
    /// FNV-1a 64 of the source bytes (identity for equality).
    public let fingerprint: String

    /// False for a set that only names its file (a config decoded from a report): it cannot
    /// be simulated.
    public let isLoaded: Bool

    public init(masks: [MatrixClass: SparseMask], fingerprint: String) {
        self.masks = masks
        self.fingerprint = fingerprint
        isLoaded = true
    }

    /// A set that stands for a mask file by its fingerprint, without its masks.
    public init(identity fingerprint: String) {
        masks = [:]
        self.fingerprint = fingerprint
        isLoaded = false
    }

    public static func == (a: MaskSet, b: MaskSet) -> Bool { a.fingerprint == b.fingerprint }
    public func hash(into h: inout Hasher) { h.combine(fingerprint) }
}
