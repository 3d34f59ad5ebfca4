import Foundation
import Numerics
import TestSupport
import Vocabulary
import XCTest

/// SPEC §7's spectral diagnostic against the simulation it predicts: mean simulated L(N) over
/// replicates at the default parameters, s = 1.0, for the three filter optimizers.
final class TheoryVersusSimulationTests: XCTestCase {
    override func setUp() {
        BLASEnvironment.useOneThreadUnlessConfigured()
    }

    func testTheoryPredictsMeanSimulatedLossWithinAFewPercent() throws {
        let parameters = Experiment()
        let replicates = 16
        for n in [64, 512] {
            var sums: [OptimizerKind: Double] = [:]
            for replicate in 0..<replicates {
                let instance = try ProblemInstance.sample(experiment: parameters, key: InstanceKey(s: 1.0, N: n, replicate: replicate))
                let trainer = try InstanceTrainer(instance: instance)
                for kind in [OptimizerKind.gd, .sqrtNG, .ng] {
                    let outcome = trainer.train(kind)
                    XCTAssertEqual(outcome.status, .ok)
                    sums[kind, default: 0] += outcome.testLoss
                }
            }
            let diagnostic = try SpectralDiagnostic(experiment: parameters, s: 1.0, N: n)
            for kind in [OptimizerKind.gd, .sqrtNG, .ng] {
                let simulated = sums[kind]! / Double(replicates)
                let predicted = try XCTUnwrap(diagnostic.prediction(for: kind)).loss
                let relative = abs(predicted - simulated) / simulated
                XCTAssertLessThan(relative, 0.04, "\(kind.rawValue) N=\(n): theory \(predicted), simulation \(simulated)")
            }
        }
    }

    /// The theory must not be a constant that happens to sit near the data: it has to follow
    /// the simulation's drop in loss from N = 64 to N = 512 for each optimizer.
    func testTheoryTracksTheDropWithN() throws {
        let parameters = Experiment()
        for kind in [OptimizerKind.gd, .sqrtNG, .ng] {
            let theory = try SpectralDiagnostic.losses(for: kind, experiment: parameters, s: 1.0, Ns: [64, 512])
            XCTAssertLessThan(theory[1], 0.9 * theory[0], kind.rawValue)
        }
    }
}
