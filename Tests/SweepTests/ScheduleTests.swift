import Numerics
import Sweep
import XCTest

final class ScheduleTests: XCTestCase {
    func testPendingWorkIsLargestFirstAndCoversEveryTaskOnce() {
        let spec = SweepSpec()
        let units = SchedulePolicy.pendingWork(spec: spec)
        XCTAssertEqual(units.count, 672)
        XCTAssertEqual(units.first?.instance.N, 1024)
        XCTAssertEqual(units.last?.instance.N, 16)
        XCTAssertTrue(zip(units, units.dropFirst()).allSatisfy { $0.flops >= $1.flops })
        let tasks = units.flatMap(\.tasks)
        XCTAssertEqual(tasks.count, 3360)
        XCTAssertEqual(Set(tasks), Set(spec.tasks))
    }

    func testDoneTasksAreSkippedAndPartialInstancesKeepTheirMissingOptimizers() {
        let spec = SweepSpec()
        let instance = InstanceKey(s: 1.0, N: 64, replicate: 3)
        var done = Set(spec.tasks.filter { $0.N != 1024 })
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
                loads.append(units.map(\.flops).reduce(0, +))
            }
            XCTAssertEqual(seen.count, 672, "K=\(k)")
            XCTAssertEqual(Set(seen), Set(spec.instances), "K=\(k)")
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
        let total = units.map(\.flops).reduce(0, +)
        for workers in [1, 2, 4, 16, 64] {
            let makespan = SchedulePolicy.simulatedMakespan(units, workers: workers)
            let bound = max(total / Double(workers), units.map(\.flops).max()!)
            XCTAssertLessThanOrEqual(makespan, bound * (workers <= 16 ? 1.05 : 1.35), "workers=\(workers)")
        }
    }

    func testBatchesAmortiseTinyUnitsButStayBalanced() {
        let tiny = (0..<1000).map { WorkUnit(instance: InstanceKey(s: 1, N: 2, replicate: $0), optimizers: [.gd], flops: 10) }
        let queue = tiny[...]
        XCTAssertEqual(SchedulePolicy.batchSize(queue: queue, remainingFlops: 10_000, workers: 2, minimumBatchFlops: 100), 10)
        XCTAssertEqual(SchedulePolicy.batchSize(queue: queue.suffix(8), remainingFlops: 80, workers: 2, minimumBatchFlops: 100), 2)
        let big = [WorkUnit(instance: InstanceKey(s: 1, N: 2, replicate: 0), optimizers: [.gd], flops: 1e12)]
        XCTAssertEqual(SchedulePolicy.batchSize(queue: big[...], remainingFlops: 1e12, workers: 8, minimumBatchFlops: 1e9), 1)
        XCTAssertEqual(SchedulePolicy.batchSize(queue: [][...], remainingFlops: 0, workers: 8, minimumBatchFlops: 1e9), 0)
    }

    func testWireFormatRoundTripsBitwise() throws {
        let units = SchedulePolicy.pendingWork(spec: SweepSpec()).prefix(7)
        XCTAssertEqual(try WorkUnit.decode(WorkUnit.encode(Array(units))), Array(units))
        let records = [
            TaskRecord(key: TaskKey(optimizer: .matSign, s: 0.75, N: 64, replicate: 2),
                       outcome: TrainingOutcome(testLoss: .nan, trainLoss: -0.0, lr: 1e-300, lrAtGridEdge: true,
                                                status: .diverged, message: "loss is NaN — λ"),
                       wallSeconds: 0.125, rank: 3),
        ]
        let back = try TaskRecord.decode(TaskRecord.encode(records))
        XCTAssertEqual(back.count, 1)
        XCTAssertTrue(back[0].hasSameResult(as: records[0]))
        XCTAssertEqual(back[0].outcome.message, "loss is NaN — λ")
        XCTAssertThrowsError(try TaskRecord.decode(Array(TaskRecord.encode(records).dropLast())))
    }
}
