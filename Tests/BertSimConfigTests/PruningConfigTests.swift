import BertSimCore
import BertSimModels
import Testing
@testable import BertSimConfig

/// `encoder.pruning:` (docs/pruning.md): what it reads, and what it rejects with file:line:field.
@Suite struct PruningConfigTests {
    func yaml(_ section: String) -> String { encoderYAML + "  pruning:\n" + section }

    func pruning(_ section: String) throws -> Pruning? {
        guard case .encoder(let e) = try ConfigLoader.parse(yaml(section), file: "e.yaml").design else { return nil }
        return e.pruning
    }

    @Test func readsGlobalAndPerClassRatios() throws {
        let p = try #require(try pruning("    pattern: unstructured\n    ratio: 0.5\n    ratios:\n      ffn_up: 0.8\n    seed: 4\n"))
        #expect(p.ratio(.q) == 0.5 && p.ratio(.ffnUp) == 0.8)
        #expect(p.source == .seed(4))
        #expect(p.tileRows == 8 && p.tileCols == 128 && p.lanes == nil && p.portsPerBank == 1)
        let nm = try #require(try pruning("    pattern: nm\n    n: 1\n    m: 4\n"))
        #expect(nm.ratio(.out) == 0.75)
        // n and m default to 2:4.
        let twoFour = try #require(try pruning("    pattern: nm\n"))
        #expect(twoFour.ratio(.q) == 0.5 && twoFour.n == 2 && twoFour.m == 4)
    }

    @Test(arguments: [
        ("    pattern: unstructured\n    ratio: 1\n", "encoder.pruning.ratio", 25),
        ("    pattern: unstructured\n    ratio: 0.5\n    ratios:\n      k: 1.0\n", "encoder.pruning.ratios.k", 27),
        ("    pattern: unstructured\n", "encoder.pruning.ratio", 24),
        ("    pattern: nm\n    ratio: 0.5\n", "encoder.pruning.ratio", 25),
        ("    pattern: hierarchical\n    ratio: 0.5\n    tile_ratio: 0.6\n    banks: 8\n", "encoder.pruning.tile_ratio", 26),
        ("    pattern: hierarchical\n    ratio: 0.5\n    lanes: 8\n    banks: 4\n", "encoder.pruning.lanes", 26),
        ("    pattern: hierarchical\n    ratio: 0.5\n    banks: 12\n", "encoder.pruning.banks", 26),
        ("    pattern: unstructured\n    ratio: 0.5\n    lanes: 3\n", "encoder.pruning.lanes", 26),
        ("    pattern: unstructured\n    ratio: 0.5\n    tile_rows: 16\n", "encoder.pruning.tile_rows", 26),
        ("    pattern: block\n    ratio: 0.5\n    tile_ratio: 0.2\n", "encoder.pruning.tile_ratio", 26),
    ])
    func rejectsBadSettings(_ section: String, _ field: String, _ line: Int) {
        let e = configError(yaml(section))
        #expect(e?.field == field, "\(String(describing: e))")
        #expect(e?.line == line, "\(String(describing: e))")
        #expect(e?.file == "t.yaml")
    }
}
