import Coordinator
import Vocabulary
import XCTest

/// The coordinator's decisions, driven event by event with no transport and a made-up clock.
final class CoordinatorCoreTests: XCTestCase {
    typealias Core = CoordinatorCore

    func units(_ costs: [Double]) -> [WorkUnit] {
        costs.enumerated().map { i, cost in
            WorkUnit(instance: InstanceKey(s: 1, N: 16, replicate: i), optimizers: [.gd, .ng], cost: cost)
        }
    }

    func records(for batch: [WorkUnit]) -> [TaskRecord] {
        batch.flatMap { $0.tasks.map { TaskRecord(key: $0, outcome: TrainingOutcome(testLoss: 1, trainLoss: 1, lr: 1, lrAtGridEdge: false, status: .ok), wallSeconds: 0.5, rank: 1) } }
    }

    func settings(minimumSilence: Double = 100, drain: Double = 3, park: Double = 60) -> Core.Settings {
        var s = Core.Settings()
        s.minimumSilence = minimumSilence
        s.drainSeconds = drain
        s.parkSeconds = park
        s.minimumBatchCost = 0  // one unit per batch
        return s
    }

    /// The units sent in `commands`, by worker.
    func sent(_ commands: [Core.Command]) -> [Int: [WorkUnit]] {
        var out: [Int: [WorkUnit]] = [:]
        for case .send(let batch, let worker) in commands { out[worker, default: []] += batch }
        return out
    }

    func testEveryUnitIsSentOnceAndEveryWorkerReleasedAtTheEnd() {
        let work = units([5, 4, 3, 2, 1])
        var core = Core(work: work, workers: [1, 2], settings: settings())
        var now = 0.0
        var pending: [Core.Event] = [.ready(worker: 1), .ready(worker: 2)]
        var handedOut: [WorkUnit] = []
        var released = Set<Int>()
        var ending: Core.Ending?
        while let event = pending.first {
            pending.removeFirst()
            now += 1
            for command in core.handle(event, at: now) {
                switch command {
                case .send(let batch, let worker):
                    handedOut += batch
                    pending.append(.finished(worker: worker, records: records(for: batch)))
                case .release(let worker): released.insert(worker)
                case .park(let worker, _):
                    XCTAssertFalse(core.busyWorkers.isEmpty, "worker \(worker) parked while nobody was busy")
                case .declareLost: XCTFail("nobody was silent")
                case .finish(let end): ending = end
                }
            }
        }
        XCTAssertEqual(handedOut, work, "largest first, each once")
        XCTAssertEqual(released, [1, 2])
        XCTAssertEqual(ending, Core.Ending(reason: .complete, abandoned: [], lost: []))
        XCTAssertEqual(core.tasksDone, 10)
        XCTAssertEqual(core.taskSeconds, 5)
    }

    func testAnIdleWorkerIsParkedWhileOthersAreBusyAndReleasedWhenTheyFinish() {
        var core = Core(work: units([1]), workers: [1, 2], settings: settings())
        let first = core.handle(.ready(worker: 1), at: 0)
        XCTAssertEqual(sent(first)[1]?.count, 1)
        XCTAssertEqual(core.handle(.ready(worker: 2), at: 0), [.park(2, seconds: 60)])
        // Renewed at half the wait, not before.
        XCTAssertEqual(core.handle(.tick, at: 29), [])
        XCTAssertEqual(core.handle(.tick, at: 30), [.park(2, seconds: 60)])
        let end = core.handle(.finished(worker: 1, records: []), at: 31)
        XCTAssertEqual(end, [.release(1), .release(2), .finish(Core.Ending(reason: .complete, abandoned: [], lost: []))])
    }

    func testASilentWorkerIsLostAndItsUnitsGoToAParkedOne() {
        var core = Core(work: units([2, 1]), workers: [1, 2], settings: settings(minimumSilence: 100, park: 1000))
        _ = core.handle(.ready(worker: 1), at: 0)          // worker 1 takes the larger unit and falls silent
        let second = core.handle(.ready(worker: 2), at: 0)
        _ = core.handle(.finished(worker: 2, records: records(for: sent(second)[2]!)), at: 1)  // parked now
        XCTAssertEqual(core.handle(.tick, at: 100), [], "silent for exactly the limit: not yet")
        let lost = core.handle(.tick, at: 100.5)
        XCTAssertEqual(lost.first, .declareLost(1, silentSeconds: 100.5, units: 1))
        XCTAssertEqual(sent(lost)[2]?.map(\.cost), [2], "the lost unit goes to the parked worker")
        let end = core.handle(.finished(worker: 2, records: []), at: 101)
        XCTAssertEqual(end, [.release(2), .finish(Core.Ending(reason: .complete, abandoned: [], lost: [1]))])
        XCTAssertTrue(core.ending!.mustAbort, "a lost rank cannot finish MPI")
        // If it speaks again after the end, it is let go.
        XCTAssertEqual(core.handle(.finished(worker: 1, records: []), at: 500), [.release(1)])
    }

    func testALostWorkerThatComesBackWorksAgain() {
        var core = Core(work: units([4, 3, 2, 1]), workers: [1, 2, 3], settings: settings(minimumSilence: 10))
        _ = core.handle(.ready(worker: 1), at: 0)
        _ = core.handle(.ready(worker: 2), at: 0)
        let third = core.handle(.ready(worker: 3), at: 0)
        _ = core.handle(.finished(worker: 3, records: records(for: sent(third)[3]!)), at: 5)  // takes the last unit
        XCTAssertEqual(core.handle(.tick, at: 11).filter { if case .declareLost = $0 { return true } else { return false } }.count, 2,
                       "workers 1 and 2, silent since 0; worker 3 has spoken since")
        let back = core.handle(.finished(worker: 1, records: []), at: 12)
        XCTAssertEqual(sent(back)[1]?.count, 1, "it gets work again")
        XCTAssertEqual(core.lostWorkers, [2])
    }

    func testTheSilenceLimitFollowsTheSlowestRateSeen() {
        var s = settings(minimumSilence: 1)
        s.silenceFactor = 10
        s.initialRate = 1e8
        var core = Core(work: units([1e9, 1e9, 1e9]), workers: [1], settings: s)
        XCTAssertEqual(core.silenceLimit(cost: 1e9), 100, "before any result: the initial rate")
        _ = core.handle(.ready(worker: 1), at: 0)
        _ = core.handle(.finished(worker: 1, records: []), at: 2)  // 1e9 flops in 2 s
        XCTAssertEqual(core.silenceLimit(cost: 1e9), 20, accuracy: 1e-9)
        XCTAssertEqual(core.silenceLimit(cost: 1), 1, "never below the minimum")
    }

    func testAStopSignalDrainsBusyWorkersAndAbandonsThoseStillBusyAtTheDeadline() {
        var core = Core(work: units([4, 3, 2, 1]), workers: [1, 2, 3], settings: settings(drain: 3))
        for worker in [1, 2, 3] { _ = core.handle(.ready(worker: worker), at: 0) }
        XCTAssertEqual(core.handle(.stopRequested(signal: SIGTERM), at: 1), [])
        XCTAssertEqual(core.handle(.finished(worker: 2, records: []), at: 2), [.release(2)], "no new work while draining")
        let end = core.handle(.tick, at: 4)
        XCTAssertEqual(end, [.finish(Core.Ending(reason: .stopped(signal: SIGTERM), abandoned: [1, 3], lost: []))])
    }

    func testAStopSignalEndsTheRunOnceTheBusyWorkersFinish() {
        var core = Core(work: units([3, 2, 1]), workers: [1, 2], settings: settings())
        _ = core.handle(.ready(worker: 1), at: 0)
        _ = core.handle(.ready(worker: 2), at: 0)
        XCTAssertEqual(core.handle(.stopRequested(signal: SIGUSR1), at: 1), [])
        XCTAssertEqual(core.handle(.finished(worker: 1, records: []), at: 1.5), [.release(1)])
        XCTAssertEqual(core.handle(.finished(worker: 2, records: []), at: 1.6),
                       [.release(2), .finish(Core.Ending(reason: .stopped(signal: SIGUSR1), abandoned: [], lost: []))])
        XCTAssertFalse(core.ending!.mustAbort)
    }

    func testAStoreFailureEndsTheRunAbandoningBusyWorkers() {
        var core = Core(work: units([3, 2, 1]), workers: [1, 2], settings: settings())
        _ = core.handle(.ready(worker: 1), at: 0)
        _ = core.handle(.ready(worker: 2), at: 0)
        let end = core.handle(.storeFailed(reason: "disk full"), at: 1)
        XCTAssertEqual(end, [.finish(Core.Ending(reason: .storeFailed(reason: "disk full"), abandoned: [1, 2], lost: []))])
        XCTAssertTrue(core.ending!.mustAbort)
    }

    func testNoWorkReleasesEveryoneAndCompletes() {
        var core = Core(work: [], workers: [1, 2], settings: settings())
        XCTAssertEqual(core.handle(.ready(worker: 1), at: 0), [.release(1)])
        XCTAssertEqual(core.handle(.ready(worker: 2), at: 0),
                       [.release(2), .finish(Core.Ending(reason: .complete, abandoned: [], lost: []))])
    }
}

extension CoordinatorCoreTests {
    /// Instances that crashed a worker before go out alone, so a crash is charged to its cause.
    func testSuspectInstancesAreHandedOutAlone() {
        var s = settings()
        s.minimumBatchCost = 1e9  // would batch everything
        let work = units([1, 1, 1, 1, 1])
        var core = Core(work: work, workers: [1], settings: s, isolating: [work[2].instance])
        var batches: [[WorkUnit]] = []
        var event = Core.Event.ready(worker: 1)
        for t in 0..<10 {
            let commands = core.handle(event, at: Double(t))
            guard let batch = sent(commands)[1] else { break }
            batches.append(batch)
            event = .finished(worker: 1, records: [])
        }
        XCTAssertEqual(batches.map(\.count), [2, 1, 1, 1], "guided: at most half of what is left per batch")
        XCTAssertEqual(batches[1], [work[2]])
    }
}

extension CoordinatorCoreTests {
    func testARunWhoseEveryWorkerIsLostEnds() {
        var core = Core(work: units([2, 1]), workers: [1], settings: settings(minimumSilence: 10))
        _ = core.handle(.ready(worker: 1), at: 0)
        let end = core.handle(.tick, at: 11)
        XCTAssertEqual(end.last, .finish(Core.Ending(reason: .everyWorkerLost, abandoned: [], lost: [1])))
        XCTAssertTrue(core.ending!.mustAbort)
    }
}
