/// The key of one problem instance (SPEC §5): the instance depends on (master seed, s, N,
/// replicate) only, never on the optimizer, the rank or the order of work.
public struct InstanceKey: Hashable, Codable, Sendable, Comparable, CustomStringConvertible {
    public var s: Double
    public var N: Int
    public var replicate: Int

    public init(s: Double, N: Int, replicate: Int) {
        self.s = s
        self.N = N
        self.replicate = replicate
    }

    /// Canonical order: s, then N, then replicate.
    public static func < (a: InstanceKey, b: InstanceKey) -> Bool {
        if a.s != b.s { return a.s < b.s }
        if a.N != b.N { return a.N < b.N }
        return a.replicate < b.replicate
    }

    public var description: String { "(s=\(s), N=\(N), replicate=\(replicate))" }
}

/// The key of one task: one optimizer on one instance. It is the identity of a row of the
/// results file: resume, merge and analysis match rows by it.
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

    /// The canonical order of tasks, the order of rows in every results file: the instance
    /// (s, N, replicate), then the optimizer in SPEC order.
    public static func < (a: TaskKey, b: TaskKey) -> Bool {
        if a.instance != b.instance { return a.instance < b.instance }
        return a.optimizer < b.optimizer
    }

    public var description: String {
        "\(optimizer.rawValue) s=\(s) N=\(N) replicate=\(replicate)"
    }
}
