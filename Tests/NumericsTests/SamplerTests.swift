import Foundation
import Numerics
import TestSupport
import Vocabulary
import XCTest

/// `joint` and `direct` draw the training data from the same law (SPEC §2).
final class SamplerTests: NumericsTestCase {
    /// For each sampler and each of several entries of the (N+K)×(N+K) Gram matrix of [Φ Y]/n,
    /// z = (Gram_ij − C_ij)/√((C_ij² + C_ii C_jj)/n) has mean 0 and variance 1 across
    /// replicates (Wishart moments). A wrong √D, a missing Λ, L in place of Lᵀ or a wrong n
    /// moves the mean or the variance by many standard errors. Then the two samplers' NG and GD
    /// test losses agree in mean (paired: W and W* are shared) and spread.
    func testJointAndDirectAgreeInDistribution() throws {
        let N = 12, K = 2, n = 64, replicates = 100
        let entries = [(0, 0), (0, 1), (3, 7), (N - 1, N - 1), (0, N), (5, N + 1), (N, N), (N, N + 1)]
        var z: [SamplerKind: [[Double]]] = [.joint: Array(repeating: [], count: entries.count),
                                            .direct: Array(repeating: [], count: entries.count)]
        var losses: [SamplerKind: [[Double]]] = [.joint: [[], []], .direct: [[], []]]
        for sampler in [SamplerKind.joint, .direct] {
            let p = smallExperiment(D: 96, K: K, n: n, T: 16, sampler: sampler)
            for r in 0..<replicates {
                let inst = try ProblemInstance.sample(experiment: p, key: InstanceKey(s: 1.0, N: N, replicate: r))
                let C = inst.covariance
                func gram(_ i: Int, _ j: Int) -> Double {
                    if i < N && j < N { return inst.F[i, j] }
                    if i < N { return inst.B[i, j - N] }
                    if j < N { return inst.B[j, i - N] }
                    return inst.labelGram[i - N, j - N]
                }
                for (e, (i, j)) in entries.enumerated() {
                    let sd = ((C[i, j] * C[i, j] + C[i, i] * C[j, j]) / Double(n)).squareRoot()
                    z[sampler]![e].append((gram(i, j) - C[i, j]) / sd)
                }
                let trainer = try InstanceTrainer(instance: inst)
                losses[sampler]![0].append(trainer.train(.ng).testLoss)
                losses[sampler]![1].append(trainer.train(.gd).testLoss)
            }
        }
        for sampler in [SamplerKind.joint, .direct] {
            var pooled = 0.0
            for e in entries.indices {
                let (mean, _) = Summary.meanAndSD(z[sampler]![e])
                XCTAssertLessThan(abs(mean), 4.5 / Double(replicates).squareRoot(), "\(sampler) entry \(entries[e]) mean")
                pooled += z[sampler]![e].reduce(0) { $0 + $1 * $1 }
            }
            pooled /= Double(entries.count * replicates)
            XCTAssertEqual(pooled, 1, accuracy: 0.25, "\(sampler) pooled variance of z")
        }
        for k in 0..<2 {
            let a = losses[.joint]![k], b = losses[.direct]![k]
            let diff = Summary.meanAndSD(zip(a, b).map { $0 - $1 })
            XCTAssertLessThan(abs(diff.mean), 4 * diff.sd / Double(replicates).squareRoot(), "loss \(k) paired mean")
            let ratio = Summary.meanAndSD(a).sd / Summary.meanAndSD(b).sd
            XCTAssertTrue(ratio > 0.6 && ratio < 1.67, "loss \(k) spread ratio \(ratio)")
        }
    }
}
