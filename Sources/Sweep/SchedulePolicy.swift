import Vocabulary

/// The scheduling policy, as pure functions of (work, costs, workers): testable without MPI.
public enum SchedulePolicy {
    /// The work of a sweep not yet done, largest expected cost first (ties in canonical order),
    /// so that a long N = 1024 instance never starts last while other ranks idle.
    ///
    /// - Parameters:
    ///   - done: tasks the output file already holds (a resume): skipped.
    ///   - shard: the part of the sweep to run.
    ///   - excluded: tasks an archive being extended already holds: left out of the sweep
    ///     before it is split into shards, so the shards share only the missing work.
    public static func pendingWork(spec: SweepSpec, done: Set<TaskKey> = [], shard: Shard = .whole,
                                   excluded: Set<TaskKey> = []) -> [WorkUnit] {
        let model = CostModel(experiment: spec.experiment)
        var units: [WorkUnit] = []
        for unit in shardUnits(spec: spec, shard: shard, excluded: excluded) {
            let missing = unit.optimizers.filter { !done.contains(TaskKey(optimizer: $0, instance: unit.instance)) }
            guard !missing.isEmpty else { continue }
            units.append(WorkUnit(instance: unit.instance, optimizers: missing,
                                  cost: model.cost(N: unit.instance.N, optimizers: missing)))
        }
        return largestFirst(units)
    }

    /// Stable sort by decreasing cost; ties keep canonical (s, N, replicate) order.
    public static func largestFirst(_ units: [WorkUnit]) -> [WorkUnit] {
        units.enumerated().sorted { a, b in
            a.element.cost != b.element.cost ? a.element.cost > b.element.cost : a.offset < b.offset
        }.map(\.element)
    }

    /// The units of one shard, in canonical order: every instance of the grid with the
    /// optimizers not `excluded`, split by a greedy longest-processing-time partition by cost,
    /// so shards cost about the same and each task is in exactly one shard. It depends only on
    /// the spec, K and `excluded` (an archive no job modifies), never on what a shard has done,
    /// so shards stay stable on resume.
    public static func shardUnits(spec: SweepSpec, shard: Shard, excluded: Set<TaskKey> = []) -> [WorkUnit] {
        let model = CostModel(experiment: spec.experiment)
        var costs: [[OptimizerKind]: [Int: Double]] = [:]
        var all: [WorkUnit] = []
        for instance in spec.grid.instances {
            let optimizers = excluded.isEmpty ? spec.grid.optimizers
                : spec.grid.optimizers.filter { !excluded.contains(TaskKey(optimizer: $0, instance: instance)) }
            guard !optimizers.isEmpty else { continue }
            let cost = costs[optimizers, default: [:]][instance.N] ?? model.cost(N: instance.N, optimizers: optimizers)
            costs[optimizers, default: [:]][instance.N] = cost
            all.append(WorkUnit(instance: instance, optimizers: optimizers, cost: cost))
        }
        guard shard.count > 1 else { return all }
        let order = all.indices.sorted { a, b in
            all[a].cost != all[b].cost ? all[a].cost > all[b].cost : a < b
        }
        var load = Array(repeating: 0.0, count: shard.count)
        var mine: [Int] = []
        for index in order {
            var target = 0
            for j in 1..<shard.count where load[j] < load[target] { target = j }
            load[target] += all[index].cost
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
