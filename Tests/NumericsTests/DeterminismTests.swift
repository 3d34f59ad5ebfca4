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

    /// With a fixed number of BLAS threads above one (large instances run with
    /// OPENBLAS_NUM_THREADS > 1), the same instance gives the same bits every time, with
    /// other work and allocations in between. Sizes where OpenBLAS does split its calls
    /// (it stays single-threaded below about 64×64 products): N = 384, D = 1024, wishart.
    func testFixedThreadCountAboveOneIsBitwiseReproducible() throws {
        BLASEnvironment.setThreads(2)
        defer { BLASEnvironment.setThreads(1) }
        XCTAssertEqual(BLASEnvironment.threads, 2)
        var p = smallExperiment(D: 1024, K: 8, n: 8192, sampler: .wishart)
        p.adamLR = LogGrid(log10Min: -2, log10Max: 2, log10Step: 1)
        p.matSignLR = LogGrid(log10Min: -2, log10Max: 3, log10Step: 1)
        let key = InstanceKey(s: 1.0, N: 384, replicate: 1)
        func run() throws -> (instance: ProblemInstance, outcomes: [[UInt64]]) {
            let instance = try ProblemInstance.sample(experiment: p, key: key)
            let trainer = try InstanceTrainer(instance: instance)
            return (instance, OptimizerKind.allCases.map { bits(trainer.train($0)) })
        }
        let first = try run()
        _ = trainAll(smallExperiment(D: 200, K: 3, n: 300), InstanceKey(s: 0.75, N: 48, replicate: 0))
        let ballast = [Double](repeating: 1, count: 12_345)  // moves the next allocations
        let second = try run()
        XCTAssertEqual(ballast.count, 12_345)
        XCTAssertEqual(first.outcomes, second.outcomes)
        XCTAssertEqual(first.instance.F.elements.map(\.bitPattern), second.instance.F.elements.map(\.bitPattern))
        XCTAssertEqual(first.instance.B.elements.map(\.bitPattern), second.instance.B.elements.map(\.bitPattern))
    }

    /// A released W is drawn again bit for bit, and training after a release gives the same
    /// outcomes as with W kept throughout.
    func testReleasedFeaturesAreDrawnAgainBitForBit() throws {
        let p = smallExperiment(D: 300, K: 3, n: 900, sampler: .wishart)
        let key = InstanceKey(s: 1.5, N: 50, replicate: 4)
        let instance = try ProblemInstance.sample(experiment: p, key: key)
        let kept = instance.features.elements.map(\.bitPattern)
        let before = OptimizerKind.allCases.map { bits(try! InstanceTrainer(instance: instance).train($0)) }
        instance.releaseFeatures()
        XCTAssertEqual(instance.features.elements.map(\.bitPattern), kept)
        instance.releaseFeatures()
        let trainer = try InstanceTrainer(instance: instance)
        instance.releaseFeatures()
        XCTAssertEqual(OptimizerKind.allCases.map { bits(trainer.train($0)) }, before)
        XCTAssertGreaterThan(ProblemInstance.featureReleaseBytes, 16 << 20, "the default sweep's W (≤ 16 MiB) is never released")
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
