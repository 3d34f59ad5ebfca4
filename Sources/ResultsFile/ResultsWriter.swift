import Foundation
import Platform
import Vocabulary

/// The one writer of a results file (rank 0 of a run). Thread-confined: use it from one thread.
///
/// Crash safety:
/// - `FILE.h5` is always a complete snapshot, only ever replaced atomically (temporary file,
///   fsync, rename, directory fsync); it is never opened for writing.
/// - Rows go to the journal `FILE.h5.journal`: ``append(_:)`` buffers, ``flush()`` writes and
///   fsyncs. A crash loses at most the rows appended since the last flush.
/// - A checkpoint folds the rows into a new snapshot, then resets the journal. A crash between
///   the two leaves identical rows in both, which readers collapse.
/// - `FILE.h5.lock` (flock) keeps a second writer out for the writer's lifetime.
///
/// ```swift
/// let writer = try ResultsWriter.create(path: "sweep.h5", specText: yaml, specSHA256: sha,
///                                       provenance: Provenance(alphasweepVersion: "1.0", ranks: 8))
/// try writer.append(records)
/// try writer.flush()      // durable; checkpoints automatically now and then
/// try writer.close()      // final snapshot; the journal and lock file are removed
/// ```
public final class ResultsWriter {
    /// When ``flush()`` also checkpoints. Rewriting the snapshot costs time proportional to
    /// the whole file, so the policy keeps that cost amortised.
    public struct CheckpointPolicy: Sendable {
        /// Checkpoint once the journal holds this fraction of the snapshot's rows (and at least
        /// `minimumJournalRows`): the snapshot grows geometrically, so all rewrites together
        /// cost O(rows).
        public var journalToSnapshotRatio: Double
        public var minimumJournalRows: Int
        /// Also checkpoint when this many seconds have passed since the last checkpoint
        /// (so a mid-run `FILE.h5` read without its journal is at most this old)…
        public var interval: Double
        /// …unless that would spend more than this fraction of wall time writing snapshots.
        public var maxTimeFraction: Double

        public init(journalToSnapshotRatio: Double = 1, minimumJournalRows: Int = 1000, interval: Double = 60,
                    maxTimeFraction: Double = 0.05) {
            self.journalToSnapshotRatio = journalToSnapshotRatio
            self.minimumJournalRows = minimumJournalRows
            self.interval = interval
            self.maxTimeFraction = maxTimeFraction
        }

        public static let `default` = CheckpointPolicy()
        /// Snapshots only on ``checkpoint()`` and ``close()``.
        public static let manual = CheckpointPolicy(journalToSnapshotRatio: .infinity, minimumJournalRows: .max,
                                                   interval: .infinity)
    }

    /// Messages longer than this (in UTF-8 bytes) are cut (`TrainingOutcome.sanitized`).
    public static let maxMessageBytes = TrainingOutcome.maxMessageBytes

    public let path: String
    public var journalPath: String { JournalFormat.path(for: path) }
    public let specSHA256: String
    public var policy: CheckpointPolicy

    private var lock: WriterLock?
    private var journal: JournalWriter
    /// What `FILE.h5` holds now; this writer's provenance row is the last one.
    private var snapshot: Snapshot
    /// Rows appended since the snapshot was written, in arrival order.
    private var pending: [TaskRecord] = []
    private var keys: Set<TaskKey>
    private var rowsThisRun = 0
    /// Each rank's largest `peak_rss_bytes` among this run's rows (for its provenance row).
    private var peakRSSThisRun: [Int32: Int64] = [:]
    /// Work handed out and not yet finished or interrupted: per instance, the unit with the
    /// optimizers still open (one entry per unit, not per task: tiny tasks go out by the ten
    /// thousand).
    private var inFlight: [InstanceKey: WorkUnit] = [:]
    private var mode: mode_t?
    private var lastCheckpointTime = Clock.monotonicSeconds()
    private var lastCheckpointSeconds = 0.0

    /// Snapshots written by this writer (the initial one included).
    public private(set) var snapshotCount = 1

    /// Rows in the file (snapshot and journal), this writer's included.
    public var rowCount: Int { snapshot.records.count + pending.count }
    public var isClosed: Bool { lock == nil }

    private init(path: String, specSHA256: String, policy: CheckpointPolicy, lock: WriterLock,
                 journal: JournalWriter, snapshot: Snapshot, mode: mode_t?) {
        self.path = path
        self.specSHA256 = specSHA256
        self.policy = policy
        self.lock = lock
        self.journal = journal
        self.snapshot = snapshot
        self.mode = mode
        self.keys = Set(snapshot.records.map(\.key))
    }

    /// Without ``close()``: the buffer is flushed if possible and the lock released, as after a
    /// crash (the journal keeps the rows for the next reader or `resume`).
    deinit {
        guard lock != nil else { return }
        try? journal.flush()
        journal.close()
        lock?.release()
    }

    // MARK: - Opening

    /// Creates a new results file with no rows, and its journal.
    ///
    /// - Parameters:
    ///   - path: `FILE.h5`; must not exist, its directory must exist and be writable.
    ///   - identity: the run's spec (stored in `/spec`), its hashes and grid.
    ///   - provenance: this run; becomes the first `/provenance` row (event "run").
    /// - Throws: ``ResultsFileError/alreadyExists(path:hint:)`` (use `--resume` or remove it),
    ///   ``ResultsFileError/unusableDirectory(path:reason:)``, ``ResultsFileError/inUse(path:pid:host:)``, I/O errors.
    public static func create(path: String, identity: SweepIdentity, provenance: Provenance,
                              policy: CheckpointPolicy = .default) throws -> ResultsWriter {
        let sha = try normalized(identity.specSHA256)
        try FileSystem.requireWritableKinds(resultsPath: path)
        if let holder = WriterLock.holder(of: path) {
            throw ResultsFileError.inUse(path: path, pid: holder.pid, host: holder.host)
        }
        let existsHint = "use --resume to continue it, or remove it"
        guard !FileSystem.exists(path) else { throw ResultsFileError.alreadyExists(path: path, hint: existsHint) }
        try FileSystem.requireWritableDirectory(for: path)
        let lock = try WriterLock.acquire(for: path)
        guard !FileSystem.exists(path) else { throw ResultsFileError.alreadyExists(path: path, hint: existsHint) }
        let journalPath = JournalFormat.path(for: path)
        guard !FileSystem.exists(journalPath) else {
            throw ResultsFileError.alreadyExists(
                path: journalPath, hint: "it holds rows of a results file \(path) that no longer exists; remove it first")
        }
        FileSystem.removeStaleTemporaries(of: path)

        var snapshot = Snapshot(specText: identity.specText, specSHA256: sha, attributes: [:],
                                provenance: [ProvenanceRecord(event: "run", provenance: provenance,
                                                              sourceFile: (path as NSString).lastPathComponent, rows: 0,
                                                              grid: identity.gridText)],
                                records: [], analysis: nil)
        snapshot.setExperiment(identity)
        snapshot.summarizeProvenance()
        try snapshot.write(to: path)
        let journal = try JournalWriter.create(path: journalPath, specSHA256: sha)
        return ResultsWriter(path: path, specSHA256: sha, policy: policy, lock: lock, journal: journal,
                             snapshot: snapshot, mode: nil)
    }

    /// What resuming a results file found and did.
    public struct Resumption {
        public var writer: ResultsWriter
        /// The rows in the file now (the tasks to skip), in canonical order.
        public var existing: [TaskRecord]
        /// What the journal of the previous run contributed.
        public var journal: JournalReport
        /// Tasks whose worker died with them in flight in the previous run (counted now).
        public var crashed: Int
        /// Failed or diverged rows dropped to be run again (`retryFailed`).
        public var retried: Int
        /// Rows written now for tasks that crashed their worker `crashLimit` times: given up.
        public var givenUp: [TaskRecord]
        /// Tasks without a row that crashed a worker at least once (to be run alone).
        public var suspects: Set<TaskKey>
    }

    /// Continues an existing results file, possibly with a grown grid: checks that the file
    /// holds the same experiment (its `experiment_sha256`, or for older files the experiment of
    /// its `/spec` by `identify`), folds snapshot and journal (a torn journal tail is
    /// dropped; work the journal shows in flight counts as a crash), records the run's spec and
    /// grid with a "resume" provenance row, and starts a fresh journal.
    ///
    /// - Parameters:
    ///   - retryFailed: drop failed and diverged rows, so that their tasks run again (their
    ///     attempts are kept and counted on in the new row).
    ///   - crashLimit: a task that crashed its worker this many times gets a failed row ("crashed
    ///     its worker N times") instead of another run.
    /// - Throws: ``ResultsFileError/experimentMismatch(path:differences:)`` naming each differing
    ///   setting (the file is left untouched), ``ResultsFileError/inUse(path:pid:host:)``, read
    ///   errors of ``ResultsReader``.
    public static func resume(path: String, identity: SweepIdentity, provenance: Provenance,
                              identify: IdentifySpec, retryFailed: Bool = false, crashLimit: Int = 3,
                              policy: CheckpointPolicy = .default) throws -> Resumption {
        let sha = try normalized(identity.specSHA256)
        guard FileSystem.exists(path) else { throw ResultsFileError.fileNotFound(path: path) }
        try FileSystem.requireWritableKinds(resultsPath: path)
        try FileSystem.requireWritableDirectory(for: path)
        try requireReplaceable(path)
        let lock = try WriterLock.acquire(for: path)
        let loaded = try ResultsReader.load(path: path, includeJournal: true)
        let experiment = try loaded.snapshot.experiment(path: path, identify: identify)
        guard experiment.sha256 == identity.experimentSHA256 else {
            throw ResultsFileError.experimentMismatch(
                path: path, differences: differences(experiment.text, identity.experimentText, "archive", "spec"))
        }
        try requireReplaceable(path)
        FileSystem.removeStaleTemporaries(of: path)

        var snapshot = loaded.snapshot
        snapshot.records = loaded.records
        if snapshot.provenance.allSatisfy({ $0.grid.isEmpty }), let old = try? identify(loaded.snapshot.specText).gridText {
            // A file from before grids were recorded: its runs ran its /spec's grid.
            for i in snapshot.provenance.indices { snapshot.provenance[i].grid = old }
        }
        snapshot.specText = identity.specText
        snapshot.specSHA256 = sha
        snapshot.setExperiment(identity)
        let present = Set(snapshot.records.map(\.key))
        var crashed = 0
        for key in loaded.unfinished where !present.contains(key) {
            snapshot.attempts[key, default: TaskAttempts(attempts: 0, crashes: 0)].attempts += 1
            snapshot.attempts[key]!.crashes += 1
            crashed += 1
        }
        var retried = 0
        if retryFailed {
            snapshot.records.removeAll { record in
                guard record.outcome.status != .ok else { return false }
                let before = snapshot.attempts[record.key] ?? TaskAttempts(attempts: 0, crashes: 0)
                snapshot.attempts[record.key] = TaskAttempts(attempts: before.attempts + Int(record.attempts),
                                                             crashes: before.crashes)
                retried += 1
                return true
            }
        }
        var givenUp: [TaskRecord] = []
        for (key, tried) in snapshot.attempts.sorted(by: { $0.key < $1.key }) where tried.crashes >= crashLimit {
            let outcome = TrainingOutcome(testLoss: .nan, trainLoss: .nan, lr: .nan, lrAtGridEdge: false, status: .failed,
                                          message: "crashed its worker \(tried.crashes) times")
            givenUp.append(TaskRecord(key: key, outcome: outcome, wallSeconds: 0, rank: -1,
                                      attempts: Int32(clamping: max(tried.attempts, 1))))
            snapshot.attempts.removeValue(forKey: key)
        }
        if !givenUp.isEmpty {
            snapshot.records = try Canonical.fold((snapshot.records + givenUp).map { ($0, 0) }, sources: [path]).records
        }
        snapshot.provenance.append(ProvenanceRecord(event: "resume", provenance: provenance,
                                                    sourceFile: (path as NSString).lastPathComponent, rows: givenUp.count,
                                                    grid: identity.gridText))
        snapshot.summarizeProvenance()
        let mode = FileSystem.mode(of: path)
        try snapshot.write(to: path, mode: mode)
        let journal = try JournalWriter.create(path: JournalFormat.path(for: path), specSHA256: sha)
        let writer = ResultsWriter(path: path, specSHA256: sha, policy: policy, lock: lock, journal: journal,
                                   snapshot: snapshot, mode: mode)
        writer.rowsThisRun = givenUp.count
        return Resumption(writer: writer, existing: snapshot.records, journal: loaded.journal, crashed: crashed,
                          retried: retried, givenUp: givenUp,
                          suspects: Set(snapshot.attempts.filter { $0.value.crashes > 0 }.keys))
    }

    /// "key: a, b" lines for the settings that differ, for the mismatch message.
    static func differences(_ a: String, _ b: String, _ aLabel: String, _ bLabel: String) -> String {
        Experiment.differences(a, b, firstLabel: aLabel, secondLabel: bLabel).joined(separator: "; ")
    }

    // MARK: - Writing

    /// Buffers finished tasks for the journal (``flush()`` makes them durable). A task already
    /// in the file with the same result is skipped; with a different result the whole batch is
    /// refused with ``ResultsFileError/conflictingDuplicate(key:firstPath:secondPath:detail:)``.
    public func append(_ records: [TaskRecord]) throws {
        try requireOpen()
        var batch: [TaskRecord] = []
        batch.reserveCapacity(records.count)
        for var record in records {
            record.outcome.message = TrainingOutcome.sanitized(record.outcome.message)
            if let tried = snapshot.attempts[record.key] { record.attempts += Int32(clamping: tried.attempts) }
            if keys.insert(record.key).inserted {
                batch.append(record)
                continue
            }
            let existing = batch.last(where: { $0.key == record.key }) ?? find(record.key)!
            guard existing.hasSameResult(as: record) else {
                for added in batch { keys.remove(added.key) }
                throw ResultsFileError.conflictingDuplicate(key: record.key.description, firstPath: path,
                                                            secondPath: "the rows being appended",
                                                            detail: existing.resultDifference(record))
            }
        }
        for record in batch {
            if record.peakRSSBytes > 0 {
                peakRSSThisRun[record.rank] = max(peakRSSThisRun[record.rank] ?? 0, record.peakRSSBytes)
            }
            pending.append(record)
            journal.append(.result(record))
            close(record.key)
            snapshot.attempts.removeValue(forKey: record.key)
        }
        rowsThisRun += batch.count
        if journal.bufferedBytes > 8 << 20 { try flush() }
    }

    /// Notes work handed to a worker (buffered like rows; durable with the next ``flush()``,
    /// which must come before the work is sent). If this process dies before the work's rows
    /// arrive, the next resume counts a crash for each of its tasks.
    public func noteDispatched(_ units: [WorkUnit]) throws {
        try requireOpen()
        for unit in units {
            journal.append(.dispatched(unit))
            if var open = inFlight[unit.instance] {
                open.optimizers = Array(Set(open.optimizers + unit.optimizers)).sorted()
                inFlight[unit.instance] = open
            } else {
                inFlight[unit.instance] = unit
            }
        }
    }

    /// Notes work abandoned by a planned stop (a time limit's warning signal): not a crash.
    public func noteInterrupted(_ units: [WorkUnit]) throws {
        try requireOpen()
        for unit in units {
            journal.append(.interrupted(unit))
            for key in unit.tasks { close(key) }
        }
    }

    public func append(_ record: TaskRecord) throws { try append([record]) }

    /// Writes the buffered rows to the journal and fsyncs it; then checkpoints if the policy
    /// says so. On failure (e.g. ``ResultsFileError/noSpace(path:detail:)``) the rows flushed
    /// before stay durable and the unflushed ones stay buffered for a retry.
    public func flush() throws {
        try requireOpen()
        try journal.flush()
        if shouldCheckpoint() { try checkpoint() }
    }

    /// Folds every row into a new snapshot (atomic replace), then resets the journal.
    public func checkpoint() throws {
        try requireOpen()
        try writeSnapshot()
        journal.discardBuffer()  // every buffered row is in the snapshot now
        // If the reset fails the old journal stays: its rows are all in the snapshot as well.
        let fresh = try JournalWriter.create(path: journalPath, specSHA256: specSHA256)
        journal.close()
        journal = fresh
        // The old journal's record of work in flight goes with it: write it again.
        for unit in inFlight.values.sorted(by: { $0.instance < $1.instance }) { journal.append(.dispatched(unit)) }
    }

    /// Writes the final snapshot, removes the journal and releases the lock. If the snapshot
    /// cannot be written, the journal is flushed (if possible) and kept, the lock released and
    /// the error thrown: `resume` or a reader recovers the rows.
    public func close() throws {
        try requireOpen()
        defer {
            journal.close()
            lock?.release()
            lock = nil
        }
        // Work still in flight now was abandoned unplanned (a store failure, a stop signal other
        // than the planned one, a lost rank): a crash for each of its tasks.
        for key in inFlight.values.flatMap(\.tasks) {
            snapshot.attempts[key, default: TaskAttempts(attempts: 0, crashes: 0)].attempts += 1
            snapshot.attempts[key]!.crashes += 1
        }
        let crashed = !inFlight.isEmpty
        inFlight.removeAll()
        do {
            if crashed || !pending.isEmpty || snapshot.provenance.last?.rows != rowsThisRun { try writeSnapshot() }
            journal.discardBuffer()
            journal.close()
            try FileSystem.removeDurably(journalPath)
        } catch {
            try? journal.flush()
            throw error
        }
    }

    // MARK: - Internals

    private func writeSnapshot() throws {
        let start = Clock.monotonicSeconds()
        var next = snapshot
        let tagged = snapshot.records.map { ($0, 0) } + pending.map { ($0, 0) }
        next.records = try Canonical.fold(tagged, sources: [path]).records
        next.provenance[next.provenance.count - 1].rows = rowsThisRun
        if !peakRSSThisRun.isEmpty {
            next.provenance[next.provenance.count - 1].peakRSSByRank = ProvenanceRecord.peakRSSText(peakRSSThisRun)
        }
        next.summarizeProvenance()
        try next.write(to: path, mode: mode)
        snapshot = next
        pending.removeAll()
        snapshotCount += 1
        lastCheckpointTime = Clock.monotonicSeconds()
        lastCheckpointSeconds = lastCheckpointTime - start
    }

    private func shouldCheckpoint() -> Bool {
        guard !pending.isEmpty else { return false }
        if pending.count >= policy.minimumJournalRows
            && Double(pending.count) >= policy.journalToSnapshotRatio * Double(snapshot.records.count) { return true }
        let elapsed = Clock.monotonicSeconds() - lastCheckpointTime
        return elapsed >= policy.interval && lastCheckpointSeconds <= policy.maxTimeFraction * elapsed
    }

    private func find(_ key: TaskKey) -> TaskRecord? {
        if let record = pending.last(where: { $0.key == key }) { return record }
        let records = snapshot.records
        var low = 0, high = records.count
        while low < high {
            let mid = (low + high) / 2
            if records[mid].key < key { low = mid + 1 } else { high = mid }
        }
        return low < records.count && records[low].key == key ? records[low] : nil
    }

    /// The task is no longer in flight.
    private func close(_ key: TaskKey) {
        guard var unit = inFlight[key.instance], let i = unit.optimizers.firstIndex(of: key.optimizer) else { return }
        unit.optimizers.remove(at: i)
        inFlight[key.instance] = unit.optimizers.isEmpty ? nil : unit
    }

    private func requireOpen() throws {
        guard lock != nil else { throw ResultsFileError.invalidArgument("the results writer of \(path) is closed") }
    }

    static func normalized(_ sha: String) throws -> String {
        let lower = sha.lowercased()
        guard lower.utf8.count == 64, lower.allSatisfy({ $0.isHexDigit }) else {
            throw ResultsFileError.invalidArgument("spec sha256 must be 64 hexadecimal digits, got '\(sha)'")
        }
        return lower
    }

    /// Refuses to replace a file made read-only (e.g. an archived results file): by its mode
    /// bits, not `access(W_OK)`, which root always passes.
    static func requireReplaceable(_ path: String) throws {
        let mode = FileSystem.mode(of: path) ?? 0
        guard mode & 0o222 != 0, access(path, W_OK) == 0 else {
            throw ResultsFileError.invalidArgument("\(path) is read-only; refusing to replace it (`analyze --no-store` reads it as it is)")
        }
    }
}
