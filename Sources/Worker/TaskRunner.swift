import Foundation
import Numerics
import Platform
import Vocabulary

/// Runs work units: samples each instance once and trains every optimizer the unit names on it.
/// A record's result is a pure function of the experiment and its task key; only its context
/// (wall time, rank, host, start time, peak memory) varies.
public struct TaskRunner: Sendable {
    public let experiment: Experiment
    public let rank: Int32

    public init(experiment: Experiment, rank: Int32) {
        self.experiment = experiment
        self.rank = rank
    }

    public func run(_ units: [WorkUnit]) -> [TaskRecord] {
        units.flatMap(run)
    }

    /// Never throws: a numerical failure becomes a `failed` record naming what went wrong.
    /// The host every record of this process names (read once: it does not change).
    static let host = HostName.current

    public func run(_ unit: WorkUnit) -> [TaskRecord] {
        let start = Clock.monotonicSeconds()
        let unitStarted = Clock.utcTimestampMilliseconds()
        switch TestHook.for(unit.instance) {
        case .crash?: kill(getpid(), SIGKILL)
        case .fail?:
            return unit.tasks.map { key in
                TaskRecord(key: key, outcome: TrainingOutcome(testLoss: .nan, trainLoss: .nan, lr: .nan, lrAtGridEdge: false,
                                                              status: .failed, message: "failed on purpose (ALPHASWEEP_TEST_FAIL_INSTANCE)"),
                           wallSeconds: 0, rank: rank, host: Self.host, startedUTC: unitStarted,
                           peakRSSBytes: PeakMemory.residentBytes())
            }
        case nil: break
        }
        let shared: InstanceTrainer
        do {
            let instance = try ProblemInstance.sample(experiment: experiment, key: unit.instance)
            shared = try InstanceTrainer(instance: instance)
        } catch {
            let seconds = (Clock.monotonicSeconds() - start) / Double(unit.optimizers.count)
            return unit.tasks.map { key in
                TaskRecord(key: key,
                           outcome: TrainingOutcome(testLoss: .nan, trainLoss: .nan, lr: .nan, lrAtGridEdge: false,
                                                    status: .failed, message: "instance \(unit.instance): \(error)"),
                           wallSeconds: seconds, rank: rank, host: Self.host, startedUTC: unitStarted,
                           peakRSSBytes: PeakMemory.residentBytes())
            }
        }
        let sharedSeconds = (Clock.monotonicSeconds() - start) / Double(unit.optimizers.count)
        return unit.optimizers.map { optimizer in
            let started = Clock.utcTimestampMilliseconds()
            let begin = Clock.monotonicSeconds()
            let outcome = shared.train(optimizer)
            return TaskRecord(key: TaskKey(optimizer: optimizer, instance: unit.instance), outcome: outcome,
                              wallSeconds: sharedSeconds + (Clock.monotonicSeconds() - begin), rank: rank,
                              host: Self.host, startedUTC: started, peakRSSBytes: PeakMemory.residentBytes())
        }
    }
}

/// Test-only: `ALPHASWEEP_TEST_CRASH_INSTANCE` or `ALPHASWEEP_TEST_FAIL_INSTANCE` set to an
/// instance as it prints ("(s=1.0, N=16, replicate=0)") makes the worker die (SIGKILL) or fail
/// on it, so the end-to-end tests can exercise the crash limit and `--retry-failed`.
enum TestHook {
    case crash, fail

    static let crashing = ProcessInfo.processInfo.environment["ALPHASWEEP_TEST_CRASH_INSTANCE"]
    static let failing = ProcessInfo.processInfo.environment["ALPHASWEEP_TEST_FAIL_INSTANCE"]

    static func `for`(_ instance: InstanceKey) -> TestHook? {
        guard crashing != nil || failing != nil else { return nil }
        let name = instance.description
        return name == crashing ? .crash : name == failing ? .fail : nil
    }
}
