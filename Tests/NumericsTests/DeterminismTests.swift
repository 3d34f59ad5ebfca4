import Numerics
import TestSupport
import Vocabulary
import XCTest

/// SPEC §5: a task's result is a pure function of the spec and its key, whatever else ran
/// before it and in whatever order.
final class DeterminismTests: NumericsTestCase {
    func bits(_ o: TrainingOutcome) -> [UInt64] {
        [o.testLoss.bitPattern, o.trainLoss.bitPattern, o.lr.bitPattern, o.lrAtGridEdge ? 1 : 0]
    }

    func testSameTaskGivesBitwiseIdenticalResults() throws {
        let p = smallExperiment(D: 192, K: 4, n: 700)
        let a = InstanceKey(s: 1.25, N: 40, replicate: 3), b = InstanceKey(s: 0.5, N: 24, replicate: 7)
        let first = trainAll(p, a)
        // Other work in between, then the same instance with the optimizers in reverse order.
        _ = trainAll(p, b, optimizers: [.matSign, .ng])
        let instance = try ProblemInstance.sample(experiment: p, key: a)
        let trainer = try InstanceTrainer(instance: instance)
        var second: [OptimizerKind: TrainingOutcome] = [:]
        for kind in OptimizerKind.allCases.reversed() {
            second[kind] = trainer.train(kind)
            _ = trainAll(p, b, optimizers: [kind])
        }
        for kind in OptimizerKind.allCases {
            XCTAssertEqual(first[kind]!.status, .ok)
            XCTAssertEqual(bits(first[kind]!), bits(second[kind]!), "\(kind)")
        }
        let again = try ProblemInstance.sample(experiment: p, key: a)
        XCTAssertEqual(instance.F.elements.map(\.bitPattern), again.F.elements.map(\.bitPattern))
        XCTAssertEqual(instance.B.elements.map(\.bitPattern), again.B.elements.map(\.bitPattern))
    }

    /// The instance never depends on the optimizer list, and W, W* do not depend on the sampler
    /// or n (they come from their own streams).
    func testStreamsAreSeparated() throws {
        let key = InstanceKey(s: 1, N: 16, replicate: 0)
        let joint = try ProblemInstance.sample(experiment: smallExperiment(D: 64, K: 2, n: 100), key: key)
        let direct = try ProblemInstance.sample(experiment: smallExperiment(D: 64, K: 2, n: 300, sampler: .direct), key: key)
        XCTAssertEqual(joint.features, direct.features)
        XCTAssertEqual(joint.teacher, direct.teacher)
        XCTAssertNotEqual(joint.F, direct.F)
        var p = smallExperiment(D: 64, K: 2, n: 100)
        p.masterSeed = 1
        XCTAssertNotEqual(try ProblemInstance.sample(experiment: p, key: key).features, joint.features)
    }
}
