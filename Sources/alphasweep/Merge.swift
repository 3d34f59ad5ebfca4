import ArgumentParser
import Foundation
import Numerics
import Platform
import ResultsFile
import Sweep
import Vocabulary

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge the results files of one sweep's shards into one file.",
        discussion: """
        All inputs must come from the same spec. A task found in several inputs with the same \
        result is kept once; with different results the merge is refused. The output is written \
        atomically and never overwrites an existing file.
        """)

    @Argument(help: "The shard files.") var inputs: [String]
    @Option(help: "The merged results file to create.") var out: String

    func validate() throws {
        if inputs.count < 2 {
            throw ValidationError("merge needs at least two input files, got \(inputs.count)")
        }
    }

    func run() throws {
        let provenance = Provenance(
            alphasweepVersion: AlphasweepVersion.current, created: Clock.utcTimestamp(),
            hostnames: [HostName.current], ranks: 1, shard: "merge", mpiLibrary: "",
            blasCore: BLASEnvironment.coreName, commandLine: CommandLine.arguments.joined(separator: " "))
        let report = try mergeResults(inputs: inputs, output: out, provenance: provenance)
        print("merged \(inputs.count) files (\(report.inputRows.map(String.init).joined(separator: " + ")) rows"
              + (report.journalRows > 0 ? ", \(report.journalRows) from journals" : "")
              + ") into \(out): \(report.outputRows) rows"
              + (report.identicalDuplicates > 0 ? ", \(report.identicalDuplicates) identical duplicate rows collapsed" : ""))
        let contents = try ResultsReader.read(path: out, includeJournal: false)
        let spec = try SweepSpec.parse(contents.specText, file: "\(out):/spec")
        let missing = spec.grid.taskCount - Set(contents.records.map(\.key)).intersection(spec.grid.tasks).count
        if missing > 0 {
            print("warning: \(missing) of \(spec.grid.taskCount) tasks are missing (alphasweep inspect \(out) lists them)")
        }
    }
}
