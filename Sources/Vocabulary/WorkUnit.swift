/// A unit of work: one instance and the optimizers still to run on it. The optimizers of an
/// instance travel together so that the instance is sampled once (SPEC §5's paired design).
public struct WorkUnit: Hashable, Sendable {
    public var instance: InstanceKey
    public var optimizers: [OptimizerKind]
    /// Expected cost, in flops (the cost model's unit).
    public var cost: Double

    public init(instance: InstanceKey, optimizers: [OptimizerKind], cost: Double) {
        self.instance = instance
        self.optimizers = optimizers
        self.cost = cost
    }

    public var tasks: [TaskKey] { optimizers.map { TaskKey(optimizer: $0, instance: instance) } }
}

/// Which part of a sweep one process runs: shard `index` of `count` (0-based), or all of it.
public struct Shard: Hashable, Sendable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public static let whole = Shard(index: 0, count: 1)

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses "I/K" with 0 ≤ I < K.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let k = Int(parts[1]), k >= 1, i >= 0, i < k else { return nil }
        self.init(index: i, count: k)
    }

    public var description: String { "\(index)/\(count)" }
}
