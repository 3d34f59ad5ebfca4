import Foundation
import ResultsFile
import Sweep
import Vocabulary

/// The grids a results file holds: those its runs recorded (since grids are recorded), else
/// its `/spec`'s; counted and walked without listing every task.
struct ArchiveGrid {
    let spec: SweepSpec
    let union: GridUnion

    init(_ contents: ResultsFileContents, file: String) throws {
        // A spec's spectrum files are read beside the results file, where its spec was.
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent().path
        spec = try SweepSpec.parse(contents.specText, file: "\(file):/spec", baseDirectory: directory)
        let recorded = contents.grids.compactMap { SweepGrid(canonicalText: $0) }
        union = GridUnion(recorded.isEmpty ? [spec.grid] : recorded)
    }

    var hull: SweepGrid { union.hull }
    var grids: [SweepGrid] { union.grids }

    /// The experiment of the file's spec over the hull of its grids: what `analyze` fits.
    var sweep: SweepSpec { SweepSpec(experiment: spec.experiment, grid: hull) }

    func expects(_ key: TaskKey) -> Bool { union.contains(key) }
}
