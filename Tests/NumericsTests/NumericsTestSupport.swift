import Foundation
import Numerics
import XCTest

/// Base class of the numerics tests: one OpenBLAS thread (bitwise reproducibility; the
/// machine is shared) and small shared fixtures (kept as members so that they cannot collide
/// with helpers of other test files in this target).
class NumericsTestCase: XCTestCase {
    override class func setUp() {
        super.setUp()
        BLASEnvironment.setThreads(1)
    }

    /// Small problem sizes for tests (defaults of SPEC §1–4 otherwise).
    func smallParameters(D: Int = 256, K: Int = 4, n: Int = 512, T: Int = 16,
                         sampler: SamplerKind = .joint, sigma: Double = 0.3, beta: Double = 0) -> ProblemParameters {
        var p = ProblemParameters()
        p.D = D
        p.K = K
        p.n = n
        p.T = T
        p.sampler = sampler
        p.sigma = sigma
        p.beta = beta
        return p
    }

    /// ‖a − b‖_F / ‖b‖_F.
    func relativeDifference(_ a: Matrix, _ b: Matrix) -> Double {
        (a - b).frobeniusNorm / b.frobeniusNorm
    }

    func relativeDifference(_ a: Double, _ b: Double) -> Double { abs(a - b) / abs(b) }

    /// Mean and sample standard deviation.
    func meanAndSD(_ x: [Double]) -> (mean: Double, sd: Double) {
        let m = x.reduce(0, +) / Double(x.count)
        let v = x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)
        return (m, v.squareRoot())
    }
}
