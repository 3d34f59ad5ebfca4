import Coordinator
import Foundation
import MessagePassing
import Numerics
import Platform
import Sweep
import TestSupport
import Vocabulary
import Worker
import XCTest

/// Collects records in memory, like the results file but without HDF5; can be told to fail.
/// Records count as stored once flushed, as in the results file.
final class RecordingSink: ResultsSink, @unchecked Sendable {
    var records: [TaskRecord] = []
    private var buffered: [TaskRecord] = []
    /// Work noted as handed out, and as interrupted by a planned stop.
    var dispatched: [WorkUnit] = []
    var interrupted: [WorkUnit] = []
    /// Flushes after this many succeed throw.
    var failAfter = Int.max
    private var flushes = 0

    struct Full: Error, CustomStringConvertible { var description: String { "No space left on device" } }

    func append(_ batch: [TaskRecord]) throws { buffered += batch }
    func dispatching(_ units: [WorkUnit]) throws { dispatched += units }
    func interrupted(_ units: [WorkUnit]) throws { interrupted += units }
    func flush() throws {
        flushes += 1
        if flushes > failAfter { throw Full() }
        records += buffered
        buffered = []
    }
}

/// Rank 0 over the in-process transport with real workers on threads (and misbehaving ones),
/// no mpirun: the whole protocol, stop signals, write failures, uneven and silent workers.
final class CoordinatorSessionTests: XCTestCase {
    override func setUp() {
        BLASEnvironment.useOneThreadUnlessConfigured()
        StopSignal.reset()
    }

    override func tearDown() {
        StopSignal.reset()
        signal(SIGUSR1, SIG_DFL)
    }

    var options: CoordinatorOptions {
        var o = CoordinatorOptions()
        o.interactive = false
        o.quiet = true
        o.core.minimumBatchCost = 0
        return o
    }

    /// Starts a worker thread on each of `ranks`, running `body` (a real `WorkerLoop` by default).
    func startWorkers(_ network: InProcessNetwork, _ ranks: [Int],
                      body: @escaping @Sendable (Transport) -> Void = { try? WorkerLoop(transport: $0).run() }) {
        for rank in ranks {
            let endpoint = network.endpoint(rank)
            let thread = Thread { body(endpoint) }
            thread.stackSize = 16 << 20
            thread.start()
        }
    }

    /// A worker that says hello, then runs each unit after sleeping `delay` seconds.
    static func slowWorker(delay: Double) -> @Sendable (Transport) -> Void {
        { transport in
            guard case .experiment(let experiment)? = try? transport.receive(within: 30)?.message else { return }
            try? transport.send(.hello(WorkerHello(hostName: "slow", blasCore: "none")), to: 0)
            let runner = TaskRunner(experiment: experiment, rank: Int32(transport.rank))
            while let envelope = try? transport.receive(within: 30) {
                switch envelope.message {
                case .work(let units):
                    usleep(UInt32(delay * 1e6))
                    try? transport.send(.results(runner.run(units)), to: 0)
                case .stop: return
                default: continue
                }
            }
        }
    }

    func expectedRecords(_ spec: SweepSpec) -> [TaskKey: TaskRecord] {
        let records = TaskRunner(experiment: spec.experiment, rank: 0).run(SchedulePolicy.pendingWork(spec: spec))
        return Dictionary(uniqueKeysWithValues: records.map { ($0.key, $0) })
    }

    func testThreeWorkersStoreEveryTaskOnceWithTheResultsOfADirectRun() throws {
        let spec = tinySweep(replicates: 3)
        let network = InProcessNetwork(size: 4)
        startWorkers(network, [1, 2, 3])
        let session = CoordinatorSession(transport: network.endpoint(0), options: options)
        let hellos = try session.greet(spec.experiment)
        XCTAssertEqual(hellos.count, 3)
        let sink = RecordingSink()
        let summary = try session.serve(SchedulePolicy.pendingWork(spec: spec), into: sink)
        XCTAssertEqual(summary.ending, CoordinatorCore.Ending(reason: .complete, abandoned: [], lost: []))
        XCTAssertEqual(summary.tasksDone, spec.grid.taskCount)
        XCTAssertEqual(sink.records.count, spec.grid.taskCount)
        XCTAssertEqual(Set(sink.dispatched.flatMap(\.tasks)), Set(spec.grid.tasks), "all work noted before it went out")
        XCTAssertTrue(sink.interrupted.isEmpty)
        let expected = expectedRecords(spec)
        for record in sink.records {
            XCTAssertTrue(record.hasSameResult(as: expected[record.key]!), "\(record.key)")
            XCTAssertTrue((1...3).contains(record.rank))
        }
    }

    func testAnUnevenWorkerDoesNotChangeTheResults() throws {
        let spec = tinySweep(replicates: 2)
        let network = InProcessNetwork(size: 3)
        startWorkers(network, [1])
        startWorkers(network, [2], body: Self.slowWorker(delay: 0.05))
        let session = CoordinatorSession(transport: network.endpoint(0), options: options)
        _ = try session.greet(spec.experiment)
        let sink = RecordingSink()
        let summary = try session.serve(SchedulePolicy.pendingWork(spec: spec), into: sink)
        XCTAssertEqual(summary.ending.reason, .complete)
        XCTAssertEqual(Set(sink.records.map(\.key)), Set(spec.grid.tasks))
        XCTAssertEqual(sink.records.count, spec.grid.taskCount)
        let fast = sink.records.filter { $0.rank == 1 }.count, slow = sink.records.filter { $0.rank == 2 }.count
        XCTAssertGreaterThan(fast, slow, "the fast worker took more of the work")
    }

    func testASilentWorkerIsDeclaredLostAndItsWorkIsDoneByTheOthers() throws {
        let spec = tinySweep(replicates: 2)
        let network = InProcessNetwork(size: 3)
        startWorkers(network, [1])
        // Rank 2 says hello, takes its first work and is never heard of again (a partition).
        startWorkers(network, [2]) { transport in
            guard case .experiment? = try? transport.receive(within: 30)?.message else { return }
            try? transport.send(.hello(WorkerHello(hostName: "gone", blasCore: "none")), to: 0)
            _ = try? transport.receive(within: 30)
            network.cut(2)
        }
        var options = self.options
        options.core.minimumSilence = 0.5
        options.core.silenceFactor = 0
        let session = CoordinatorSession(transport: network.endpoint(0), options: options)
        _ = try session.greet(spec.experiment)
        let sink = RecordingSink()
        let start = Clock.monotonicSeconds()
        let summary = try session.serve(SchedulePolicy.pendingWork(spec: spec), into: sink)
        XCTAssertLessThan(Clock.monotonicSeconds() - start, 20)
        XCTAssertEqual(summary.ending, CoordinatorCore.Ending(reason: .complete, abandoned: [], lost: [2]))
        XCTAssertTrue(summary.ending.mustAbort)
        XCTAssertEqual(Set(sink.records.map(\.key)), Set(spec.grid.tasks), "every task done, the lost one's by rank 1")
        XCTAssertTrue(sink.records.allSatisfy { $0.rank == 1 })
    }

    func testAStopSignalDrainsThenAbandonsWorkStillInFlight() throws {
        let spec = tinySweep(replicates: 2)
        let network = InProcessNetwork(size: 3)
        startWorkers(network, [1, 2], body: Self.slowWorker(delay: 0.4))
        var options = self.options
        options.core.drainSeconds = 0.1
        let session = CoordinatorSession(transport: network.endpoint(0), options: options)
        _ = try session.greet(spec.experiment)
        StopSignal.install()
        raise(SIGUSR1)
        let sink = RecordingSink()
        let summary = try session.serve(SchedulePolicy.pendingWork(spec: spec), into: sink)
        XCTAssertEqual(summary.ending, CoordinatorCore.Ending(reason: .stopped(signal: SIGUSR1), abandoned: [1, 2], lost: []))
        XCTAssertTrue(sink.records.isEmpty)
        XCTAssertEqual(Set(sink.interrupted), Set(sink.dispatched), "a planned stop: the work abandoned is noted interrupted")
        XCTAssertEqual(sink.dispatched.count, 2)
    }

    func testAStopSignalWithTimeToDrainEndsCleanly() throws {
        let spec = tinySweep(replicates: 2)
        let network = InProcessNetwork(size: 2)
        startWorkers(network, [1], body: Self.slowWorker(delay: 0.2))
        var options = self.options
        options.core.drainSeconds = 30
        let session = CoordinatorSession(transport: network.endpoint(0), options: options)
        _ = try session.greet(spec.experiment)
        StopSignal.install()
        let sink = RecordingSink()
        let stopper = Thread {
            usleep(100_000)
            raise(SIGUSR1)
        }
        stopper.start()
        let summary = try session.serve(SchedulePolicy.pendingWork(spec: spec), into: sink)
        XCTAssertEqual(summary.ending, CoordinatorCore.Ending(reason: .stopped(signal: SIGUSR1), abandoned: [], lost: []))
        XCTAssertFalse(summary.ending.mustAbort)
        XCTAssertFalse(sink.records.isEmpty, "the unit in flight finished within the drain time")
        XCTAssertLessThan(sink.records.count, spec.grid.taskCount)
    }

    func testAWriteFailureEndsTheRunAndNamesTheError() throws {
        let spec = tinySweep(replicates: 2)
        let network = InProcessNetwork(size: 3)
        startWorkers(network, [1, 2])
        let session = CoordinatorSession(transport: network.endpoint(0), options: options)
        _ = try session.greet(spec.experiment)
        let sink = RecordingSink()
        sink.failAfter = 4  // the first work of both workers, then the results of two units
        let summary = try session.serve(SchedulePolicy.pendingWork(spec: spec), into: sink)
        guard case .storeFailed(let reason) = summary.ending.reason else { return XCTFail("\(summary.ending)") }
        XCTAssertEqual(reason, "No space left on device")
        XCTAssertTrue(session.storeError is RecordingSink.Full)
        XCTAssertEqual(sink.records.count, 2 * spec.grid.optimizers.count, "what was stored before stays")
    }

    func testAWorkerThatNeverSaysHelloIsNamed() {
        let network = InProcessNetwork(size: 3)
        startWorkers(network, [1])
        var options = self.options
        options.helloSeconds = 0.3
        let session = CoordinatorSession(transport: network.endpoint(0), options: options)
        XCTAssertThrowsError(try session.greet(tinySweep().experiment)) { error in
            XCTAssertEqual("\(error)", "rank(s) 2 did not say hello within 0.3 s")
        }
        try? session.releaseAll()
    }
}
