import Foundation
import Numerics
import TestSupport
import Vocabulary
import XCTest

/// Base class of the numerics tests: one OpenBLAS thread (bitwise reproducibility; the
/// machine is shared) and small shared fixtures (kept as members so that they cannot collide
/// with helpers of other test files in this target).
class NumericsTestCase: XCTestCase {
    override class func setUp() {
        super.setUp()
        BLASEnvironment.setThreads(1)
    }

    /// ‖a − b‖_F / ‖b‖_F.
    func relativeDifference(_ a: Matrix, _ b: Matrix) -> Double {
        (a - b).frobeniusNorm / b.frobeniusNorm
    }

    func relativeDifference(_ a: Double, _ b: Double) -> Double { abs(a - b) / abs(b) }
}

extension Summary {
    /// Mean and sample standard deviation.
    static func meanAndSD(_ x: [Double]) -> (mean: Double, sd: Double) { (mean(x), standardDeviation(x)) }
}
