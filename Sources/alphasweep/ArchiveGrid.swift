import ResultsFile
import Sweep
import Vocabulary

/// The grids a results file holds: those its runs recorded (since grids are recorded), else
/// its `/spec`'s; with their hull (the smallest grid holding them all) and the tasks they name.
struct ArchiveGrid {
    let spec: SweepSpec
    let grids: [SweepGrid]
    let hull: SweepGrid

    init(_ contents: ResultsFileContents, file: String) throws {
        spec = try SweepSpec.parse(contents.specText, file: "\(file):/spec")
        let recorded = contents.grids.compactMap { SweepGrid(canonicalText: $0) }
        grids = recorded.isEmpty ? [spec.grid] : recorded
        hull = SweepGrid.hull(grids)
    }

    /// The experiment of the file's spec over the hull of its grids: what `analyze` fits.
    var sweep: SweepSpec { SweepSpec(experiment: spec.experiment, grid: hull) }

    /// True when `key` is a task of one of the grids.
    func expects(_ key: TaskKey) -> Bool { grids.contains { $0.contains(key) } }

    /// Tasks of the grids, without repeats, in canonical order.
    var tasks: [TaskKey] {
        grids.count == 1 ? grids[0].tasks : Array(Set(grids.flatMap(\.tasks))).sorted()
    }
}
