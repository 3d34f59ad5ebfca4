import Foundation
import Numerics
import TestSupport
import Vocabulary
import XCTest

final class InstanceTests: NumericsTestCase {
    func testSpectrumIsNormalisedPowerLaw() {
        let lambda = Spectrum.eigenvalues(s: 1.5, D: 2048)
        XCTAssertEqual(lambda.reduce(0, +), 1, accuracy: 1e-14)
        XCTAssertEqual(lambda[0] / lambda[9], pow(10, 1.5), accuracy: 1e-10)
        XCTAssertTrue(zip(lambda, lambda.dropFirst()).allSatisfy { $0 > $1 })
        XCTAssertEqual(Spectrum.eigenvalues(s: 0, D: 4), [0.25, 0.25, 0.25, 0.25])
    }

    /// C = [[WΛWᵀ/D, WΛW*/√D], [·, W*ᵀΛW* + σ²I]] checked element by element with plain loops.
    func testPopulationCovarianceMatchesDefinition() throws {
        let p = smallExperiment(D: 64, K: 3, n: 32, beta: 0.5)
        let inst = try ProblemInstance.sample(experiment: p, key: InstanceKey(s: 1.25, N: 7, replicate: 2))
        let W = inst.features, Ws = inst.teacher, lam = inst.lambda, D = 64, N = 7, K = 3
        let C = inst.covariance
        func cov(_ a: (Int) -> Double, _ b: (Int) -> Double) -> Double {
            (0..<D).reduce(0) { $0 + a($1) * lam[$1] * b($1) }
        }
        for i in 0..<(N + K) {
            for j in 0..<(N + K) {
                let u: (Int) -> Double = i < N ? { W[i, $0] / Double(D).squareRoot() } : { Ws[$0, i - N] }
                let v: (Int) -> Double = j < N ? { W[j, $0] / Double(D).squareRoot() } : { Ws[$0, j - N] }
                let expected = cov(u, v) + (i == j && i >= N ? p.sigma * p.sigma : 0)
                XCTAssertEqual(C[i, j], expected, accuracy: 1e-13 * max(1, abs(expected)), "C[\(i),\(j)]")
            }
        }
        // Teacher variances k^−β: row k of W* scaled by k^(−β/2).
        let raw = inst.teacher
        XCTAssertEqual(inst.signalVariance, (0..<K).reduce(0) { acc, o in
            acc + (0..<D).reduce(0) { $0 + lam[$1] * raw[$1, o] * raw[$1, o] }
        } / Double(K), accuracy: 1e-14)
        XCTAssertEqual(inst.F, inst.F.transposed)
    }

    /// The exact test loss equals a Monte-Carlo estimate E_x[(φ(x)·θ_o − w*_o·x)²] on 2e5 fresh x.
    func testExactLossMatchesMonteCarlo() throws {
        let p = smallExperiment(D: 256, K: 4, n: 512)
        let inst = try ProblemInstance.sample(experiment: p, key: InstanceKey(s: 1.0, N: 32, replicate: 0))
        let trainer = try InstanceTrainer(instance: inst)
        var thetas = [trainer.spectralReadout(trainer.filter(for: .ng)!), trainer.spectralReadout(trainer.filter(for: .gd)!)]
        // and an arbitrary readout
        var g = RandomStream(masterSeed: 11, s: 0, N: 0, replicate: 0, stream: .teacher)
        thetas.append(Matrix(rows: 32, columns: 4, elements: g.standardNormals(count: 128).map { $0 * 0.1 }))

        let D = 256, N = 32, K = 4, samples = 200_000, chunk = 20_000
        let rootLambda = inst.lambda.map { $0.squareRoot() }
        var mc = RandomStream(masterSeed: 12345, s: 1, N: 32, replicate: 999, stream: .data)
        var perSample = [[Double]](repeating: [], count: thetas.count)
        for _ in 0..<(samples / chunk) {
            var x = Matrix(rows: chunk, columns: D, elements: mc.standardNormals(count: chunk * D))
            for k in 0..<D { for i in 0..<chunk { x[i, k] *= rootLambda[k] } }
            let phi = Matrix.product(x, inst.features, transposeB: true, alpha: 1 / Double(D).squareRoot())
            let target = Matrix.product(x, inst.teacher)
            for (t, theta) in thetas.enumerated() {
                let err = Matrix.product(phi, theta) - target
                for i in 0..<chunk {
                    var e2 = 0.0
                    for o in 0..<K { e2 += err[i, o] * err[i, o] }
                    perSample[t].append(e2 / Double(K))
                }
            }
        }
        XCTAssertEqual(N, inst.N)
        for (t, theta) in thetas.enumerated() {
            let (mean, sd) = Summary.meanAndSD(perSample[t])
            let se = sd / Double(samples).squareRoot()
            let exact = inst.testLoss(theta)
            XCTAssertLessThan(abs(mean - exact), 4 * se, "readout \(t): exact \(exact), MC \(mean) ± \(se)")
            XCTAssertLessThan(se / exact, 0.02, "the test must be sharp")
        }
    }

    /// L(Θ = 0) is the signal variance bit for bit, and the trained optimizers improve on it.
    func testZeroReadoutLossIsSignalVariance() throws {
        let inst = try ProblemInstance.sample(experiment: smallExperiment(), key: InstanceKey(s: 1, N: 48, replicate: 1))
        let zero = Matrix(rows: 48, columns: 4)
        XCTAssertEqual(inst.testLoss(zero).bitPattern, inst.signalVariance.bitPattern)
        XCTAssertEqual(inst.trainLoss(zero), inst.labelGram.trace / 8, accuracy: 1e-15)
        let trainer = try InstanceTrainer(instance: inst)
        for kind in OptimizerKind.allCases {
            let outcome = trainer.train(kind)
            XCTAssertEqual(outcome.status, .ok, "\(kind)")
            XCTAssertLessThan(outcome.testLoss, inst.signalVariance, "\(kind)")
            XCTAssertLessThan(outcome.trainLoss, inst.trainLoss(zero), "\(kind)")
        }
    }

    /// With N > D the feature covariance is singular: the joint sampler must still work
    /// (through the symmetric square root when dpotrf fails) and give E[F] = C_φφ.
    func testRankDeficientCovarianceFallsBack() throws {
        let p = smallExperiment(D: 4, K: 2, n: 256)
        let inst = try ProblemInstance.sample(experiment: p, key: InstanceKey(s: 1, N: 24, replicate: 0))
        XCTAssertTrue(inst.usedSymmetricSquareRoot)
        XCTAssertTrue(inst.F.isFinite && inst.B.isFinite && inst.labelGram.isFinite)
        // rank(F) ≤ D: all but 4 eigenvalues vanish (relative to the largest).
        let mu = try LAPACK.symmetricEigen(inst.F).values
        XCTAssertLessThan(abs(mu[mu.count - 5]), 1e-12 * mu.last!)
        let trainer = try InstanceTrainer(instance: inst)
        for kind in OptimizerKind.allCases { XCTAssertNotEqual(trainer.train(kind).status, .failed, "\(kind)") }
    }

    func testInvalidParametersThrowAndFailCleanly() {
        var p = smallExperiment()
        p.n = 0
        XCTAssertThrowsError(try ProblemInstance.sample(experiment: p, key: InstanceKey(s: 1, N: 8, replicate: 0)))
        let outcomes = trainAll(p, InstanceKey(s: 1, N: 8, replicate: 0))
        XCTAssertEqual(outcomes.count, 5)
        XCTAssertTrue(outcomes.values.allSatisfy { $0.status == .failed && !$0.message.isEmpty && !$0.message.contains("\n") })
    }
}
