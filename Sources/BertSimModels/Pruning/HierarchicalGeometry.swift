/// The hierarchical pattern's counts for a matrix of `cols` columns at `density`
/// (docs/pruning.md, "Patterns"): tiles kept per tile row and weights kept per row segment.
/// The seeded generator (``MaskGenerator``) and the magnitude pruner choose different weights
/// within the same geometry, so their schedules on the sparse engine agree.
public struct HierarchicalGeometry: Sendable, Equatable {
    /// Tiles across a row (`⌈cols ÷ tile_cols⌉`) and how many of them each tile row keeps.
    public var tilesPerRow: Int
    public var keptTiles: Int
    /// Weights a full-width row segment of a kept tile keeps:
    /// `min(tile_cols, round(density × cols ÷ kept tiles))`, at least one.
    public var perSegment: Int
    public var tileCols: Int

    public init(pruning: Pruning, cols: Int, density: Double) {
        tileCols = pruning.tileCols
        tilesPerRow = cols.ceilDiv(tileCols)
        keptTiles = max(1, tilesPerRow - Int((pruning.tileRatio * Double(tilesPerRow)).rounded()))
        perSegment = min(tileCols, max(1, Int((density * Double(cols) / Double(keptTiles)).rounded())))
    }

    /// Weights kept in a row segment `width` columns wide (a cut-short last tile scales down).
    public func kept(width: Int) -> Int {
        width == tileCols ? perSegment : min(width, max(1, (perSegment * width + tileCols / 2) / tileCols))
    }
}
