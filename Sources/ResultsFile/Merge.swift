import Foundation
import Vocabulary

/// What ``mergeResults(inputs:output:provenance:)`` did.
public struct MergeReport: Equatable, Sendable {
    public var output: String
    /// Rows read from each input (snapshot and journal), in input order.
    public var inputRows: [Int]
    /// Of those, rows that came from the inputs' journals.
    public var journalRows: Int
    /// Rows dropped because another input had the same task with the same result.
    public var identicalDuplicates: Int
    public var outputRows: Int
}

/// Merges results files of one experiment (the shards of a Slurm array, an archive and its
/// extension, files of different or overlapping grids) into a new file.
///
/// Every input must hold the same experiment (`experiment_sha256`, or for older files the
/// experiment of their `/spec`, found by `identify`). Each input is read with its journal (a
/// shard killed mid-run still contributes its flushed rows). A task present in several inputs
/// with the same result is kept once (from the first input that has it) and counted; with
/// different results the merge is refused. The output keeps every input's provenance rows,
/// each with its grid, plus a "merge" row with the hull of their grids; its `/spec` is the
/// first input's. It is written atomically and has the same `/results` rows as a single run
/// of the same tasks.
///
/// - Throws: ``ResultsFileError`` — an input in use by a running writer, missing or damaged;
///   `experimentMismatch` naming the odd file and each differing setting; `conflictingDuplicate`
///   naming the task and both files; `alreadyExists` for an existing output; `invalidArgument`
///   when the output is an input.
@discardableResult
public func mergeResults(inputs: [String], output: String, provenance: Provenance = Provenance(),
                         identify: IdentifySpec) throws -> MergeReport {
    guard !inputs.isEmpty else { throw ResultsFileError.invalidArgument("merge needs at least one input file") }
    let outputIdentity = FileSystem.identity(output)
    for (i, input) in inputs.enumerated() {
        let identity = FileSystem.identity(input)
        if (input as NSString).standardizingPath == (output as NSString).standardizingPath
            || (identity != nil && identity == outputIdentity) {
            throw ResultsFileError.invalidArgument("the merge output \(output) is also an input; choose another --out")
        }
        if let identity, let twin = inputs[..<i].first(where: { FileSystem.identity($0) == identity }) {
            throw ResultsFileError.invalidArgument("\(input) is given twice (also as \(twin))")
        }
    }
    try FileSystem.requireWritableKinds(resultsPath: output)
    let existsHint = "refusing to overwrite it; remove it or choose another --out"
    guard !FileSystem.exists(output) else { throw ResultsFileError.alreadyExists(path: output, hint: existsHint) }
    try FileSystem.requireWritableDirectory(for: output)

    var loaded: [ResultsReader.Loaded] = []
    var firstExperiment: (sha256: String, text: String)?
    for input in inputs {
        if let holder = WriterLock.holder(of: input) {
            throw ResultsFileError.inUse(path: input, pid: holder.pid, host: holder.host)
        }
        var read = try ResultsReader.load(path: input, includeJournal: true)
        let experiment = try read.snapshot.experiment(path: input, identify: identify)
        if let first = firstExperiment, experiment.sha256 != first.sha256 {
            throw ResultsFileError.experimentMismatch(
                path: input, differences: ResultsWriter.differences(first.text, experiment.text, inputs[0], input))
        }
        firstExperiment = firstExperiment ?? experiment
        if read.snapshot.provenance.allSatisfy({ $0.grid.isEmpty }), let grid = try? identify(read.snapshot.specText).gridText {
            for i in read.snapshot.provenance.indices { read.snapshot.provenance[i].grid = grid }
        }
        loaded.append(read)
    }

    var tagged: [(record: TaskRecord, source: Int)] = []
    tagged.reserveCapacity(loaded.reduce(0) { $0 + $1.records.count })
    for (i, input) in loaded.enumerated() { tagged += input.records.map { ($0, i) } }
    let folded = try Canonical.fold(tagged, sources: inputs)

    let lock = try WriterLock.acquire(for: output)
    defer { lock.release() }
    guard !FileSystem.exists(output) else { throw ResultsFileError.alreadyExists(path: output, hint: existsHint) }
    FileSystem.removeStaleTemporaries(of: output)

    // The first input's root attributes (unknown ones included), its spec; every input's
    // provenance rows, then the merge's own row; no /analysis (it would describe fewer rows).
    let names = inputs.map { ($0 as NSString).lastPathComponent }
    var snapshot = loaded[0].snapshot
    snapshot.records = folded.records
    snapshot.analysis = nil
    snapshot.provenance = zip(names, loaded).flatMap { name, input in
        input.snapshot.provenance.map { row in
            var row = row
            if row.sourceFile.isEmpty { row.sourceFile = name }
            return row
        }
    }
    let grids = snapshot.provenance.compactMap { SweepGrid(canonicalText: $0.grid) }
    snapshot.provenance.append(ProvenanceRecord(event: "merge", provenance: provenance,
                                                sourceFile: names.joined(separator: ","), rows: folded.records.count,
                                                grid: grids.isEmpty ? "" : SweepGrid.hull(grids).canonicalText))
    snapshot.attributes["merged_from"] = .string(names.joined(separator: ","))
    snapshot.attributes["experiment_sha256"] = .string(firstExperiment!.sha256)
    snapshot.attributes["experiment"] = .string(firstExperiment!.text)
    // Attempts at tasks no input finished: the most any input saw.
    let done = Set(folded.records.map(\.key))
    snapshot.attempts = [:]
    for input in loaded {
        for (key, tried) in input.snapshot.attempts where !done.contains(key) {
            let other = snapshot.attempts[key] ?? TaskAttempts(attempts: 0, crashes: 0)
            snapshot.attempts[key] = TaskAttempts(attempts: max(other.attempts, tried.attempts),
                                                  crashes: max(other.crashes, tried.crashes))
        }
    }
    snapshot.summarizeProvenance()
    try snapshot.write(to: output)

    return MergeReport(output: output, inputRows: loaded.map(\.records.count),
                       journalRows: loaded.reduce(0) { $0 + $1.journal.rows },
                       identicalDuplicates: folded.duplicates.reduce(0, +), outputRows: folded.records.count)
}
