import ArgumentParser
import Foundation
import Numerics
import Platform
import ResultsFile
import Sweep
import Vocabulary

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge results files of one experiment (shards, an archive and its extensions) into one file.",
        discussion: """
        All inputs must hold the same experiment (every setting but the grid); their grids may \
        differ or overlap. A task found in several inputs with the same result is kept once (and \
        counted); with different results the merge is refused. The output keeps every input's \
        grid in /provenance, is written atomically and never overwrites an existing file.
        """)

    @Argument(help: "The shard files.") var inputs: [String]
    @Option(help: "The merged results file to create.") var out: String

    func validate() throws {
        if inputs.count < 2 {
            throw ValidationError("merge needs at least two input files, got \(inputs.count)")
        }
    }

    func run() throws {
        var provenance = Provenance(
            alphasweepVersion: AlphasweepVersion.current, created: Clock.utcTimestamp(),
            hostnames: [HostName.current], ranks: 1, shard: "merge", mpiLibrary: "",
            blasCore: BLASEnvironment.coreName, commandLine: CommandLine.arguments.joined(separator: " "))
        provenance.slurm = SlurmIDs.current()  // the merge job of `submit` runs under Slurm
        let report = try mergeResults(inputs: inputs, output: out, provenance: provenance) { text in
            try SweepSpec.identity(ofSpecText: text, file: "/spec")
        }
        print("merged \(inputs.count) files (\(report.inputRows.map(String.init).joined(separator: " + ")) rows"
              + (report.journalRows > 0 ? ", \(report.journalRows) from journals" : "")
              + ") into \(out): \(report.outputRows) rows"
              + (report.identicalDuplicates > 0 ? ", \(report.identicalDuplicates) identical duplicate rows collapsed" : ""))
        let contents = try ResultsReader.read(path: out, includeJournal: false)
        let archive = try ArchiveGrid(contents, file: out)
        let expected = archive.union.count()
        let missing = expected - contents.records.filter { archive.expects($0.key) }.count
        if missing > 0 {
            print("warning: \(missing) of \(expected) tasks of the inputs' grids are missing (alphasweep inspect \(out) lists them)")
        }
    }
}
