import Foundation
import Numerics
import Sweep

/// Runs work units: samples each instance once and trains every optimizer the unit names on it.
/// A record is a pure function of the spec and its task key; only `wallSeconds` and `rank` vary.
public struct TaskRunner: Sendable {
    public let spec: SweepSpec
    public let rank: Int32

    public init(spec: SweepSpec, rank: Int32) {
        self.spec = spec
        self.rank = rank
    }

    public func run(_ units: [WorkUnit]) -> [TaskRecord] {
        units.flatMap(run)
    }

    /// Never throws: a numerical failure becomes a `failed` record naming what went wrong.
    public func run(_ unit: WorkUnit) -> [TaskRecord] {
        let start = DispatchTime.now()
        let shared: InstanceTrainer
        do {
            let instance = try ProblemInstance.sample(parameters: spec.problem, key: unit.instance)
            shared = try InstanceTrainer(instance: instance)
        } catch {
            let seconds = Self.seconds(since: start) / Double(unit.optimizers.count)
            return unit.tasks.map { key in
                TaskRecord(key: key,
                           outcome: TrainingOutcome(testLoss: .nan, trainLoss: .nan, lr: .nan, lrAtGridEdge: false,
                                                    status: .failed, message: "instance \(unit.instance): \(error)"),
                           wallSeconds: seconds, rank: rank)
            }
        }
        let sharedSeconds = Self.seconds(since: start) / Double(unit.optimizers.count)
        return unit.optimizers.map { optimizer in
            let begin = DispatchTime.now()
            let outcome = shared.train(optimizer)
            return TaskRecord(key: TaskKey(optimizer: optimizer, instance: unit.instance), outcome: outcome,
                              wallSeconds: sharedSeconds + Self.seconds(since: begin), rank: rank)
        }
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
