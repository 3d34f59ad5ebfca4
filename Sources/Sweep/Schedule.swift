import Numerics

/// A unit of work: one instance and the optimizers still to run on it. The optimizers of an
/// instance travel together so that the instance is sampled once (SPEC §5's paired design).
public struct WorkUnit: Hashable, Sendable {
    public var instance: InstanceKey
    public var optimizers: [OptimizerKind]
    public var flops: Double

    public init(instance: InstanceKey, optimizers: [OptimizerKind], flops: Double) {
        self.instance = instance
        self.optimizers = optimizers
        self.flops = flops
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

/// The scheduling policy, as pure functions of (work, costs, workers): testable without MPI.
public enum SchedulePolicy {
    /// The work of a sweep not yet done, largest expected cost first (ties in canonical order),
    /// so that a long N = 1024 instance never starts last while other ranks idle.
    public static func pendingWork(spec: SweepSpec, done: Set<TaskKey> = [], shard: Shard = .whole) -> [WorkUnit] {
        let model = CostModel(problem: spec.problem)
        var units: [WorkUnit] = []
        for instance in shardInstances(spec: spec, shard: shard) {
            let missing = spec.optimizers.filter { !done.contains(TaskKey(optimizer: $0, instance: instance)) }
            guard !missing.isEmpty else { continue }
            units.append(WorkUnit(instance: instance, optimizers: missing, flops: model.flops(N: instance.N, optimizers: missing)))
        }
        return largestFirst(units)
    }

    /// Stable sort by decreasing cost; ties keep canonical (s, N, replicate) order.
    public static func largestFirst(_ units: [WorkUnit]) -> [WorkUnit] {
        units.enumerated().sorted { a, b in
            a.element.flops != b.element.flops ? a.element.flops > b.element.flops : a.offset < b.offset
        }.map(\.element)
    }

    /// The instances of one shard: a greedy longest-processing-time partition of all instances
    /// by full cost, so shards cost about the same and each instance is in exactly one shard.
    /// It depends only on the spec and K, never on what is done, so shards stay stable on resume.
    public static func shardInstances(spec: SweepSpec, shard: Shard) -> [InstanceKey] {
        let all = spec.instances
        guard shard.count > 1 else { return all }
        let model = CostModel(problem: spec.problem)
        let cost = Dictionary(uniqueKeysWithValues: spec.N.map { ($0, model.flops(N: $0, optimizers: spec.optimizers)) })
        let order = all.indices.sorted { a, b in
            let ca = cost[all[a].N]!, cb = cost[all[b].N]!
            return ca != cb ? ca > cb : a < b
        }
        var load = Array(repeating: 0.0, count: shard.count)
        var mine: [Int] = []
        for index in order {
            var target = 0
            for j in 1..<shard.count where load[j] < load[target] { target = j }
            load[target] += cost[all[index].N]!
            if target == shard.index { mine.append(index) }
        }
        return mine.sorted().map { all[$0] }
    }

    /// How many units from the front of the queue to hand a worker that asks.
    ///
    /// Guided self-scheduling: tiny units are batched until the batch is worth at least
    /// `minimumBatchFlops` (so per-message overhead is amortised), but a batch never exceeds a
    /// share `remaining / (2·workers)` of what is left (so the sweep ends balanced). At least one.
    public static func batchSize(queue: ArraySlice<WorkUnit>, remainingFlops: Double, workers: Int,
                                 minimumBatchFlops: Double) -> Int {
        guard !queue.isEmpty else { return 0 }
        let cap = remainingFlops / Double(2 * max(workers, 1))
        var taken = 0
        var flops = 0.0
        for unit in queue {
            if taken > 0 && (flops >= minimumBatchFlops || flops + unit.flops > cap) { break }
            flops += unit.flops
            taken += 1
        }
        return taken
    }

    /// The makespan of dynamic largest-first scheduling on `workers` identical workers, in flops:
    /// what `plan` reports and what the tests hold against the lower bound.
    public static func simulatedMakespan(_ units: [WorkUnit], workers: Int) -> Double {
        var free = Array(repeating: 0.0, count: max(workers, 1))
        for unit in units {
            let j = free.indices.min { free[$0] < free[$1] }!
            free[j] += unit.flops
        }
        return free.max() ?? 0
    }
}
