import Numerics

/// The key of one task: one optimizer on one instance (SPEC §5). It is the identity of a row
/// in the results file: resume, merge and analysis match rows by it.
public struct TaskKey: Hashable, Codable, Sendable, Comparable, CustomStringConvertible {
    public var optimizer: OptimizerKind
    public var instance: InstanceKey

    public init(optimizer: OptimizerKind, instance: InstanceKey) {
        self.optimizer = optimizer
        self.instance = instance
    }

    public init(optimizer: OptimizerKind, s: Double, N: Int, replicate: Int) {
        self.init(optimizer: optimizer, instance: InstanceKey(s: s, N: N, replicate: replicate))
    }

    public var s: Double { instance.s }
    public var N: Int { instance.N }
    public var replicate: Int { instance.replicate }

    /// Canonical order: s, N, replicate, then optimizer in SPEC order.
    public static func < (a: TaskKey, b: TaskKey) -> Bool {
        if a.s != b.s { return a.s < b.s }
        if a.N != b.N { return a.N < b.N }
        if a.replicate != b.replicate { return a.replicate < b.replicate }
        return a.optimizer < b.optimizer
    }

    public var description: String {
        "\(optimizer.rawValue) s=\(s) N=\(N) replicate=\(replicate)"
    }
}

/// One row of the results file: a finished task and what it produced.
public struct TaskRecord: Equatable, Sendable {
    public var key: TaskKey
    public var outcome: TrainingOutcome
    /// Wall time of the task; the instance sampling shared by the five optimizers is split
    /// evenly between them.
    public var wallSeconds: Double
    /// The MPI rank that ran the task.
    public var rank: Int32

    public init(key: TaskKey, outcome: TrainingOutcome, wallSeconds: Double, rank: Int32) {
        self.key = key
        self.outcome = outcome
        self.wallSeconds = wallSeconds
        self.rank = rank
    }

    /// True when two records carry the same science (timing and rank aside): used by merge to
    /// tell identical duplicates from conflicting ones. Losses are compared bitwise.
    public func hasSameResult(as other: TaskRecord) -> Bool {
        key == other.key
            && outcome.testLoss.bitPattern == other.outcome.testLoss.bitPattern
            && outcome.trainLoss.bitPattern == other.outcome.trainLoss.bitPattern
            && outcome.lr.bitPattern == other.outcome.lr.bitPattern
            && outcome.lrAtGridEdge == other.outcome.lrAtGridEdge
            && outcome.status == other.outcome.status
    }
}
