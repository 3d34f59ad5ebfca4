/// What training one optimizer on one instance produced.
public struct TrainingOutcome: Equatable, Sendable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case ok, diverged, failed
    }
    /// Exact population excess risk L of SPEC §3 (NaN when not finite).
    public var testLoss: Double
    /// Final training loss (1/2nK)‖ΦΘ − Y‖²_F.
    public var trainLoss: Double
    /// The step size used: the chosen peak lr for Adam and MatSign, η for GD, SqrtNG and NG.
    public var lr: Double
    /// True when the oracle lr choice sits at either end of its grid.
    public var lrAtGridEdge: Bool
    public var status: Status
    /// Empty when status is ok; otherwise what went wrong, in one line.
    public var message: String

    public init(testLoss: Double, trainLoss: Double, lr: Double, lrAtGridEdge: Bool,
                status: Status, message: String = "") {
        self.testLoss = testLoss
        self.trainLoss = trainLoss
        self.lr = lr
        self.lrAtGridEdge = lrAtGridEdge
        self.status = status
        self.message = message
    }

    /// Messages longer than this (in UTF-8 bytes) are cut, ending in "…".
    public static let maxMessageBytes = 1024

    /// `message` as every record holds it: NUL characters dropped (they cannot be stored in
    /// NUL-padded strings), at most `maxMessageBytes` of UTF-8 (cut at a character, "…" added).
    public static func sanitized(_ message: String) -> String {
        let text = message.contains("\0") ? message.replacingOccurrences(of: "\0", with: "") : message
        guard text.utf8.count > maxMessageBytes else { return text }
        var kept = String.UnicodeScalarView()
        var bytes = 0
        for scalar in text.unicodeScalars {
            let size = String(scalar).utf8.count
            if bytes + size > maxMessageBytes - 3 { break }
            kept.append(scalar)
            bytes += size
        }
        return String(kept) + "…"
    }

    /// A `failed` outcome whose message is `error` on one line.
    public static func failure(_ error: Error) -> TrainingOutcome {
        let text = String(describing: error).replacingOccurrences(of: "\n", with: " ")
        return TrainingOutcome(testLoss: .nan, trainLoss: .nan, lr: .nan, lrAtGridEdge: false,
                               status: .failed, message: text)
    }
}

/// One row of the results file: a finished task and what it produced. Its columns, and so
/// every format that carries it (messages between ranks, the journal, the HDF5 datasets), are
/// declared once, in `TaskRecord.columns`.
public struct TaskRecord: Equatable, Sendable {
    public var key: TaskKey
    public var outcome: TrainingOutcome
    /// Wall time of the task; the instance sampling shared by its optimizers is split evenly
    /// between them.
    public var wallSeconds: Double
    /// The MPI rank that ran the task.
    public var rank: Int32
    /// How many times the task was started to get this row: 1, more after retries (of failed
    /// results, or of runs its worker crashed in).
    public var attempts: Int32
    /// Where and when it ran (record layout 3; "" and 0 in rows written before): the host of
    /// its rank, its start as ISO 8601 UTC with milliseconds, and its rank's peak resident
    /// memory when it finished (so a slow node or a memory pattern can be found afterwards).
    public var host: String
    public var startedUTC: String
    public var peakRSSBytes: Int64

    public init(key: TaskKey, outcome: TrainingOutcome, wallSeconds: Double, rank: Int32, attempts: Int32 = 1,
                host: String = "", startedUTC: String = "", peakRSSBytes: Int64 = 0) {
        self.key = key
        self.outcome = outcome
        self.wallSeconds = wallSeconds
        self.rank = rank
        self.attempts = attempts
        self.host = host
        self.startedUTC = startedUTC
        self.peakRSSBytes = peakRSSBytes
    }

    /// True when two records carry the same result: the same key and, bitwise, the same value
    /// in every `.result` column. Merge and resume use it to tell identical duplicates from
    /// conflicting ones.
    public func hasSameResult(as other: TaskRecord) -> Bool {
        differingResultColumns(other).isEmpty && key == other.key
    }

    /// The `.result` columns in which two records differ (bitwise for numbers).
    public func differingResultColumns(_ other: TaskRecord) -> [RecordColumn] {
        Self.columns.filter { $0.part == .result && !$0.sameValue(self, other) }
    }

    /// What differs between two results for one task, for a conflict message, e.g.
    /// "test_loss 0.1 (0x3fb999999999999a) vs 0.2 (0x3fc999999999999a)".
    public func resultDifference(_ other: TaskRecord) -> String {
        differingResultColumns(other).map { "\($0.name) \($0.shown(self)) vs \($0.shown(other))" }
            .joined(separator: ", ")
    }
}
