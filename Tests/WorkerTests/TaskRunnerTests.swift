import Foundation
import MessagePassing
import Numerics
import Sweep
import TestSupport
import Vocabulary
import Worker
import XCTest

final class TaskRunnerTests: XCTestCase {
    override func setUp() { BLASEnvironment.useOneThreadUnlessConfigured() }

    func testEveryOptimizerOfAUnitGetsARecordAndResultsDoNotDependOnOrder() {
        let spec = tinySweep()
        let runner = TaskRunner(experiment: spec.experiment, rank: 7)
        let units = SchedulePolicy.pendingWork(spec: spec)
        let forward = runner.run(units)
        let backward = runner.run(units.reversed())
        XCTAssertEqual(forward.count, spec.grid.taskCount)
        XCTAssertEqual(Set(forward.map(\.key)), Set(spec.grid.tasks))
        let byKey = Dictionary(uniqueKeysWithValues: backward.map { ($0.key, $0) })
        for record in forward {
            XCTAssertEqual(record.outcome.status, .ok, "\(record.key): \(record.outcome.message)")
            XCTAssertEqual(record.rank, 7)
            XCTAssertGreaterThan(record.wallSeconds, 0)
            XCTAssertTrue(record.hasSameResult(as: byKey[record.key]!), "\(record.key)")
        }
    }

    func testASamplingFailureBecomesFailedRecordsNotACrash() {
        let impossible = WorkUnit(instance: InstanceKey(s: .infinity, N: 8, replicate: 0), optimizers: [.gd, .ng], cost: 1)
        let records = TaskRunner(experiment: tinySweep().experiment, rank: 0).run(impossible)
        XCTAssertEqual(records.map(\.key.optimizer), [.gd, .ng])
        for record in records {
            XCTAssertEqual(record.outcome.status, .failed)
            XCTAssertFalse(record.outcome.message.isEmpty)
            XCTAssertFalse(record.outcome.message.contains("\n"))
        }
    }
}

/// The worker's side of the protocol, driven message by message through the in-process transport.
final class WorkerLoopTests: XCTestCase {
    override func setUp() { BLASEnvironment.useOneThreadUnlessConfigured() }

    func testAWorkerSaysHelloRunsWorkWaitsWhenParkedAndStops() throws {
        let network = InProcessNetwork(size: 2)
        let coordinator = network.endpoint(0)
        let finished = expectation(description: "the worker returned")
        let thread = Thread {
            do { try WorkerLoop(transport: network.endpoint(1)).run() } catch { XCTFail("\(error)") }
            finished.fulfill()
        }
        thread.start()
        let spec = tinySweep()
        try coordinator.send(.experiment(spec.experiment), to: 1)
        guard case .hello(let hello)? = try coordinator.receive(within: 30)?.message else { return XCTFail("no hello") }
        XCTAssertFalse(hello.hostName.isEmpty)
        XCTAssertEqual(hello.blasCore, BLASEnvironment.coreName)

        let unit = SchedulePolicy.pendingWork(spec: spec)[0]
        try coordinator.send(.work([unit]), to: 1)
        guard case .results(let records)? = try coordinator.receive(within: 30)?.message else { return XCTFail("no results") }
        let expected = TaskRunner(experiment: spec.experiment, rank: 1).run(unit)
        XCTAssertEqual(records.map(\.key), expected.map(\.key))
        for (a, b) in zip(records, expected) { XCTAssertTrue(a.hasSameResult(as: b)) }

        // Parked: it says nothing until the next message, then works again.
        try coordinator.send(.wait(seconds: 5), to: 1)
        XCTAssertNil(try coordinator.receive(within: 0.3))
        try coordinator.send(.work([]), to: 1)
        guard case .results(let none)? = try coordinator.receive(within: 30)?.message else { return XCTFail("no results") }
        XCTAssertTrue(none.isEmpty)
        try coordinator.send(.stop, to: 1)
        wait(for: [finished], timeout: 30)
    }

    func testAWorkerGivesUpOnASilentCoordinator() throws {
        let network = InProcessNetwork(size: 2)
        var loop = WorkerLoop(transport: network.endpoint(1))
        loop.patience = 0.2
        let start = Date()
        XCTAssertThrowsError(try loop.run()) { error in
            XCTAssertTrue(error is CoordinatorSilent, "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }
}

/// The memory model (Sweep) and the instance (Numerics) release W from the same size on.
final class FeatureReleaseAgreementTests: XCTestCase {
    func testTheMemoryModelKnowsWhenWIsReleased() {
        XCTAssertEqual(MemoryModel.featureReleaseBytes, ProblemInstance.featureReleaseBytes)
    }
}
