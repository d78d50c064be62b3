import BertSimCore
import BertSimModels
import Foundation

extension ConfigLoader {
    /// `encoder.pruning:` (docs/pruning.md): the pattern, ratios (global `ratio` and/or per class
    /// `ratios`), tiles, engine, and `seed` or `mask_file`. Checks what the config alone decides;
    /// what depends on the model's shapes is checked when the simulation builds the weights.
    static func pruning(_ section: YAMLMapping, array: ComputeArray) throws(InputError) -> Pruning {
        let v = try section.values(Pruning.schema, nested: ["ratios"])
        guard case .bim(let pe) = array else {
            throw section.error("pe_array", "pruning runs on the BIM pe_array's sparse engine; this design has a systolic array")
        }
        var pruning = try Pruning.parameters.read(v)
        let pattern = pruning.pattern
        var perClass: [String: (Double, ParameterValues)] = [:]
        if section.node("ratios") != nil {
            let r = try section.mapping("ratios").values(Pruning.ratiosSchema)
            for c in MatrixClass.allCases where r.has(c.key) { perClass[c.key] = (r.double(c.key), r) }
        }
        let fromFile = v.has("mask_file") && !v.string("mask_file").isEmpty
        var ratios: [Double] = []
        if pattern == .nm {
            if v.has("ratio") || !perClass.isEmpty {
                throw v.error(v.has("ratio") ? "ratio" : "ratios", "nm takes its ratio from n and m (1 − n/m); remove it")
            }
            let (n, m) = (pruning.n, pruning.m)
            guard n <= m else { throw v.error("n", "\(n) kept of every \(m): n must be at most m") }
            ratios = Array(repeating: 1 - Double(n) / Double(m), count: MatrixClass.allCases.count)
        } else if !fromFile {
            for c in MatrixClass.allCases {
                if let (r, values) = perClass[c.key] {
                    guard r < 1 else { throw values.error(c.key, "\(r) is outside [0, 1): a ratio of 1 removes every weight") }
                    ratios.append(r)
                } else if v.has("ratio") {
                    guard v.double("ratio") < 1 else {
                        throw v.error("ratio", "\(v.double("ratio")) is outside [0, 1): a ratio of 1 removes every weight")
                    }
                    ratios.append(v.double("ratio"))
                } else {
                    throw v.error(perClass.isEmpty ? "ratio" : "ratios",
                                  perClass.isEmpty ? "missing: give ratio (all matrices), ratios (per class) or mask_file"
                                                   : "no ratio for \(c.key): give it in ratios or a global ratio")
                }
            }
        }
        let tileRatio = pruning.tileRatio
        if pattern != .hierarchical && v.has("tile_ratio") {
            throw v.error("tile_ratio", "only the hierarchical pattern drops whole tiles")
        }
        if pattern == .hierarchical, !fromFile, let least = ratios.min(), tileRatio > least {
            throw v.error("tile_ratio", "\(tileRatio) drops more tiles than the ratio \(least) removes weights")
        }
        let (lanes, banks) = (pruning.lanes, pruning.banks)
        let l = lanes ?? pe.lanes, b = banks ?? l
        guard pe.lanes % l == 0 else { throw v.error("lanes", "\(l) lanes do not divide the array's \(pe.lanes) PEs (P × N)") }
        guard pe.lanes % pruning.tileRows == 0 else {
            throw v.error("tile_rows", "\(pruning.tileRows) does not divide the array's \(pe.lanes) PEs (P × N): a weight tile must hold whole tile rows")
        }
        if pattern == .hierarchical {
            guard l <= b else {
                throw v.error(lanes != nil ? "lanes" : "banks",
                              "\(l) lanes > \(b) banks: hierarchical pruning gives every lane its own bank in each cycle, so it needs lanes ≤ banks")
            }
            guard pruning.tileCols % b == 0 else {
                throw v.error("banks", "\(b) banks do not divide tile_cols \(pruning.tileCols): a row segment must cover every bank equally")
            }
        }
        if fromFile {
            if v.has("seed") { throw v.error("seed", "give seed or mask_file, not both") }
            if v.has("ratio") || !perClass.isEmpty { throw v.error(v.has("ratio") ? "ratio" : "ratios", "a mask file's masks set the ratios; remove it") }
            let given = v.string("mask_file")
            let path = given.hasPrefix("/") ? given
                : URL(fileURLWithPath: section.file).deletingLastPathComponent().appendingPathComponent(given).path
            let set = try MaskFile.load(path: path)
            pruning.source = .file(path: given, fingerprint: set.fingerprint, masks: set)
        } else {
            pruning.source = .seed(UInt64(v.has("seed") ? v.int("seed") : 1))
        }
        pruning.ratios = ratios
        return pruning
    }
}
