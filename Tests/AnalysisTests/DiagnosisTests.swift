import Analysis
import Foundation
import Numerics
import Sweep
import Vocabulary
import XCTest

/// `alphasweep diagnose`'s computation: the same numbers as `analyze`'s theory column, the
/// Precond family joining GD and SqrtNG, spectra from files.
final class DiagnosisTests: XCTestCase {
    /// On the default sweep's cells, diagnose's L(N) and α are analyze's theory column, bit
    /// for bit (same diagnostics, same fit), with Precond powers beside them changing nothing.
    func testDiagnoseEqualsAnalyzesTheoryColumnOnTheDefaultSweep() throws {
        let spec = SweepSpec()
        let theory = TheoryPredictions(spec: spec).provider
        let report = AnalysisReport(spec: spec, records: [], theory: theory)
        for s in spec.grid.s {
            let diagnosis = try Diagnosis(experiment: spec.experiment, s: s, N: spec.grid.N, powers: [0.25],
                                          spectrumName: "power law s = \(s)")
            XCTAssertEqual(diagnosis.curves.map(\.optimizer), [.gd, .sqrtNG, .ng, .precond(0.25)!])
            for optimizer in [OptimizerKind.gd, .sqrtNG, .ng] {
                let curve = try XCTUnwrap(diagnosis.curve(optimizer))
                XCTAssertEqual(curve.losses, spec.grid.N.map { theory(optimizer, s, $0)! }, "\(optimizer) s=\(s)")
                let row = try XCTUnwrap(report.row(optimizer, s: s))
                XCTAssertEqual(curve.alpha, row.alphaTheory, "\(optimizer) s=\(s)")
                XCTAssertEqual(curve.alphaLowerHalf, row.alphaTheoryLowHalf)
                XCTAssertEqual(curve.alphaUpperHalf, row.alphaTheoryHighHalf)
                XCTAssertEqual(curve.shiftOverGD, row.alphaTheory - report.row(.gd, s: s)!.alphaTheory)
            }
            XCTAssertFalse(diagnosis.verdict.isEmpty)
        }
    }

    /// The theory's Precond(0) is GD and Precond(½) is SqrtNG, and α moves monotonically
    /// between them at s = 1. (1e-9, not 1e-12: Precond runs in a diagnostic of its own whose
    /// node doubling may stop at another count; the quadrature tolerance is 1e-11 of the total
    /// mass.)
    func testTheoryPrecondJoinsGDAndSqrtNG() throws {
        let e = Experiment()
        let d = try Diagnosis(experiment: e, s: 1, N: [32, 128, 512], powers: [0, 0.5, 0.25], spectrumName: "s = 1")
        for (p, named) in [(0.0, OptimizerKind.gd), (0.5, .sqrtNG)] {
            let a = try XCTUnwrap(d.curve(.precond(p)!)), b = try XCTUnwrap(d.curve(named))
            for (x, y) in zip(a.losses, b.losses) { XCTAssertEqual(x, y, accuracy: 1e-9 * y, "p=\(p)") }
        }
        let alphas = [0.0, 0.25, 0.5].map { d.curve(.precond($0)!)!.alpha }
        XCTAssertTrue(alphas[0] < alphas[1] && alphas[1] < alphas[2], "\(alphas)")
    }

    /// A file holding the power law k^(−s) gives the power law's numbers (to rounding of the
    /// normalisation), and the verdict names the optimizer with the largest shift.
    func testFileSpectrumOfAPowerLawGivesThePowerLawsNumbers() throws {
        var e = Experiment()
        e.D = 512
        let text = (1...e.D).map { "\(pow(Double($0), -1.25) * 3)" }.joined(separator: "\n")
        var file = e
        file.spectrumFiles = [FileSpectrum(label: 1, sha256: "", eigenvalues: try FileSpectrum.eigenvalues(parsing: text))]
        let N = [16, 64, 256]
        let fromLaw = try Diagnosis(experiment: e, s: 1.25, N: N, powers: [], spectrumName: "law")
        let fromFile = try Diagnosis(experiment: file, s: 1, N: N, powers: [], spectrumName: "file")
        for (a, b) in zip(fromLaw.curves, fromFile.curves) {
            for (x, y) in zip(a.losses, b.losses) { XCTAssertEqual(x, y, accuracy: 1e-9 * y, "\(a.optimizer)") }
        }
        XCTAssertNil(fromFile.asymptoticAlphaNG)
        XCTAssertEqual(fromLaw.asymptoticAlphaNG, 0.25)
        let best = fromLaw.curves.dropFirst().max { $0.shiftOverGD < $1.shiftOverGD }!
        if best.shiftOverGD >= Diagnosis.negligibleShift {
            XCTAssertTrue(fromLaw.verdict.hasPrefix("\(best.optimizer.rawValue) is predicted to steepen α by"), fromLaw.verdict)
        }
        let json = try JSONSerialization.jsonObject(with: Data(try fromLaw.render(.json).utf8)) as! [String: Any]
        XCTAssertEqual(json["N"] as? [Int], N)
        XCTAssertEqual((json["optimizers"] as? [[String: Any]])?.count, 3)
    }
}
