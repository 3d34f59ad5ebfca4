import ArgumentParser
import Foundation
import ResultsFile
import Sweep
import Vocabulary

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what a results file holds: progress, the grid per axis, cells, provenance, missing tasks.")

    @Argument(help: "A results file (HDF5).") var file: String
    @Option(help: "How many missing tasks to list.") var listMissing: Int = 20

    func run() throws {
        let contents = try ResultsReader.read(path: file, includeJournal: true)
        let archive = try ArchiveGrid(contents, file: file)
        let expected = archive.tasks
        let byKey = Dictionary(contents.records.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let missing = expected.filter { byKey[$0] == nil }
        let foreign = contents.records.filter { !archive.expects($0.key) }.count

        print("file              \(file)")
        print("spec sha256       \(contents.specSHA256)")
        if let experiment = contents.experiment { print("experiment sha256 \(experiment.sha256)") }
        print("format version    \(contents.formatVersion)")
        print("tasks             \(expected.count - missing.count) of \(expected.count) done"
              + (missing.isEmpty ? " (complete)" : ", \(missing.count) missing"))
        if foreign > 0 { print("warning           \(foreign) rows are not tasks of the file's grids") }
        if contents.journal.present {
            print("journal           \(contents.journal.rows) rows not yet in the snapshot"
                  + (contents.journal.problem.map { "; ignored \(contents.journal.ignoredBytes) bytes: \($0)" } ?? ""))
        }
        printGrid(archive, tasks: expected, byKey: byKey)
        printCells(archive, tasks: expected, byKey: byKey)
        if !contents.attempts.isEmpty {
            let crashed = contents.attempts.values.filter { $0.crashes > 0 }.count
            print("\n\(contents.attempts.count) task(s) tried without a row yet (\(crashed) crashed their worker at least once)")
            for (key, tried) in contents.attempts.sorted(by: { $0.key < $1.key }).prefix(10) {
                print("  \(key): \(tried.attempts) attempt(s), \(tried.crashes) crash(es)")
            }
        }

        print("\noptimizer   ok  diverged  failed")
        for optimizer in archive.hull.optimizers {
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
            let shown = value.replacingOccurrences(of: "\n", with: "; ")
            print("  \(name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(shown)")
        }
        print("\nprovenance (\(contents.provenance.count) record(s))")
        for record in contents.provenance {
            let p = record.provenance
            print("  \(record.event) \(p.created) shard \(p.shard) ranks \(p.ranks) rows \(record.rows) "
                  + "hosts \(p.hostnames.joined(separator: ",")) blas \(p.blasCore)"
                  + (record.sourceFile.isEmpty ? "" : " from \(record.sourceFile)"))
            if !record.grid.isEmpty { print("    grid " + record.grid.split(separator: "\n").joined(separator: "; ")) }
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

    /// Tasks done of expected and not ok, per value of an axis, counted in one pass.
    struct Tally {
        var expected = 0, done = 0, notOK = 0
    }

    static func tally<Value: Hashable>(_ tasks: [TaskKey], _ byKey: [TaskKey: TaskRecord],
                                       by value: (TaskKey) -> Value) -> [Value: Tally] {
        var out: [Value: Tally] = [:]
        for key in tasks {
            let v = value(key)
            out[v, default: Tally()].expected += 1
            guard let record = byKey[key] else { continue }
            out[v]!.done += 1
            if record.outcome.status != .ok { out[v]!.notOK += 1 }
        }
        return out
    }

    /// Per axis value: tasks done of expected, and not ok.
    func printGrid(_ archive: ArchiveGrid, tasks: [TaskKey], byKey: [TaskKey: TaskRecord]) {
        print("\ngrid              " + archive.hull.canonicalText.split(separator: "\n").joined(separator: "; "))
        if archive.grids.count > 1 { print("                  (the hull of \(archive.grids.count) grids run into the file)") }
        func axis<Value: Hashable>(_ name: String, _ values: [Value], _ label: (Value) -> String, _ of: (TaskKey) -> Value) {
            let counts = Self.tally(tasks, byKey, by: of)
            print("\n\(name.padding(toLength: 10, withPad: " ", startingAt: 0))    done/expected  not ok")
            for value in values {
                let t = counts[value] ?? Tally()
                let state = t.expected == 0 ? "" : t.done == t.expected ? (t.notOK == 0 ? "  complete" : "  complete, \(t.notOK) not ok")
                    : "  \(t.expected - t.done) missing"
                print(label(value).padding(toLength: 10, withPad: " ", startingAt: 0)
                      + String(format: "  %7d/%-7d  %6d", t.done, t.expected, t.notOK) + state)
            }
        }
        axis("N", archive.hull.N, { String($0) }, \.N)
        axis("s", archive.hull.s, { "\($0)" }, \.s)
        axis("optimizer", archive.hull.optimizers, \.rawValue, \.optimizer)
        // Replicates in runs of the same state, so thousands of them fit on a few lines.
        let counts = Self.tally(tasks, byKey, by: \.replicate)
        var runs: [(first: Int, last: Int, state: String)] = []
        for r in archive.hull.replicates {
            let t = counts[r] ?? Tally()
            let state = t.expected == 0 ? "not in any grid" : t.done == t.expected ? "complete" : t.done == 0 ? "missing" : "partial"
            if let last = runs.last, last.state == state, last.last == r - 1 { runs[runs.count - 1].last = r } else {
                runs.append((r, r, state))
            }
        }
        print("\nreplicates")
        for run in runs { print("  \(run.first == run.last ? "\(run.first)" : "\(run.first)..\(run.last)")  \(run.state)") }
    }

    /// The (optimizer, s) cells: complete, or how many tasks are missing or not ok.
    func printCells(_ archive: ArchiveGrid, tasks: [TaskKey], byKey: [TaskKey: TaskRecord]) {
        struct Cell: Hashable { var optimizer: OptimizerKind; var s: Double }
        let counts = Self.tally(tasks, byKey) { Cell(optimizer: $0.optimizer, s: $0.s) }
        var incomplete: [String] = []
        var complete = 0
        for optimizer in archive.hull.optimizers {
            for s in archive.hull.s {
                guard let t = counts[Cell(optimizer: optimizer, s: s)] else { continue }
                if t.done == t.expected && t.notOK == 0 { complete += 1; continue }
                let parts = [t.done < t.expected ? "\(t.expected - t.done) missing" : nil, t.notOK > 0 ? "\(t.notOK) not ok" : nil]
                incomplete.append("\(optimizer.rawValue) s=\(s): " + parts.compactMap { $0 }.joined(separator: ", "))
            }
        }
        print("\ncells (optimizer, s): \(complete) complete" + (incomplete.isEmpty ? "" : ", \(incomplete.count) not"))
        for line in incomplete.prefix(20) { print("  \(line)") }
        if incomplete.count > 20 { print("  … and \(incomplete.count - 20) more") }
    }
}
