import Foundation
import Sweep

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

/// Merges results files of one sweep (e.g. the shards of a Slurm array) into a new file.
///
/// Every input must have the same `spec_sha256`. Each input is read with its journal (a shard
/// killed mid-run still contributes its flushed rows). A task present in several inputs with
/// the same result is kept once (from the first input that has it); with different results
/// the merge is refused. The output has the provenance rows of every input plus a "merge" row,
/// is written atomically, and has the same `/results` rows as a single run of the same tasks.
///
/// - Throws: ``ResultsFileError`` — an input in use by a running writer, missing or damaged;
///   `mergeSpecMismatch` naming the odd file; `conflictingDuplicate` naming the task and both
///   files; `alreadyExists` for an existing output; `invalidArgument` when the output is an input.
@discardableResult
public func mergeResults(inputs: [String], output: String,
                         provenance: Provenance = Provenance()) throws -> MergeReport {
    guard !inputs.isEmpty else { throw ResultsFileError.invalidArgument("merge needs at least one input file") }
    let outputName = (output as NSString).standardizingPath
    for (i, input) in inputs.enumerated() {
        if (input as NSString).standardizingPath == outputName
            || (FileSystem.identity(input) != nil && FileSystem.identity(input).map { [$0.0, $0.1] } == FileSystem.identity(output).map { [$0.0, $0.1] }) {
            throw ResultsFileError.invalidArgument("the merge output \(output) is also an input; choose another --out")
        }
        for other in inputs[..<i] {
            if let a = FileSystem.identity(input), let b = FileSystem.identity(other), a == b {
                throw ResultsFileError.invalidArgument("\(input) is given twice (also as \(other))")
            }
        }
    }
    let existsHint = "refusing to overwrite it; remove it or choose another --out"
    guard !FileSystem.exists(output) else { throw ResultsFileError.alreadyExists(path: output, hint: existsHint) }
    try FileSystem.requireWritableDirectory(for: output)

    var contents: [ResultsFileContents] = []
    for input in inputs {
        if let holder = WriterLock.holder(of: input) {
            throw ResultsFileError.inUse(path: input, pid: holder.pid, host: holder.host)
        }
        let read = try ResultsReader.read(path: input, includeJournal: true)
        if let first = contents.first, read.specSHA256 != first.specSHA256 {
            throw ResultsFileError.mergeSpecMismatch(path: input, sha256: read.specSHA256,
                                                     firstPath: first.path, firstSHA256: first.specSHA256)
        }
        contents.append(read)
    }

    var tagged: [(record: TaskRecord, source: Int)] = []
    tagged.reserveCapacity(contents.reduce(0) { $0 + $1.records.count })
    for (i, c) in contents.enumerated() { tagged += c.records.map { ($0, i) } }
    let folded = try Canonical.fold(tagged, sources: inputs)

    let lock = try WriterLock.acquire(for: output)
    defer { lock.release() }
    guard !FileSystem.exists(output) else { throw ResultsFileError.alreadyExists(path: output, hint: existsHint) }
    FileSystem.removeStaleTemporaries(of: output)

    let first = contents[0]
    var snapshot = Snapshot(specText: first.specText, specSHA256: first.specSHA256, attributes: [:],
                            provenance: [], records: folded.records, analysis: nil)
    for (name, value) in try Snapshot.read(from: first.path).attributes { snapshot.attributes[name] = value }
    for (input, c) in zip(inputs, contents) {
        let name = (input as NSString).lastPathComponent
        snapshot.provenance += c.provenance.map { row in
            var row = row
            if row.sourceFile.isEmpty { row.sourceFile = name }
            return row
        }
    }
    snapshot.provenance.append(ProvenanceRecord(
        event: "merge", provenance: provenance,
        sourceFile: inputs.map { ($0 as NSString).lastPathComponent }.joined(separator: ","), rows: folded.records.count))
    snapshot.attributes["merged_from"] = .string(inputs.map { ($0 as NSString).lastPathComponent }.joined(separator: ","))
    snapshot.summarizeProvenance()
    try snapshot.write(to: output)

    return MergeReport(output: output, inputRows: contents.map(\.records.count),
                       journalRows: contents.reduce(0) { $0 + $1.journal.rows },
                       identicalDuplicates: folded.duplicates.reduce(0, +), outputRows: folded.records.count)
}
