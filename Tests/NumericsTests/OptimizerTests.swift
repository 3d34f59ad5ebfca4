import Foundation
import Numerics
import TestSupport
import Vocabulary
import XCTest

final class OptimizerTests: NumericsTestCase {
    func trainer(s: Double = 1, N: Int = 48, replicate: Int = 0, T: Int = 16, K: Int = 4) throws -> InstanceTrainer {
        let inst = try ProblemInstance.sample(experiment: smallExperiment(D: 256, K: K, n: 512, T: T),
                                              key: InstanceKey(s: s, N: N, replicate: replicate))
        return try InstanceTrainer(instance: inst)
    }

    /// SPEC §4: the closed-form spectral filters equal T literal steps (relative 1e-8).
    func testClosedFormFiltersMatchLiteralIterations() throws {
        for (s, N) in [(1.0, 32), (2.0, 64), (0.5, 48)] {
            let tr = try trainer(s: s, N: N)
            for kind in [OptimizerKind.gd, .sqrtNG, .ng] {
                let closed = tr.spectralReadout(tr.filter(for: kind)!)
                let literal = try tr.literalIteration(kind)
                XCTAssertLessThan(relativeDifference(closed, literal), 1e-8, "\(kind) s=\(s) N=\(N) Θ")
                let lc = tr.instance.testLoss(closed), ll = tr.instance.testLoss(literal)
                XCTAssertLessThan(relativeDifference(lc, ll), 1e-8, "\(kind) s=\(s) N=\(N) test loss")
                XCTAssertLessThan(relativeDifference(tr.instance.trainLoss(closed), tr.instance.trainLoss(literal)), 1e-8)
                XCTAssertEqual(tr.train(kind).testLoss, lc)
            }
        }
    }

    /// SPEC §4: Precond(p)'s closed form equals T literal steps with (F + εI)^(−p) formed
    /// explicitly (relative 1e-8), for powers between and at the family's ends.
    func testPrecondClosedFormMatchesLiteralIteration() throws {
        for (s, N) in [(1.0, 32), (2.0, 64), (0.5, 48)] {
            let tr = try trainer(s: s, N: N)
            for p in [0.0, 0.25, 0.5, 0.75, 1.0] {
                let kind = OptimizerKind.precond(p)!
                let closed = tr.spectralReadout(tr.filter(for: kind)!)
                let literal = try tr.literalIteration(kind)
                XCTAssertLessThan(relativeDifference(closed, literal), 1e-8, "\(kind) s=\(s) N=\(N) Θ")
                XCTAssertLessThan(relativeDifference(tr.instance.testLoss(closed), tr.instance.testLoss(literal)), 1e-8)
                XCTAssertEqual(tr.train(kind).testLoss, tr.instance.testLoss(closed))
            }
        }
    }

    /// Precond(0) is GD and Precond(½) is SqrtNG (relative 1e-12 in test and training loss);
    /// Precond(1) is NG up to its step size 1 + 10⁻⁶ (SPEC §4).
    func testPrecondJoinsGDSqrtNGAndNG() throws {
        for (s, N) in [(1.0, 32), (2.0, 64), (0.5, 48)] {
            let tr = try trainer(s: s, N: N)
            for (p, named) in [(0.0, OptimizerKind.gd), (0.5, .sqrtNG)] {
                let a = tr.train(.precond(p)!), b = tr.train(named)
                XCTAssertLessThan(relativeDifference(a.testLoss, b.testLoss), 1e-12, "p=\(p) s=\(s) N=\(N)")
                XCTAssertLessThan(relativeDifference(a.trainLoss, b.trainLoss), 1e-12, "p=\(p) s=\(s) N=\(N)")
                XCTAssertLessThan(relativeDifference(a.lr, b.lr), 1e-12)
            }
            let p1 = tr.train(.precond(1)!), ng = tr.train(.ng)
            XCTAssertEqual(p1.lr, 1 + 1e-6, accuracy: 1e-15)
            XCTAssertLessThan(relativeDifference(p1.testLoss, ng.testLoss), 1e-3, "s=\(s) N=\(N)")
        }
    }

    /// Spec names of the family: parsed, printed canonically, ordered after NG by power.
    func testPrecondNames() {
        XCTAssertEqual(OptimizerKind(rawValue: "Precond(0.25)"), .precond(0.25))
        XCTAssertEqual(OptimizerKind(rawValue: "Precond(1)")?.rawValue, "Precond(1.0)")
        XCTAssertEqual(OptimizerKind(rawValue: "Precond(-0)")?.rawValue, "Precond(0.0)")
        for bad in ["Precond(1.5)", "Precond(-0.1)", "Precond()", "Precond(nan)", "Precond( 0.5)", "Precond", "precond(0.5)"] {
            XCTAssertNil(OptimizerKind(rawValue: bad), bad)
        }
        XCTAssertEqual(OptimizerKind(rawValue: "GD"), .gd)
        let sorted = [OptimizerKind.precond(0.75)!, .ng, .precond(0.25)!, .gd].sorted()
        XCTAssertEqual(sorted.map(\.rawValue), ["GD", "NG", "Precond(0.25)", "Precond(0.75)"])
    }

    /// msign(VᵀG) = Vᵀ msign(G): MatSign in F's eigenbasis equals MatSign in the feature basis.
    func testMatSignEigenbasisMatchesFeatureBasis() throws {
        let tr = try trainer(s: 1.5, N: 40)
        let lrs = [0.01, 0.3, 10]
        let eigen = try tr.matSignReadouts(peakLearningRates: lrs)
        let feature = try tr.literalMatSign(peakLearningRates: lrs)
        for g in lrs.indices {
            let cols = (g * 4)..<((g + 1) * 4)
            XCTAssertLessThan(relativeDifference(eigen.columns(cols), feature.columns(cols)), 1e-10, "lr \(lrs[g])")
        }
        let le = tr.instance.testLosses(eigen), lf = tr.instance.testLosses(feature)
        for g in lrs.indices { XCTAssertLessThan(relativeDifference(le[g], lf[g]), 1e-10) }
    }

    /// msign(A) is the orthogonal polar factor: orthonormal columns, and msign(A)ᵀA symmetric PSD.
    func testMatrixSign() throws {
        var g = RandomStream(masterSeed: 1, s: 1, N: 1, replicate: 1, stream: .data)
        let a = Matrix(rows: 9, columns: 4, elements: g.standardNormals(count: 36))
        let q = try LAPACK.matrixSign(a)
        XCTAssertLessThan((Matrix.product(q, q, transposeA: true) - Matrix.identity(4)).maxAbs, 1e-14)
        let h = Matrix.product(q, a, transposeA: true)
        XCTAssertLessThan((h - h.transposed).maxAbs, 1e-13)
        XCTAssertTrue(try LAPACK.symmetricEigen(h).values.allSatisfy { $0 > 0 })
        XCTAssertEqual(try LAPACK.matrixSign(Matrix(rows: 3, columns: 2)), Matrix(rows: 3, columns: 2))
    }

    /// msign(U diag(σ) Vᵀ) = U Vᵀ on every path of `MatrixSignWorkspace`: Gram (well
    /// conditioned), QR (ill conditioned), the cutoff (a singular value at rounding level is
    /// dropped), and a wide matrix (thin SVD).
    func testMatrixSignPathsAgreeWithTheSVDDefinition() throws {
        var g = RandomStream(masterSeed: 2, s: 1, N: 1, replicate: 0, stream: .data)
        for (m, n) in [(200, 6), (6, 9)] {
            let r = min(m, n)
            let u = try LAPACK.thinSVD(Matrix(rows: m, columns: r, elements: g.standardNormals(count: m * r))).u
            let v = try LAPACK.thinSVD(Matrix(rows: n, columns: r, elements: g.standardNormals(count: n * r))).u
            for (sigmas, tolerance) in [([1, 0.8, 0.5, 0.3, 0.2, 0.1], 1e-13), ([1, 0.5, 1e-3, 1e-5, 1e-6, 1e-7], 1e-8)] {
                var us = u
                for j in 0..<r { for i in 0..<m { us[i, j] *= sigmas[j] } }
                let a = Matrix.product(us, v, transposeB: true)
                let expected = Matrix.product(u, v, transposeB: true)
                XCTAssertLessThan((try LAPACK.matrixSign(a) - expected).maxAbs, tolerance, "\(m)×\(n) σ \(sigmas)")
            }
            var us = u
            for j in 0..<r { for i in 0..<m { us[i, j] *= j == r - 1 ? 1e-18 : 1 } }
            let q = try LAPACK.matrixSign(Matrix.product(us, v, transposeB: true))
            let kept = Matrix.product(u.columns(0..<(r - 1)), v.columns(0..<(r - 1)), transposeB: true)
            XCTAssertLessThan((q - kept).maxAbs, 1e-12, "\(m)×\(n) rank-deficient")
        }
    }

    /// NG with ε → 0 and many steps reaches the least-squares solution F⁻¹B.
    func testNaturalGradientReachesLeastSquares() throws {
        let tr = try trainer(s: 1, N: 48)
        let filter = SpectralFilter.ng(epsilon: 1e-13 * tr.muMax, steps: 1000)
        let theta = tr.spectralReadout(filter)
        let ls = try LAPACK.solvePositiveDefinite(tr.instance.F, tr.instance.B)
        XCTAssertLessThan(relativeDifference(theta, ls), 1e-9)
        // The least-squares fit minimises the training loss.
        XCTAssertLessThan(tr.instance.trainLoss(ls), tr.instance.trainLoss(tr.spectralReadout(tr.filter(for: .gd)!)))
    }

    /// The gains f(μ)/μ are finite and continuous at μ = 0, and f(μ_max) = 1 for GD and SqrtNG.
    func testFilterGainsAtTheEdges() {
        let muMax = 2.5, T = 16
        for kind in [OptimizerKind.gd, .sqrtNG, .ng, .precond(0.3)!] {
            let f = SpectralFilter(optimizer: kind, muMax: muMax, steps: T)!
            let g0 = f.gain(0)
            XCTAssertTrue(g0.isFinite && g0 > 0)
            XCTAssertEqual(f.gain(1e-300), g0, accuracy: 1e-12 * g0)
            XCTAssertEqual(f.gain(1e-20), g0, accuracy: 1e-9 * g0)
            XCTAssertEqual(f.gain(-1e-20), g0, accuracy: 1e-9 * g0)
            XCTAssertEqual(f.gain(1e-9 * muMax), f.response(1e-9 * muMax) / (1e-9 * muMax))
            XCTAssertTrue(f.gain(-1e-17).isFinite)
            XCTAssertEqual(SpectralFilter(optimizer: kind, muMax: muMax, steps: 0)!.gain(0.3), 0)
        }
        XCTAssertEqual(SpectralFilter(optimizer: .gd, muMax: muMax, steps: T)!.response(muMax), 1)
        XCTAssertEqual(SpectralFilter(optimizer: .sqrtNG, muMax: muMax, steps: T)!.response(muMax), 1, accuracy: 1e-15)
        XCTAssertNil(SpectralFilter(optimizer: .adam, muMax: 1, steps: 1))
        // GD: small μ gives f ≈ Tημ.
        XCTAssertEqual(SpectralFilter.gd(eta: 1, steps: 16).response(1e-12), 16e-12 - 120e-24, accuracy: 1e-26)
    }

    /// One bias-corrected Adam step from Θ = 0 is (nearly) sign descent: m̂ = g, v̂ = g², so
    /// Θ = −peak·g/(|g| + ε_A) with g = −B.
    func testAdamFirstStepIsSignDescent() throws {
        let tr = try trainer(N: 16, T: 1)
        let theta = tr.adamReadouts(peakLearningRates: [0.05])
        for i in theta.elements.indices {
            let b = tr.instance.B.elements[i]
            XCTAssertEqual(theta.elements[i], 0.05 * b / (abs(b) + 1e-12), accuracy: 1e-16)
        }
    }

    /// The batched Adam of many lrs equals Adam run one lr at a time.
    func testAdamBatchesIndependently() throws {
        let tr = try trainer(N: 24)
        let lrs = [0.01, 0.1, 1]
        let all = tr.adamReadouts(peakLearningRates: lrs)
        for (g, lr) in lrs.enumerated() {
            XCTAssertEqual(all.columns((g * 4)..<((g + 1) * 4)), tr.adamReadouts(peakLearningRates: [lr]))
        }
    }

    /// The oracle lr is on the grid and is the grid's best; the edge flag is right.
    func testOracleLearningRateIsOnTheGrid() throws {
        let tr = try trainer(N: 32)
        for kind in [OptimizerKind.adam, .matSign] {
            let grid = kind == .adam ? tr.instance.experiment.adamLR.values : tr.instance.experiment.matSignLR.values
            XCTAssertEqual(grid.count, kind == .adam ? 17 : 21)
            let outcome = tr.train(kind)
            XCTAssertEqual(outcome.status, .ok)
            let index = try XCTUnwrap(grid.firstIndex(of: outcome.lr))
            let search = try tr.learningRateSearch(kind, grid: grid)
            XCTAssertEqual(search.chosenIndex, index)
            XCTAssertEqual(outcome.testLoss, search.testLosses.filter(\.isFinite).min())
            XCTAssertEqual(outcome.lrAtGridEdge, index == 0 || index == grid.count - 1)
        }
    }

    func testLearningRateSearchRules() {
        let lrs = [0.1, 1, 10, 100]
        XCTAssertEqual(LearningRateSearch(learningRates: lrs, testLosses: [3, 1, 2, 4]).chosenIndex, 1)
        XCTAssertFalse(LearningRateSearch(learningRates: lrs, testLosses: [3, 1, 2, 4]).atGridEdge)
        XCTAssertTrue(LearningRateSearch(learningRates: lrs, testLosses: [1, 2, 3, 4]).atGridEdge)
        XCTAssertTrue(LearningRateSearch(learningRates: lrs, testLosses: [.nan, .infinity, 2, 1]).atGridEdge)
        XCTAssertEqual(LearningRateSearch(learningRates: lrs, testLosses: [.nan, .infinity, 2, 1]).chosenIndex, 3)
        // a diverged run with a "smaller" loss never wins; ties go to the smaller lr
        XCTAssertEqual(LearningRateSearch(learningRates: lrs, testLosses: [2, 1, 1, -.infinity]).chosenIndex, 1)
        XCTAssertNil(LearningRateSearch(learningRates: lrs, testLosses: [.nan, .nan, .infinity, .nan]).chosenIndex)
        XCTAssertFalse(LearningRateSearch(learningRates: lrs, testLosses: [.nan, .nan, .infinity, .nan]).atGridEdge)
    }

    /// Constructed cases through the training API: a grid of tiny lrs picks its largest (edge);
    /// lrs so large that the loss overflows are excluded; a grid of only those is `diverged`.
    func testGridEdgesAndDivergenceThroughTraining() throws {
        var p = smallExperiment(D: 128, K: 3, n: 256)
        p.adamLR = LogGrid(log10Min: -8, log10Max: -7, log10Step: 0.5)
        p.matSignLR = LogGrid(log10Min: -8, log10Max: -7, log10Step: 0.5)
        let key = InstanceKey(s: 1, N: 16, replicate: 0)
        var out = trainAll(p, key, optimizers: [.adam, .matSign])
        for kind in [OptimizerKind.adam, .matSign] {
            XCTAssertEqual(out[kind]!.status, .ok)
            XCTAssertEqual(out[kind]!.lr, p.adamLR.values.last)
            XCTAssertTrue(out[kind]!.lrAtGridEdge)
        }

        let tr = try InstanceTrainer(instance: ProblemInstance.sample(experiment: p, key: key))
        for kind in [OptimizerKind.adam, .matSign] {
            let search = try tr.learningRateSearch(kind, grid: [0.1, 1, 1e200])
            XCTAssertFalse(search.testLosses[2].isFinite, "\(kind) at lr 1e200")
            XCTAssertNotNil(search.chosenIndex)
            XCTAssertNotEqual(search.chosenIndex, 2)
            let outcome = try tr.searchOutcome(kind, grid: [0.1, 1, 1e200])
            XCTAssertEqual(outcome.status, .ok)
            XCTAssertTrue(outcome.lr < 1e200)
        }

        p.adamLR = LogGrid(log10Min: 200, log10Max: 250, log10Step: 25)
        p.matSignLR = p.adamLR
        out = trainAll(p, key, optimizers: [.adam, .matSign])
        for kind in [OptimizerKind.adam, .matSign] {
            XCTAssertEqual(out[kind]!.status, .diverged, "\(kind)")
            XCTAssertTrue(out[kind]!.testLoss.isNaN)
            XCTAssertFalse(out[kind]!.message.isEmpty)
        }
    }
}
