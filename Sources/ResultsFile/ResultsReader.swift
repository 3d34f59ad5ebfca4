import Vocabulary

/// Reads results files: the snapshot `FILE.h5` plus, optionally, the rows of its journal
/// `FILE.h5.journal` that a running or crashed writer has not yet folded in.
///
/// Reading never takes the writer lock and never writes: a file can be inspected while a run
/// is writing it. The journal is read before the snapshot, so a checkpoint in between only
/// turns journal rows into identical duplicates (collapsed), never loses them.
public enum ResultsReader {
    /// Reads everything in a results file.
    ///
    /// - Parameters:
    ///   - path: the results file `FILE.h5`.
    ///   - includeJournal: also read `FILE.h5.journal` when present (default). A torn or
    ///     corrupt tail is ignored and reported in ``ResultsFileContents/journal``.
    /// - Throws: ``ResultsFileError`` naming the file: missing, not HDF5, damaged, wrong format
    ///   version, journal of another spec, conflicting rows for a task.
    public static func read(path: String, includeJournal: Bool = true) throws -> ResultsFileContents {
        let loaded = try load(path: path, includeJournal: includeJournal)
        let s = loaded.snapshot
        return ResultsFileContents(path: path, specText: s.specText, specSHA256: s.specSHA256,
                                   formatVersion: Snapshot.formatVersion, attributes: s.attributes.mapValues(\.text),
                                   provenance: s.provenance, records: loaded.records, journal: loaded.journal,
                                   analysis: s.analysis, attempts: s.attempts)
    }

    /// The writer named by the lock file of `path` (read without taking the lock), nil when
    /// there is no lock file. The process may be gone if it was killed with -9.
    public static func writerRecordedInLock(path: String) -> (pid: Int32?, host: String?)? {
        WriterLock.recordedHolder(of: path)
    }

    /// The `/analysis` group of a results file, nil when there is none.
    public static func readAnalysis(path: String) throws -> AnalysisTable? {
        try Snapshot.read(from: path).analysis
    }

    /// A results file as read: the snapshot, the records of snapshot + journal in canonical
    /// order, what the journal contributed, and the work it shows in flight when its writer
    /// stopped writing.
    struct Loaded {
        var snapshot: Snapshot
        var records: [TaskRecord]
        var journal: JournalReport
        var unfinished: Set<TaskKey>
    }

    static func load(path: String, includeJournal: Bool) throws -> Loaded {
        let journalPath = JournalFormat.path(for: path)
        let journal = includeJournal ? try FileSystem.readAll(journalPath).map { try JournalFormat.parse($0, path: journalPath) } : nil
        let snapshot = try Snapshot.read(from: path)
        guard let journal else {
            let folded = try Canonical.fold(snapshot.records.map { ($0, 0) }, sources: [path])
            return Loaded(snapshot: snapshot, records: folded.records, journal: .none, unfinished: [])
        }
        if journal.validLength > 0 && journal.specSHA256.lowercased() != snapshot.specSHA256.lowercased() {
            throw ResultsFileError.corrupt(
                path: journalPath,
                detail: "the journal belongs to a different spec (sha256 \(journal.specSHA256)) than \(path) "
                    + "(sha256 \(snapshot.specSHA256)); read without the journal to see the snapshot alone")
        }
        let tagged = snapshot.records.map { ($0, 0) } + journal.records.map { ($0, 1) }
        let folded = try Canonical.fold(tagged, sources: [path, journalPath])
        let report = JournalReport(present: true, rows: journal.records.count - folded.duplicates[1],
                                   duplicateRows: folded.duplicates[1], ignoredBytes: journal.ignoredBytes,
                                   problem: journal.tailProblem)
        return Loaded(snapshot: snapshot, records: folded.records, journal: report, unfinished: journal.unfinished)
    }
}
