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
        var mine: [WorkUnit] = []
        forEachAssignment(spec: spec, shards: shard.count, excluded: excluded) { unit, owner in
            if owner == shard.index { mine.append(unit) }
        }
        return mine.sorted { $0.instance < $1.instance }
    }

    /// Hands every unit of the sweep and its shard to `body`: units by decreasing cost (ties
    /// in canonical order) each go to the least loaded shard (ties to the lowest index),
    /// O(units · log K) time. Without `excluded`, all units of one N cost the same, so they are
    /// made one N at a time and never all held at once: a 5·10⁷-task grid splits in O(K) memory.
    public static func forEachAssignment(spec: SweepSpec, shards: Int, excluded: Set<TaskKey> = [],
                                         _ body: (WorkUnit, Int) -> Void) {
        let model = CostModel(experiment: spec.experiment)
        var heap = ShardHeap(count: max(shards, 1))
        func assign(_ unit: WorkUnit) { body(unit, shards > 1 ? heap.assign(unit.cost) : 0) }
        guard !excluded.isEmpty else {
            let costs = spec.grid.N.map { model.cost(N: $0, optimizers: spec.grid.optimizers) }
            // Decreasing cost; within a cost, canonical order (s, then N, then replicate).
            let classes = Dictionary(grouping: spec.grid.N.indices, by: { costs[$0] }).sorted { $0.key > $1.key }
            for (cost, indices) in classes {
                let ns = indices.map { spec.grid.N[$0] }.sorted()
                for s in spec.grid.s {
                    for n in ns {
                        for r in spec.grid.replicates {
                            assign(WorkUnit(instance: InstanceKey(s: s, N: n, replicate: r), optimizers: spec.grid.optimizers, cost: cost))
                        }
                    }
                }
            }
            return
        }
        var costs: [[OptimizerKind]: [Int: Double]] = [:]
        var all: [WorkUnit] = []
        for instance in spec.grid.instances {
            let optimizers = spec.grid.optimizers.filter { !excluded.contains(TaskKey(optimizer: $0, instance: instance)) }
            guard !optimizers.isEmpty else { continue }
            let cost = costs[optimizers, default: [:]][instance.N] ?? model.cost(N: instance.N, optimizers: optimizers)
            costs[optimizers, default: [:]][instance.N] = cost
            all.append(WorkUnit(instance: instance, optimizers: optimizers, cost: cost))
        }
        for index in all.indices.sorted(by: { a, b in all[a].cost != all[b].cost ? all[a].cost > all[b].cost : a < b }) {
            assign(all[index])
        }
    }

    /// The shards' loads as a binary min-heap of (load, shard index).
    struct ShardHeap {
        var items: [(load: Double, shard: Int)]

        init(count: Int) { items = (0..<count).map { (0, $0) } }

        static func less(_ a: (load: Double, shard: Int), _ b: (load: Double, shard: Int)) -> Bool {
            a.load != b.load ? a.load < b.load : a.shard < b.shard
        }

        /// Adds `cost` to the least loaded shard and returns it.
        mutating func assign(_ cost: Double) -> Int {
            let shard = items[0].shard
            items[0].load += cost
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && Self.less(items[l], items[m]) { m = l }
                if r < items.count && Self.less(items[r], items[m]) { m = r }
                if m == i { return shard }
                items.swapAt(i, m)
                i = m
            }
        }
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
        var heap = ShardHeap(count: max(workers, 1))
        for unit in units { _ = heap.assign(unit.cost) }
        return heap.items.map(\.load).max() ?? 0
    }

    /// The same for a whole sweep, without listing its units.
    public static func simulatedMakespan(spec: SweepSpec, workers: Int, excluded: Set<TaskKey> = []) -> Double {
        var loads = [Double](repeating: 0, count: max(workers, 1))
        forEachAssignment(spec: spec, shards: workers, excluded: excluded) { unit, worker in loads[worker] += unit.cost }
        return loads.max() ?? 0
    }
}
