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

    func validate() throws { try Ranges.check(listMissing, 0...1_000_000, "--list-missing") }

    func run() throws {
        let contents = try ResultsReader.read(path: file, includeJournal: true)
        let archive = try ArchiveGrid(contents, file: file)
        let byKey = Dictionary(contents.records.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let foreign = contents.records.filter { !archive.expects($0.key) }.count
        let expected = archive.union.count()
        let missingCount = expected - (contents.records.count - foreign)

        print("file              \(file)")
        print("spec sha256       \(contents.specSHA256)")
        if let experiment = contents.experiment { print("experiment sha256 \(experiment.sha256)") }
        print("format version    \(contents.formatVersion)")
        print("tasks             \(expected - missingCount) of \(expected) done"
              + (missingCount == 0 ? " (complete)" : ", \(missingCount) missing"))
        if foreign > 0 { print("warning           \(foreign) rows are not tasks of the file's grids") }
        if contents.journal.present {
            print("journal           \(contents.journal.rows) rows not yet in the snapshot"
                  + (contents.journal.problem.map { "; ignored \(contents.journal.ignoredBytes) bytes: \($0)" } ?? ""))
        }
        printGrid(archive, records: contents.records)
        printCells(archive, records: contents.records)
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
            if !p.slurm.description.isEmpty { print("    slurm " + p.slurm.description) }
            if !record.peakRSSByRank.isEmpty { print("    peak RSS MiB by rank " + record.peakRSSByRank) }
        }
        printTrace(contents.records)
        if let analysis = contents.analysis {
            let rows = analysis.numericColumns.values.first?.count ?? analysis.stringColumns.values.first?.count ?? 0
            let shape = analysis.labelled.dimensions.map { "\($0.name) \($0.values.count)" }.joined(separator: " × ")
            let held = analysis.labelled.isEmpty ? "\(rows) rows" : "arrays over \(shape)"
            print("\nanalysis          /analysis holds \(held) (\(analysis.attributes["created"] ?? "written by analyze"))")
        } else {
            print("\nanalysis          none yet (run `alphasweep analyze \(file)`)")
        }
        if missingCount > 0 && listMissing > 0 {
            print("\nmissing tasks (first \(min(listMissing, missingCount)) of \(missingCount))")
            for key in archive.union.tasks.lazy.filter({ byKey[$0] == nil }).prefix(listMissing) { print("  \(key)") }
        }
    }

    /// Per host: tasks, wall time, the first and last start and the largest peak RSS (rows of
    /// record layout 3; older rows have no host and are counted apart).
    func printTrace(_ records: [TaskRecord]) {
        let traced = records.filter { !$0.host.isEmpty }
        guard !traced.isEmpty else { return }
        print("\ntrace (per host)   tasks  wall total  wall mean  first start → last start              peak RSS")
        for host in Set(traced.map(\.host)).sorted() {
            let mine = traced.filter { $0.host == host }
            let wall = mine.reduce(0) { $0 + $1.wallSeconds }
            let starts = mine.map(\.startedUTC).filter { !$0.isEmpty }.sorted()
            let peak = Double(mine.map(\.peakRSSBytes).max() ?? 0) / 1_048_576
            print("  " + host.padding(toLength: 16, withPad: " ", startingAt: 0)
                  + String(format: "%6d  %9.1fs  %8.3fs  ", mine.count, wall, wall / Double(mine.count))
                  + "\(starts.first ?? "?") → \(starts.last ?? "?")  " + String(format: "%.0f MiB", peak))
        }
        if traced.count < records.count { print("  (\(records.count - traced.count) rows written before tasks were traced)") }
    }

    /// Tasks done and not ok, per value of an axis, counted in one pass over the rows; the
    /// tasks expected, from the grids.
    struct Tally {
        var expected = 0, done = 0, notOK = 0
    }

    static func tally<Value: Hashable>(_ records: [TaskRecord], _ archive: ArchiveGrid, values: [Value],
                                       by value: (TaskKey) -> Value, expected: (Value) -> Int) -> [Value: Tally] {
        var out: [Value: Tally] = [:]
        for v in values { out[v] = Tally(expected: expected(v)) }
        for record in records where archive.expects(record.key) {
            let v = value(record.key)
            out[v, default: Tally()].done += 1
            if record.outcome.status != .ok { out[v]!.notOK += 1 }
        }
        return out
    }

    /// Per axis value: tasks done of expected, and not ok.
    func printGrid(_ archive: ArchiveGrid, records: [TaskRecord]) {
        print("\ngrid              " + archive.hull.canonicalText.split(separator: "\n").joined(separator: "; "))
        if archive.grids.count > 1 { print("                  (the hull of \(archive.grids.count) grids run into the file)") }
        func axis<Value: Hashable>(_ name: String, _ values: [Value], _ label: (Value) -> String, _ of: (TaskKey) -> Value,
                                   _ expected: (Value) -> Int) {
            let counts = Self.tally(records, archive, values: values, by: of, expected: expected)
            print("\n\(name.padding(toLength: 10, withPad: " ", startingAt: 0))    done/expected  not ok")
            for value in values {
                let t = counts[value] ?? Tally()
                let state = t.expected == 0 ? "" : t.done == t.expected ? (t.notOK == 0 ? "  complete" : "  complete, \(t.notOK) not ok")
                    : "  \(t.expected - t.done) missing"
                print(label(value).padding(toLength: 10, withPad: " ", startingAt: 0)
                      + String(format: "  %7d/%-7d  %6d", t.done, t.expected, t.notOK) + state)
            }
        }
        let union = archive.union, hull = archive.hull
        axis("N", hull.N, { String($0) }, \.N) { union.count(N: $0) }
        axis("s", hull.s, { "\($0)" }, \.s) { union.count(s: $0) }
        axis("optimizer", hull.optimizers, \.rawValue, \.optimizer) { union.count(optimizer: $0) }
        // Replicates in runs of the same state, so thousands of them fit on a few lines.
        let counts = Self.tally(records, archive, values: [Int](), by: \.replicate) { _ in 0 }
        var runs: [(first: Int, last: Int, state: String)] = []
        for r in hull.replicates {
            let expected = union.count(replicate: r), done = counts[r]?.done ?? 0
            let state = expected == 0 ? "not in any grid" : done == expected ? "complete" : done == 0 ? "missing" : "partial"
            if let last = runs.last, last.state == state, last.last == r - 1 { runs[runs.count - 1].last = r } else {
                runs.append((r, r, state))
            }
        }
        print("\nreplicates")
        for run in runs.prefix(40) { print("  \(run.first == run.last ? "\(run.first)" : "\(run.first)..\(run.last)")  \(run.state)") }
        if runs.count > 40 { print("  … and \(runs.count - 40) more runs") }
    }

    /// The (optimizer, s) cells: complete, or how many tasks are missing or not ok.
    func printCells(_ archive: ArchiveGrid, records: [TaskRecord]) {
        struct Cell: Hashable { var optimizer: OptimizerKind; var s: Double }
        let cells = archive.hull.optimizers.flatMap { o in archive.hull.s.map { Cell(optimizer: o, s: $0) } }
        let union = archive.union
        let counts = Self.tally(records, archive, values: cells, by: { Cell(optimizer: $0.optimizer, s: $0.s) }) {
            union.count(optimizer: $0.optimizer, s: $0.s)
        }
        var incomplete: [String] = []
        var complete = 0
        for cell in cells {
            guard let t = counts[cell], t.expected > 0 else { continue }
            if t.done == t.expected && t.notOK == 0 { complete += 1; continue }
            let parts = [t.done < t.expected ? "\(t.expected - t.done) missing" : nil, t.notOK > 0 ? "\(t.notOK) not ok" : nil]
            incomplete.append("\(cell.optimizer.rawValue) s=\(cell.s): " + parts.compactMap { $0 }.joined(separator: ", "))
        }
        print("\ncells (optimizer, s): \(complete) complete" + (incomplete.isEmpty ? "" : ", \(incomplete.count) not"))
        for line in incomplete.prefix(20) { print("  \(line)") }
        if incomplete.count > 20 { print("  … and \(incomplete.count - 20) more") }
    }
}
