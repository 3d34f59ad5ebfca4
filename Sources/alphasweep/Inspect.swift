import ArgumentParser
import Foundation
import ResultsFile
import Sweep
import Vocabulary

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what a results file holds: progress, counts, provenance, missing tasks, integrity.")

    @Argument(help: "A results file (HDF5).") var file: String
    @Option(help: "How many missing tasks to list.") var listMissing: Int = 20

    func run() throws {
        let contents = try ResultsReader.read(path: file, includeJournal: true)
        let spec = try SweepSpec.parse(contents.specText, file: "\(file):/spec")
        let expected = Set(spec.grid.tasks)
        let present = Set(contents.records.map(\.key))
        let missing = spec.grid.tasks.filter { !present.contains($0) }
        let foreign = present.subtracting(expected).count

        print("file              \(file)")
        print("spec sha256       \(contents.specSHA256)")
        print("format version    \(contents.formatVersion)")
        print("tasks             \(present.intersection(expected).count) of \(expected.count) done"
              + (missing.isEmpty ? " (complete)" : ", \(missing.count) missing"))
        if foreign > 0 { print("warning           \(foreign) rows are not tasks of the spec") }
        if contents.journal.present {
            print("journal           \(contents.journal.rows) rows not yet in the snapshot"
                  + (contents.journal.problem.map { "; ignored \(contents.journal.ignoredBytes) bytes: \($0)" } ?? ""))
        }
        print("\noptimizer   ok  diverged  failed")
        for optimizer in spec.grid.optimizers {
            let mine = contents.records.filter { $0.key.optimizer == optimizer }
            let count = { (status: TrainingOutcome.Status) in mine.filter { $0.outcome.status == status }.count }
            print(optimizer.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                  + String(format: "%4d  %8d  %6d", count(.ok), count(.diverged), count(.failed)))
        }
        let edges = contents.records.filter { $0.outcome.lrAtGridEdge }.count
        if edges > 0 { print("\n\(edges) task(s) chose a learning rate at an edge of its grid") }
        let notOK = contents.records.filter { $0.outcome.status != .ok }
        for record in notOK.prefix(10) {
            print("  \(record.outcome.status.rawValue): \(record.key) — \(record.outcome.message)")
        }

        print("\nattributes")
        for (name, value) in contents.attributes.sorted(by: { $0.key < $1.key }) {
            print("  \(name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(value)")
        }
        print("\nprovenance (\(contents.provenance.count) record(s))")
        for record in contents.provenance {
            let p = record.provenance
            print("  \(record.event) \(p.created) shard \(p.shard) ranks \(p.ranks) rows \(record.rows) "
                  + "hosts \(p.hostnames.joined(separator: ",")) blas \(p.blasCore)"
                  + (record.sourceFile.isEmpty ? "" : " from \(record.sourceFile)"))
        }
        if let analysis = contents.analysis {
            let rows = analysis.numericColumns.values.first?.count ?? analysis.stringColumns.values.first?.count ?? 0
            print("\nanalysis          /analysis holds \(rows) rows (\(analysis.attributes["created"] ?? "written by analyze"))")
        } else {
            print("\nanalysis          none yet (run `alphasweep analyze \(file)`)")
        }
        if !missing.isEmpty {
            print("\nmissing tasks (first \(min(listMissing, missing.count)) of \(missing.count))")
            for key in missing.prefix(listMissing) { print("  \(key)") }
        }
    }
}
