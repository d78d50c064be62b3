/// One mask per matrix class, shared by every layer (from a mask file; the seeded generator
/// builds the same structure per model). A reference so configs holding it stay cheap to copy.
public final class MaskSet: Sendable, Hashable {
    public let masks: [MatrixClass: SparseMask]
    /// FNV-1a 64 of the source bytes (identity for equality).
    public let fingerprint: String

    public init(masks: [MatrixClass: SparseMask], fingerprint: String) {
        self.masks = masks
        self.fingerprint = fingerprint
    }

    public static func == (a: MaskSet, b: MaskSet) -> Bool { a.fingerprint == b.fingerprint }
    public func hash(into h: inout Hasher) { h.combine(fingerprint) }
}
