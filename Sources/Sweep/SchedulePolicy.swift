import Vocabulary

/// The scheduling policy, as pure functions of (work, costs, workers): testable without MPI.
public enum SchedulePolicy {
    /// The work of a sweep not yet done, largest expected cost first (ties in canonical order),
    /// so that a long N = 1024 instance never starts last while other ranks idle.
    public static func pendingWork(spec: SweepSpec, done: Set<TaskKey> = [], shard: Shard = .whole) -> [WorkUnit] {
        let model = CostModel(experiment: spec.experiment)
        var units: [WorkUnit] = []
        for instance in shardInstances(spec: spec, shard: shard) {
            let missing = spec.grid.optimizers.filter { !done.contains(TaskKey(optimizer: $0, instance: instance)) }
            guard !missing.isEmpty else { continue }
            units.append(WorkUnit(instance: instance, optimizers: missing, cost: model.cost(N: instance.N, optimizers: missing)))
        }
        return largestFirst(units)
    }

    /// Stable sort by decreasing cost; ties keep canonical (s, N, replicate) order.
    public static func largestFirst(_ units: [WorkUnit]) -> [WorkUnit] {
        units.enumerated().sorted { a, b in
            a.element.cost != b.element.cost ? a.element.cost > b.element.cost : a.offset < b.offset
        }.map(\.element)
    }

    /// The instances of one shard: a greedy longest-processing-time partition of all instances
    /// by full cost, so shards cost about the same and each instance is in exactly one shard.
    /// It depends only on the spec and K, never on what is done, so shards stay stable on resume.
    public static func shardInstances(spec: SweepSpec, shard: Shard) -> [InstanceKey] {
        let all = spec.grid.instances
        guard shard.count > 1 else { return all }
        let model = CostModel(experiment: spec.experiment)
        let cost = Dictionary(uniqueKeysWithValues: spec.grid.N.map { ($0, model.cost(N: $0, optimizers: spec.grid.optimizers)) })
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
    /// `minimumBatchCost` (so per-message overhead is amortised), but a batch never exceeds a
    /// share `remaining / (2·workers)` of what is left (so the sweep ends balanced). At least one.
    public static func batchSize(queue: ArraySlice<WorkUnit>, remainingCost: Double, workers: Int,
                                 minimumBatchCost: Double) -> Int {
        guard !queue.isEmpty else { return 0 }
        let cap = remainingCost / Double(2 * max(workers, 1))
        var taken = 0
        var cost = 0.0
        for unit in queue {
            if taken > 0 && (cost >= minimumBatchCost || cost + unit.cost > cap) { break }
            cost += unit.cost
            taken += 1
        }
        return taken
    }

    /// The makespan of dynamic largest-first scheduling on `workers` identical workers, in cost:
    /// what `plan` reports and what the tests hold against the lower bound.
    public static func simulatedMakespan(_ units: [WorkUnit], workers: Int) -> Double {
        var free = Array(repeating: 0.0, count: max(workers, 1))
        for unit in units {
            let j = free.indices.min { free[$0] < free[$1] }!
            free[j] += unit.cost
        }
        return free.max() ?? 0
    }
}
