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
        spec = try SweepSpec.parse(contents.specText, file: "\(file):/spec", searchDirectories: Self.searchDirectories(file))
        // A spectrum file found by its path but edited since the run is another experiment.
        if let recorded = contents.experiment, recorded.sha256 != spec.experimentSHA256, !spec.experiment.spectrumFiles.isEmpty {
            let changes = Experiment.differences(recorded.text, spec.experiment.canonicalText, firstLabel: "archive", secondLabel: "now")
            throw BadInput("\(file): its spectrum files differ from those it was run with (\(changes.joined(separator: "; ")))")
        }
        let recorded = contents.grids.compactMap { SweepGrid(canonicalText: $0) }
        union = GridUnion(recorded.isEmpty ? [spec.grid] : recorded)
    }

    /// Where an archive's relative spectrum files are sought: beside it, then in the working
    /// directory.
    static func searchDirectories(_ file: String) -> [String] {
        let beside = URL(fileURLWithPath: file).deletingLastPathComponent().standardizedFileURL.path
        let working = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
        return beside == working ? [beside] : [beside, working]
    }

    var hull: SweepGrid { union.hull }
    var grids: [SweepGrid] { union.grids }

    /// The experiment of the file's spec over the hull of its grids: what `analyze` fits.
    var sweep: SweepSpec { SweepSpec(experiment: spec.experiment, grid: hull) }

    func expects(_ key: TaskKey) -> Bool { union.contains(key) }
}
