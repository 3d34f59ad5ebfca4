import Numerics
import Platform
import Vocabulary

/// Runs work units: samples each instance once and trains every optimizer the unit names on it.
/// A record is a pure function of the experiment and its task key; only `wallSeconds` and `rank` vary.
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
    public func run(_ unit: WorkUnit) -> [TaskRecord] {
        let start = Clock.monotonicSeconds()
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
                           wallSeconds: seconds, rank: rank)
            }
        }
        let sharedSeconds = (Clock.monotonicSeconds() - start) / Double(unit.optimizers.count)
        return unit.optimizers.map { optimizer in
            let begin = Clock.monotonicSeconds()
            let outcome = shared.train(optimizer)
            return TaskRecord(key: TaskKey(optimizer: optimizer, instance: unit.instance), outcome: outcome,
                              wallSeconds: sharedSeconds + (Clock.monotonicSeconds() - begin), rank: rank)
        }
    }
}
