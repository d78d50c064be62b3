/// The stages of a run that are its compute array, named as the models name them: the one
/// place that knows (reports, comparisons and sweeps ask here).
///
/// An encoder run under the padded scheduler has one array stage, `pe_array` (a BIM or a
/// systolic array); under the length-aware scheduler the array is split into partitions, one
/// stage each (`stage0`, `stage1`, …). The walking-skeleton pipeline has no array: all its
/// stages count.
public enum ComputeArrayStages {
    /// The name of partition `index` of the length-aware pipeline.
    public static func partition(_ index: Int) -> String { "stage\(index)" }

    /// The indices of the array's stages among `names` (in order) of a run by `scheduler`
    /// (nil: the walking-skeleton pipeline).
    public static func indices(of names: [String], scheduler: SchedulerKind?) -> [Int] {
        switch scheduler {
        case .lengthAware?:
            let partitions = Set((0..<names.count).map(partition))
            return names.indices.filter { partitions.contains(names[$0]) }
        case .padded?:
            return names.indices.filter { names[$0] == EncoderUnit.peArray.stageName }
        case nil:
            return Array(names.indices)
        }
    }
}
