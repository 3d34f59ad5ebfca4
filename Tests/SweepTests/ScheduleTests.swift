import Sweep
import Vocabulary
import XCTest

final class ScheduleTests: XCTestCase {
    func testPendingWorkIsLargestFirstAndCoversEveryTaskOnce() {
        let spec = SweepSpec()
        let units = SchedulePolicy.pendingWork(spec: spec)
        XCTAssertEqual(units.count, 672)
        XCTAssertEqual(units.first?.instance.N, 1024)
        XCTAssertEqual(units.last?.instance.N, 16)
        XCTAssertTrue(zip(units, units.dropFirst()).allSatisfy { $0.cost >= $1.cost })
        let tasks = units.flatMap(\.tasks)
        XCTAssertEqual(tasks.count, 3360)
        XCTAssertEqual(Set(tasks), Set(spec.grid.tasks))
    }

    func testDoneTasksAreSkippedAndPartialInstancesKeepTheirMissingOptimizers() {
        let spec = SweepSpec()
        let instance = InstanceKey(s: 1.0, N: 64, replicate: 3)
        var done = Set(spec.grid.tasks.filter { $0.N != 1024 })
        done.remove(TaskKey(optimizer: .adam, instance: instance))
        let units = SchedulePolicy.pendingWork(spec: spec, done: done)
        XCTAssertEqual(units.count, 6 * 16 + 1)
        XCTAssertEqual(units.last?.instance, instance)
        XCTAssertEqual(units.last?.optimizers, [.adam])
    }

    func testShardsPartitionTheInstancesAndBalanceCost() {
        let spec = SweepSpec()
        for k in [1, 2, 3, 7, 16] {
            var seen: [InstanceKey] = []
            var loads: [Double] = []
            for i in 0..<k {
                let units = SchedulePolicy.pendingWork(spec: spec, shard: Shard(index: i, count: k))
                seen += units.map(\.instance)
                loads.append(units.map(\.cost).reduce(0, +))
            }
            XCTAssertEqual(seen.count, 672, "K=\(k)")
            XCTAssertEqual(Set(seen), Set(spec.grid.instances), "K=\(k)")
            let mean = loads.reduce(0, +) / Double(k)
            XCTAssertLessThan(loads.max()! / mean, 1.10, "K=\(k) loads \(loads)")
        }
    }

    func testShardParsing() {
        XCTAssertEqual(Shard(parsing: "2/3"), Shard(index: 2, count: 3))
        for bad in ["3/3", "-1/3", "1/0", "a/b", "1", "1/2/3", ""] { XCTAssertNil(Shard(parsing: bad), bad) }
    }

    func testLargestFirstMakespanIsNearTheLowerBound() {
        let units = SchedulePolicy.pendingWork(spec: SweepSpec())
        let total = units.map(\.cost).reduce(0, +)
        for workers in [1, 2, 4, 16, 64] {
            let makespan = SchedulePolicy.simulatedMakespan(units, workers: workers)
            let bound = max(total / Double(workers), units.map(\.cost).max()!)
            XCTAssertLessThanOrEqual(makespan, bound * (workers <= 16 ? 1.05 : 1.35), "workers=\(workers)")
        }
    }

    func testBatchesAmortiseTinyUnitsButStayBalanced() {
        let tiny = (0..<1000).map { WorkUnit(instance: InstanceKey(s: 1, N: 2, replicate: $0), optimizers: [.gd], cost: 10) }
        let queue = tiny[...]
        XCTAssertEqual(SchedulePolicy.batchSize(queue: queue, remainingCost: 10_000, workers: 2, minimumBatchCost: 100), 10)
        XCTAssertEqual(SchedulePolicy.batchSize(queue: queue.suffix(8), remainingCost: 80, workers: 2, minimumBatchCost: 100), 2)
        let big = [WorkUnit(instance: InstanceKey(s: 1, N: 2, replicate: 0), optimizers: [.gd], cost: 1e12)]
        XCTAssertEqual(SchedulePolicy.batchSize(queue: big[...], remainingCost: 1e12, workers: 8, minimumBatchCost: 1e9), 1)
        XCTAssertEqual(SchedulePolicy.batchSize(queue: [][...], remainingCost: 0, workers: 8, minimumBatchCost: 1e9), 0)
    }

    /// The one cost model: its phases add up to the scheduler's cost, minus the normals' share;
    /// the joint sampler's leading term is n·(N+K)²; MatSign's grows with its lr grid.
    func testTheCostModelIsOneSumOfPhases() {
        let model = CostModel(experiment: Experiment())
        let phases = model.phases(N: 1024)
        let all = OptimizerKind.allCases
        XCTAssertEqual(model.cost(N: 1024, optimizers: all), phases.flops(all) + CostModel.normalCost * phases.normals)
        let m = 1024.0 + 8
        XCTAssertEqual(phases.sampling, m * m * 2048 + m * m * m / 3 + 8192 * m * m + 2 * m * m * m)
        XCTAssertEqual(phases.normals, 1024.0 * 2048 + 2048 * 8 + 8192 * m)
        var wider = Experiment()
        wider.matSignLR = LogGrid(log10Min: -2, log10Max: 8, log10Step: 0.25)
        XCTAssertGreaterThan(CostModel(experiment: wider).phases(N: 64).perOptimizer[.matSign]!, phases.perOptimizer[.matSign]! / 4096)
        XCTAssertLessThan(model.cost(N: 512, optimizers: [.gd]), model.cost(N: 512, optimizers: all))
    }
}

final class ExtensionScheduleTests: XCTestCase {
    /// Extending an archive: only the tasks it lacks are run, and the shards split just those.
    func testShardsOfAnExtensionShareOnlyTheMissingWork() {
        let spec = SweepSpec(grid: SweepGrid(N: [16, 64, 256], s: [1, 2], replicates: 0..<6))
        let archived = Set(spec.grid.tasks.filter { $0.replicate < 3 || ($0.replicate == 3 && $0.optimizer == .gd) })
        let whole = SchedulePolicy.pendingWork(spec: spec, excluded: archived)
        XCTAssertEqual(Set(whole.flatMap(\.tasks)), Set(spec.grid.tasks).subtracting(archived))
        var seen: [TaskKey] = []
        var loads: [Double] = []
        for i in 0..<4 {
            let part = SchedulePolicy.pendingWork(spec: spec, shard: Shard(index: i, count: 4), excluded: archived)
            seen += part.flatMap(\.tasks)
            loads.append(part.reduce(0) { $0 + $1.cost })
        }
        XCTAssertEqual(seen.count, Set(seen).count, "each task in one shard")
        XCTAssertEqual(Set(seen), Set(spec.grid.tasks).subtracting(archived))
        XCTAssertLessThan(loads.max()! / loads.min()!, 1.5, "balanced by the missing work's cost")
        XCTAssertEqual(SchedulePolicy.pendingWork(spec: spec, shard: Shard(index: 1, count: 3)),
                       SchedulePolicy.pendingWork(spec: spec, shard: Shard(index: 1, count: 3), excluded: []))
    }
}

final class MemoryModelTests: XCTestCase {
    /// The peak is the largest phase, not the sum of all: when D is large it is the covariance
    /// phase, W, W* and the covariance factor G (N·D, D·K and (N+K)·D doubles) alive at once;
    /// the (N+K)² and N² matrices dominate when N is.
    func testTheModelGrowsWithTheMatricesTheWorkerHolds() {
        var e = Experiment()
        e.D = 1 << 20
        let wide = MemoryModel(experiment: e).peakBytes(N: 1024)
        // W, W* and the covariance factor G.
        let d = 1_048_576.0
        let leading: Double = 8 * (1024 * d + 8 * d + 1032 * d)
        XCTAssertEqual(wide, leading, accuracy: 0.01 * wide)
        XCTAssertGreaterThan(wide, 16e9)
        let model = MemoryModel(experiment: Experiment())
        XCTAssertLessThan(model.peakBytes(N: 16), 80e6)
        XCTAssertLessThan(model.peakBytes(N: 512), model.peakBytes(N: 1024))
        // Large N: the eigendecomposition's W + 4N² (F, reflectors, eigenvectors, dstedc's workspace).
        var square = Experiment()
        square.D = 16
        let n = 8192.0
        XCTAssertEqual(MemoryModel(experiment: square).peakBytes(N: 8192) - MemoryModel.baseBytes, 8 * 4 * n * n,
                       accuracy: 0.01 * 8 * 4 * n * n)
    }
}
