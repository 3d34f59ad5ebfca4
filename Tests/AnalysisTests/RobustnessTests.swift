import Analysis
import Foundation
import Numerics
import Vocabulary
import XCTest

/// The robustness analysis against curves whose answer is known in closed form.
final class RobustnessTests: XCTestCase {
    let N = [16, 32, 64, 128, 256, 512, 1024]
    let options = AnalysisOptions(resamples: 400)

    /// L = c·N^(−α)·(replicate noise): every refit is α, the held-out error is 0 to rounding,
    /// AIC/BIC are n·log(RSS/n) + 2k / k·log n, and the verdict is clean.
    func testAnExactPowerLawIsClean() {
        // Replicate r scales the whole curve by e^(0.1(r − 2)): the mean log L is an exact line.
        let losses = (0..<5).map { r in N.map { 0.7 * pow(Double($0), -0.4) * exp(0.1 * Double(r - 2)) } }
        let robustness = Robustness(curves: ReplicateLogLosses(N: N, losses: losses), N: N, powerLawWarning: false, options: options)
        XCTAssertEqual(robustness.dropped.map(\.dropped), [1, 2, 3])
        for fit in robustness.dropped {
            XCTAssertEqual(fit.alpha, 0.4, accuracy: 1e-12)
            XCTAssertEqual(fit.interval!.low, 0.4, accuracy: 1e-9)
            XCTAssertEqual(fit.interval!.high, 0.4, accuracy: 1e-9)
        }
        let held = try! XCTUnwrap(robustness.heldOut)
        XCTAssertEqual(held.N, 1024)
        XCTAssertEqual(held.logError, 0, accuracy: 1e-12)
        XCTAssertEqual(held.predictedLoss, held.observedLoss, accuracy: 1e-12 * held.observedLoss)
        XCTAssertEqual(robustness.verdict, .clean)
        // An exact fit has RSS at the floor for both forms: the power law wins by BIC (fewer
        // parameters), never the saturating form.
        XCTAssertLessThan(robustness.comparison!.bicAdvantageSaturating, 0)
    }

    /// L = E + A·N^(−α) with a floor E: BIC prefers the saturating form decisively, the held-out
    /// power law undershoots the largest N (positive error), the verdict is saturating, and the
    /// exponent falls as the smallest N are dropped.
    func testAFlooredCurveIsSaturating() {
        let losses = (0..<6).map { r in N.map { (0.05 + 2.0 * pow(Double($0), -0.8)) * exp(0.002 * Double(r - 3)) } }
        let curves = ReplicateLogLosses(N: N, losses: losses)
        let robustness = Robustness(curves: curves, N: N, powerLawWarning: false, options: options)
        XCTAssertEqual(robustness.verdict, .saturating)
        let comparison = try! XCTUnwrap(robustness.comparison)
        XCTAssertGreaterThan(comparison.bicAdvantageSaturating, Robustness.decisiveBIC)
        XCTAssertEqual(comparison.saturating!.E, 0.05, accuracy: 1e-4)
        XCTAssertEqual(comparison.saturating!.alpha, 0.8, accuracy: 1e-3)
        XCTAssertGreaterThan(robustness.heldOut!.logError, 0)
        XCTAssertFalse(robustness.heldOut!.consistent)
        let alphas = robustness.dropped.map(\.alpha)
        XCTAssertTrue(alphas[0] < curves.alpha(replicates: Array(0..<6), window: 0..<N.count) && alphas[1] < alphas[0]
                      && alphas[2] < alphas[1], "\(alphas)")
        // The AIC/BIC definitions, from the OLS line's residuals.
        let line = LinearFit(x: curves.logN, y: curves.meanLogLoss)!
        let rss = pow(line.residualStandardDeviation, 2) * Double(N.count - 2), n = Double(N.count)
        XCTAssertEqual(comparison.aicPowerLaw, n * log(rss / n) + 4, accuracy: 1e-9)
        XCTAssertEqual(comparison.bicPowerLaw, n * log(rss / n) + 2 * log(n), accuracy: 1e-9)
    }

    /// A curve that steepens (no floor) with disagreeing halves is curved, not saturating.
    func testASteepeningCurveIsCurved() {
        let losses = (0..<5).map { r in N.map { n in exp(-0.1 * log(Double(n)) - 0.03 * pow(log(Double(n)), 2) + 0.01 * Double(r)) } }
        let robustness = Robustness(curves: ReplicateLogLosses(N: N, losses: losses), N: N, powerLawWarning: true, options: options)
        XCTAssertEqual(robustness.verdict, .curved)
        XCTAssertLessThan(robustness.comparison!.bicAdvantageSaturating, 0)
        XCTAssertLessThan(robustness.heldOut!.logError, 0, "the line through the smaller N overshoots")
    }

    /// Too few replicates: point estimates, no intervals, a held-out check that cannot fail.
    func testFewReplicatesGivePointEstimatesOnly() {
        let losses = [N.map { pow(Double($0), -0.3) }, N.map { 1.1 * pow(Double($0), -0.3) }]
        let robustness = Robustness(curves: ReplicateLogLosses(N: N, losses: losses), N: N, powerLawWarning: false, options: options)
        XCTAssertTrue(robustness.dropped.allSatisfy { $0.interval == nil })
        XCTAssertNil(robustness.heldOut!.interval)
        XCTAssertTrue(robustness.heldOut!.consistent)
        // Three N: only 3 points, no drops, no model comparison (the saturating form has no
        // residual degree of freedom).
        let short = Robustness(curves: ReplicateLogLosses(N: [16, 32, 64], losses: [[1, 0.8, 0.6]]), N: [16, 32, 64],
                               powerLawWarning: false, options: options)
        XCTAssertTrue(short.dropped.isEmpty)
        XCTAssertNil(short.comparison)
    }
}
