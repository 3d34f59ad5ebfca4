import Vocabulary

/// What the journal added when a results file was read.
public struct JournalReport: Equatable, Sendable {
    /// True when a journal file was found (and read).
    public var present: Bool
    /// Rows that came from the journal only (finished tasks not yet in the snapshot).
    public var rows: Int
    /// Journal rows identical to snapshot rows (a crash between a snapshot and the journal
    /// reset), collapsed silently.
    public var duplicateRows: Int
    /// Bytes of a torn or corrupt tail that were ignored.
    public var ignoredBytes: Int
    /// Why bytes were ignored, nil when the journal ended cleanly.
    public var problem: String?

    public static let none = JournalReport(present: false, rows: 0, duplicateRows: 0, ignoredBytes: 0, problem: nil)
}

/// Everything in a results file (snapshot plus, optionally, journal).
public struct ResultsFileContents: Sendable {
    public var path: String
    /// The spec text exactly as written.
    public var specText: String
    public var specSHA256: String
    public var formatVersion: Int
    /// Every scalar root attribute, integers in decimal.
    public var attributes: [String: String]
    /// The `/provenance` table, oldest first.
    public var provenance: [ProvenanceRecord]
    /// One record per finished task, in canonical task order (TaskKey's `<`).
    public var records: [TaskRecord]
    public var journal: JournalReport
    /// The `/analysis` group, nil when `analyze` has not written one.
    public var analysis: AnalysisTable?
    /// Tasks without a row that were tried (`/attempts`).
    public var attempts: [TaskKey: TaskAttempts]

    /// The file's experiment hash and canonical text, nil for files older than them (whose
    /// experiment is that of their `/spec`).
    public var experiment: (sha256: String, text: String)? {
        guard let sha = attributes["experiment_sha256"], let text = attributes["experiment"] else { return nil }
        return (sha, text)
    }

    /// The grids the file's runs ran (one per distinct grid of `/provenance`, merges left
    /// out); empty for files older than grids in provenance.
    public var grids: [String] {
        var seen = Set<String>()
        return provenance.filter { $0.event != "merge" && !$0.grid.isEmpty && seen.insert($0.grid).inserted }.map(\.grid)
    }
}
