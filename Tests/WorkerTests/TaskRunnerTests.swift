import Coordinator
import Foundation
import Numerics
import Sweep
import Worker
import XCTest

/// A small sweep whose instances take milliseconds.
func tinySpec(seeds: Int = 2) -> SweepSpec {
    var problem = ProblemParameters()
    problem.D = 64
    problem.K = 2
    problem.n = 128
    problem.adamLR = LogGrid(log10Min: -1, log10Max: 1, log10Step: 0.5)
    problem.matSignLR = LogGrid(log10Min: -1, log10Max: 1, log10Step: 0.5)
    return SweepSpec(problem: problem, N: [4, 8, 16], s: [1.0, 1.5], seeds: seeds)
}

final class TaskRunnerTests: XCTestCase {
    override func setUp() {
        BLASEnvironment.useOneThreadUnlessConfigured()
        StopSignal.reset()
    }

    func testEveryOptimizerOfAUnitGetsARecordAndResultsDoNotDependOnOrder() {
        let spec = tinySpec()
        let runner = TaskRunner(spec: spec, rank: 7)
        let units = SchedulePolicy.pendingWork(spec: spec)
        let forward = runner.run(units)
        let backward = runner.run(units.reversed())
        XCTAssertEqual(forward.count, spec.taskCount)
        XCTAssertEqual(Set(forward.map(\.key)), Set(spec.tasks))
        let byKey = Dictionary(uniqueKeysWithValues: backward.map { ($0.key, $0) })
        for record in forward {
            XCTAssertEqual(record.outcome.status, .ok, "\(record.key): \(record.outcome.message)")
            XCTAssertEqual(record.rank, 7)
            XCTAssertGreaterThan(record.wallSeconds, 0)
            XCTAssertTrue(record.hasSameResult(as: byKey[record.key]!), "\(record.key)")
        }
    }

    func testASamplingFailureBecomesFailedRecordsNotACrash() {
        let spec = tinySpec()
        let impossible = WorkUnit(instance: InstanceKey(s: .infinity, N: 8, replicate: 0),
                                  optimizers: [.gd, .ng], flops: 1)
        let records = TaskRunner(spec: spec, rank: 0).run(impossible)
        XCTAssertEqual(records.map(\.key.optimizer), [.gd, .ng])
        for record in records {
            XCTAssertEqual(record.outcome.status, .failed)
            XCTAssertFalse(record.outcome.message.isEmpty)
            XCTAssertFalse(record.outcome.message.contains("\n"))
        }
    }
}

/// Collects records in memory, like the results file but without HDF5.
final class RecordingSink: ResultsSink {
    var records: [TaskRecord] = []
    func append(_ batch: [TaskRecord]) throws { records += batch }
}

final class CoordinatorTests: XCTestCase {
    override func setUp() {
        BLASEnvironment.useOneThreadUnlessConfigured()
        StopSignal.reset()
    }

    override func tearDown() { StopSignal.reset() }

    func testRunningLocallyRecordsEveryTaskExactlyOnce() throws {
        let spec = tinySpec()
        let sink = RecordingSink()
        var options = CoordinatorOptions()
        options.interactive = false
        options.logInterval = 1e9
        let coordinator = Coordinator(work: SchedulePolicy.pendingWork(spec: spec), sink: sink, options: options, workers: 1)
        let summary = try coordinator.runLocally(TaskRunner(spec: spec, rank: 0))
        XCTAssertEqual(summary.tasksDone, spec.taskCount)
        XCTAssertEqual(summary.tasksPlanned, spec.taskCount)
        XCTAssertNil(summary.stoppedBy)
        XCTAssertEqual(sink.records.count, spec.taskCount)
        XCTAssertEqual(Set(sink.records.map(\.key)), Set(spec.tasks))
    }

    func testAStopSignalEndsTheRunBetweenUnitsAndResumeFinishesIt() throws {
        let spec = tinySpec()
        StopSignal.install()
        let sink = RecordingSink()
        var options = CoordinatorOptions()
        options.interactive = false
        options.logInterval = 1e9
        raise(SIGUSR1)
        let stopped = try Coordinator(work: SchedulePolicy.pendingWork(spec: spec), sink: sink, options: options, workers: 1)
            .runLocally(TaskRunner(spec: spec, rank: 0))
        XCTAssertEqual(stopped.stoppedBy, SIGUSR1)
        XCTAssertEqual(stopped.tasksDone, 0)
        StopSignal.reset()
        let done = Set(sink.records.map(\.key))
        let rest = try Coordinator(work: SchedulePolicy.pendingWork(spec: spec, done: done), sink: sink, options: options,
                                   workers: 1).runLocally(TaskRunner(spec: spec, rank: 0))
        XCTAssertNil(rest.stoppedBy)
        XCTAssertEqual(sink.records.count, spec.taskCount)
        signal(SIGUSR1, SIG_DFL)
    }
}

final class MemoryBudgetTests: XCTestCase {
    /// A run fits while its tracked tasks take at most 80 % of the node's memory.
    func testARunIsRefusedOnlyPastEightyPercentOfMemory() throws {
        let perTask = Double(Coordinator.trackedBytesPerTask)
        let gigabytes24 = 24e9
        let fits = Int(0.8 * gigabytes24 / perTask)
        XCTAssertNil(Coordinator.memoryShortfall(tasks: fits, availableBytes: gigabytes24))
        let message = try XCTUnwrap(Coordinator.memoryShortfall(tasks: fits + 1, availableBytes: gigabytes24))
        XCTAssertTrue(message.hasPrefix("\(fits + 1) tasks need about 19.2 GB on rank 0"), message)
        XCTAssertTrue(message.hasSuffix("it may use 24.0 GB"), message)
        XCTAssertNil(Coordinator.memoryShortfall(tasks: 50_000_000, availableBytes: 256e9))
    }

    /// Every cgroup memory limit from the process's group up to the root counts; "max" and
    /// missing files impose nothing; without a memory cgroup there is no limit.
    func testCgroupLimitsWalkUpToTheRoot() {
        let files = ["/sys/fs/cgroup/system.slice/slurmstepd.scope/job_7/memory.max": "4294967296\n",
                     "/sys/fs/cgroup/system.slice/slurmstepd.scope/memory.max": "max\n",
                     "/sys/fs/cgroup/system.slice/memory.max": "17179869184",
                     "/sys/fs/cgroup/memory.max": "garbage"]
        let limits = MemoryLimit.cgroupLimits(membership: "0::/system.slice/slurmstepd.scope/job_7\n") { files[$0] }
        XCTAssertEqual(limits, [4294967296, 17179869184])
        XCTAssertEqual(MemoryLimit.cgroupLimits(membership: "0::/\n") { _ in "1000" }, [1000])
        XCTAssertEqual(MemoryLimit.cgroupLimits(membership: "1:cpu:/\n") { _ in "1000" }, [])
        // cgroup v1: the memory controller's line (possibly sharing it with others).
        let v1 = ["/sys/fs/cgroup/memory/slurm/job_7/memory.limit_in_bytes": "2147483648",
                  "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712"]
        XCTAssertEqual(MemoryLimit.cgroupLimits(membership: "5:cpu:/\n4:memory,hugetlb:/slurm/job_7\n") { v1[$0] },
                       [2147483648, 9223372036854771712])
        XCTAssertNotNil(MemoryLimit.available)
    }
}
