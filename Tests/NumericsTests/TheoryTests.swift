import CBLAS
import Foundation
import Numerics
import TestSupport
import Vocabulary
import XCTest

/// Tests of the spectral diagnostic (SPEC §7) through its public API.
final class TheoryTests: XCTestCase {

    // MARK: - Complex

    func testComplexArithmeticAgainstKnownValues() {
        let a = Complex(1, 2), b = Complex(3, -1)
        assertClose(a + b, Complex(4, 1))
        assertClose(a - b, Complex(-2, 3))
        assertClose(a * b, Complex(5, 5))
        assertClose(a / b, Complex(0.1, 0.7))
        assertClose(-a, Complex(-1, -2))
        assertClose(2 * a - a * 2, .zero)
        assertClose(a / 2, Complex(0.5, 1))
        assertClose(1 / Complex.i, Complex(0, -1))
        assertClose(a.conjugate, Complex(1, -2))
        XCTAssertEqual(Complex.abs(Complex(3, 4)), 5, accuracy: 1e-15)
        XCTAssertEqual(Complex(-1, 0).argument, Double.pi, accuracy: 0)
        // Smith's division does not overflow where |b|² would.
        assertClose(Complex(1e300, 1e300) / Complex(2e300, 2e300), Complex(0.5, 0))
        assertClose(Complex(1e-300, 0) / Complex(0, 1e-300), Complex(0, -1))
    }

    func testComplexFunctionsAgainstKnownValues() {
        assertClose(Complex.exp(Complex(0, Double.pi)), Complex(-1, 0))
        assertClose(Complex.exp(Complex(1, 0)), Complex(M_E, 0))
        assertClose(Complex.exp(Complex(Foundation.log(2), Double.pi / 2)), Complex(0, 2))
        assertClose(Complex.log(Complex(-1, 0)), Complex(0, Double.pi))
        assertClose(Complex.log(Complex(0, -Foundation.exp(1))), Complex(1, -Double.pi / 2))
        assertClose(Complex.sqrt(Complex(-4, 0)), Complex(0, 2))
        assertClose(Complex.sqrt(Complex(3, 4)), Complex(2, 1))
        assertClose(Complex.sqrt(Complex(-3, -4)), Complex(1, -2))
        assertClose(Complex.sqrt(Complex(-3, 4)), Complex(1, 2))
        assertClose(Complex.sqrt(.zero), .zero)
        assertClose(Complex.pow(Complex(1, 1), 8), Complex(16, 0))
        assertClose(Complex.pow(Complex(1, 1), -2), Complex(0, -0.5))
        assertClose(Complex.pow(Complex.i, 0), .one)
        assertClose(Complex.pow(Complex(0.5, 0.5), 1), Complex(0.5, 0.5))
        // (1 − 1e-6)^(10^6) ≈ e^(−1): repeated squaring keeps full accuracy.
        XCTAssertEqual(Complex.pow(Complex(1 - 1e-6, 0), 1_000_000).real,
                       Foundation.pow(1 - 1e-6, 1e6), accuracy: 1e-12)
        for z in [Complex(0.3, -2), Complex(-5, 0.1), Complex(1e-3, 1e3)] {
            assertClose(Complex.exp(Complex.log(z)), z, tolerance: 1e-13)
            let r = Complex.sqrt(z)
            assertClose(r * r, z, tolerance: 1e-13)
            XCTAssertGreaterThanOrEqual(r.real, 0)
        }
    }

    /// Near the unit circle, the real part of log z = log|z| keeps its relative accuracy
    /// (against |z|² − 1 formed in 64-bit-mantissa Float80 arithmetic): log(hypot(x, y))
    /// would keep none of it for |z| − 1 ~ 1e-13. Far from the circle, the plain formula.
    func testComplexLogarithmIsAccurateNearTheUnitCircle() {
        var worstNear = 0.0, worstNaive = 0.0
        for (k, theta) in [0.0, 0.3, 0.7853981633974483, 1.2, 2.5, 3.0].enumerated() {
            for delta in [1e-13, -3e-12, 7e-10, -1e-6, 0.01, 0.2] {
                let z = Complex((1 + delta) * cos(theta), (1 + delta) * sin(theta))
                let x = Float80(z.real), y = Float80(z.imaginary)
                let exact = 0.5 * Foundation.log1p(Double(x * x + y * y - 1))
                let got = Complex.log(z)
                worstNear = max(worstNear, Swift.abs(got.real - exact) / Swift.abs(exact))
                worstNaive = max(worstNaive, Swift.abs(Foundation.log(z.magnitude) - exact) / Swift.abs(exact))
                XCTAssertEqual(got.imaginary, atan2(z.imaginary, z.real), "k=\(k)")
            }
        }
        // The Float80 reference itself is good to ~5e-20/|z|² − 1|, i.e. ~3e-7 at 1e-13.
        XCTAssertLessThan(worstNear, 1e-5)
        XCTAssertGreaterThan(worstNaive, 1e-4, "the test would catch log(hypot(x, y))")
        XCTAssertEqual(Complex.log(Complex(3, 4)).real, Foundation.log(5), accuracy: 1e-15)
        XCTAssertEqual(Complex.log(Complex(1e-300, 0)).real, Foundation.log(1e-300), accuracy: 1e-12)
        XCTAssertEqual(Complex.log(Complex(1, 0)), Complex(0, 0))
    }

    // MARK: - Deterministic equivalent

    func testKappa0AndRidgelessLossMatchIndependentBisection() throws {
        for (s, beta, n) in [(0.5, 0.0, 16), (1.0, 0.0, 256), (2.0, 0.5, 1024), (1.25, 1.0, 64)] {
            let de = try DeterministicEquivalent(D: 2048, N: n, s: s, beta: beta)
            let lambda = powerLawSpectrum(D: 2048, s: s)
            // Plain bisection on κ itself (not log κ) over a generous bracket.
            var lo = 0.0, hi = 10.0
            for _ in 0..<200 {
                let mid = 0.5 * (lo + hi)
                let df = lambda.reduce(0) { $0 + $1 / ($1 + mid) }
                if df > Double(n) { lo = mid } else { hi = mid }
            }
            let k0 = 0.5 * (lo + hi)
            XCTAssertEqual(de.kappa0, k0, accuracy: 1e-11 * k0)
            var lrf = 0.0
            for k in lambda.indices { lrf += lambda[k] * Foundation.pow(Double(k + 1), -beta) * k0 / (lambda[k] + k0) }
            XCTAssertEqual(de.ridgelessLoss, lrf, accuracy: 1e-11 * lrf)
            XCTAssertEqual(de.df1(de.kappa0), Double(n), accuracy: 1e-9 * Double(n))
            for k in [0, 7, 2047] { XCTAssertEqual(de.eigenvalues[k], lambda[k], accuracy: 1e-15 * lambda[k]) }
        }
    }

    func testZOfKappaAndKappaOfZAreInverse() throws {
        let de = try DeterministicEquivalent(D: 2048, N: 128, s: 1.0, beta: 0)
        let lo = de.lowerEdge.z, hi = de.upperEdge.z
        // Real points off the support, each on its own real branch.
        for x in [-1.0, -1e-4, 0.3 * lo, 0.9 * lo, 1.1 * hi, 5 * hi] {
            let k = try XCTUnwrap(de.kappa(real: x))
            assertClose(de.z(kappa: Complex(k)), Complex(x), tolerance: 1e-10)
        }
        XCTAssertGreaterThan(de.kappa(real: -1e-4)!, de.kappa0)
        XCTAssertLessThan(de.kappa(real: 0.5 * lo)!, de.kappa0)
        XCTAssertGreaterThan(de.kappa(real: 0.5 * lo)!, de.lowerEdge.kappa)
        XCTAssertLessThan(de.kappa(real: 2 * hi)!, de.upperEdge.kappa)
        XCTAssertNil(de.kappa(real: sqrt(lo * hi)))
        // Complex points, including ones close above the support.
        for z in [Complex(sqrt(lo * hi), 1e-3 * hi), Complex(0.5 * hi, 1e-8), Complex(-hi, 0.1 * hi),
                  Complex(2 * lo, -1e-6 * lo), Complex(0, 0.01)] {
            let k = try de.kappa(at: z)
            assertClose(de.z(kappa: k), z, tolerance: 1e-11)
            // Physical branch: the resolvent is Herglotz (Im tr(S − z)⁻¹ has the sign of Im z).
            let tr = de.resolvents(z: z, kappa: k).trace
            XCTAssertEqual(tr.imaginary.sign, z.imaginary.sign, "z = \(z)")
        }
        // dz/dκ against a central difference.
        let k = Complex(-0.2, 0.01), h = 1e-6
        let numeric = (de.z(kappa: k + Complex(h)) - de.z(kappa: k - Complex(h))) / (2 * h)
        assertClose(de.zAndDerivative(kappa: k).derivative, numeric, tolerance: 1e-7)
    }

    func testEdgesBoundTheContinuousDensity() throws {
        for (s, n) in [(0.5, 64), (1.0, 256), (2.0, 1024)] {
            let de = try DeterministicEquivalent(D: 2048, N: n, s: s, beta: 0)
            // The edges are critical points of z(κ): Σλ²/(λ+κ)² = N.
            for edge in [de.lowerEdge, de.upperEdge] {
                let phi = de.eigenvalues.reduce(0) { $0 + ($1 / ($1 + edge.kappa)) * ($1 / ($1 + edge.kappa)) }
                XCTAssertEqual(phi, Double(n), accuracy: 1e-8 * Double(n))
                XCTAssertEqual(de.z(kappa: Complex(edge.kappa)).real, edge.z, accuracy: 1e-14 * edge.z)
            }
            XCTAssertLessThan(de.upperEdge.kappa, -de.eigenvalues[0])
            XCTAssertTrue(de.lowerEdge.kappa > 0 && de.lowerEdge.kappa < de.kappa0)
            // Density per unit log x, relative to the total mass: ≈ 0 outside, > 0 just inside.
            func logDensity(_ x: Double) throws -> Double { try de.density(at: x) * x / de.totalMass }
            for x in [0.2 * de.lowerEdge.z, 0.98 * de.lowerEdge.z, 1.02 * de.upperEdge.z, 3 * de.upperEdge.z] {
                XCTAssertLessThan(abs(try logDensity(x)), 1e-7, "outside the support, s = \(s), N = \(n), x = \(x)")
            }
            for x in [1.02 * de.lowerEdge.z, 0.98 * de.upperEdge.z] {
                XCTAssertGreaterThan(try logDensity(x), 1e-5, "inside the support, s = \(s), N = \(n), x = \(x)")
            }
        }
    }

    // MARK: - Contour self-checks

    func testContourRecoversContinuousMassAndEigenvalueCount() throws {
        var p = Experiment()
        p.D = 2048
        for s in [0.5, 1.0, 1.5, 2.0] {
            for n in [16, 128, 1024] {
                let d = try SpectralDiagnostic(experiment: p, s: s, N: n)
                let c = d.selfCheck
                XCTAssertLessThan(c.massRelativeError, 1e-9, "s = \(s), N = \(n)")
                XCTAssertLessThan(c.countRelativeError, 1e-9, "s = \(s), N = \(n)")
                XCTAssertLessThan(c.branchError, 1e-9)
                XCTAssertLessThanOrEqual(c.quadratureChange, d.options.quadratureTolerance)
                XCTAssertEqual(c.expectedContinuousMass, d.equivalent.totalMass - d.equivalent.ridgelessLoss)
                // First moments: Σμ_i = E tr S = N/D·tr Λ and ∫ν dm = E b₀ᵀSb₀ = (N/D)Σ λ_k E[b₀,k²].
                let trace = d.integrateEigenvalues { $0 }
                XCTAssertEqual(trace, Double(n) / 2048, accuracy: 1e-9 * Double(n) / 2048)
                let firstMoment = d.integrateContinuousMeasure { $0 }
                let expected = zip(d.equivalent.eigenvalues, d.equivalent.teacherWeights)
                    .reduce(0) { $0 + $1.0 * $1.1 } * Double(n) / 2048
                XCTAssertEqual(firstMoment, expected, accuracy: 1e-9 * expected)
            }
        }
    }

    func testFailuresAreLoud() throws {
        var p = Experiment()
        p.D = 256
        for n in [0, 256, 300] {
            XCTAssertThrowsError(try SpectralDiagnostic(experiment: p, s: 1, N: n)) { error in
                guard case .unsupported = error as? SpectralDiagnosticError else { return XCTFail("\(error)") }
            }
        }
        var tooFew = p
        tooFew.n = 100
        XCTAssertThrowsError(try SpectralDiagnostic(experiment: tooFew, s: 1, N: 128))
        var options = SpectralDiagnostic.Options()
        options.maximumNodes = options.initialNodes
        XCTAssertThrowsError(try SpectralDiagnostic(experiment: p, s: 1, N: 32, options: options)) { error in
            guard case .notConverged = error as? SpectralDiagnosticError else { return XCTFail("\(error)") }
        }
        options = SpectralDiagnostic.Options()
        options.selfCheckTolerance = -1
        XCTAssertThrowsError(try SpectralDiagnostic(experiment: p, s: 1, N: 32, options: options)) { error in
            guard case .selfCheckFailed = error as? SpectralDiagnosticError else { return XCTFail("\(error)") }
        }
        let d = try SpectralDiagnostic(experiment: p, s: 1, N: 32)
        XCTAssertNil(d.prediction(for: .adam))
        XCTAssertNil(d.prediction(for: .matSign))
        XCTAssertThrowsError(try SpectralDiagnostic.losses(for: .adam, experiment: p, s: 1, Ns: [16]))
        let results = SpectralDiagnostic.evaluate(experiment: p, s: 1, Ns: [16, 512, 64])
        XCTAssertNoThrow(try results[0].get())
        XCTAssertThrowsError(try results[1].get())
        XCTAssertEqual(try results[2].get().N, 64)
    }

    // MARK: - Limits

    func testLongTrainingReachesTheRidgelessLoss() throws {
        var p = Experiment()
        var previous: [OptimizerKind: Double] = [:]
        for steps in [1, 4, 16, 64, 1_000_000] {
            p.T = steps
            let d = try SpectralDiagnostic(experiment: p, s: 1.0, N: 64)
            for prediction in d.predictions {
                // Longer training never raises the population loss of these monotone filters.
                if let before = previous[prediction.optimizer] {
                    XCTAssertLessThanOrEqual(prediction.populationLoss, before * (1 + 1e-12))
                }
                previous[prediction.optimizer] = prediction.populationLoss
                XCTAssertGreaterThanOrEqual(prediction.populationLoss, prediction.ridgelessLoss * (1 - 1e-12))
            }
            if steps == 1_000_000 {
                let lrf = d.equivalent.ridgelessLoss
                let sigma2 = p.sigma * p.sigma
                let noiseAtFullFit = (sigma2 + lrf) * 64 / Double(p.n - 64 - 1)
                for optimizer in [OptimizerKind.gd, .sqrtNG, .ng] {
                    let prediction = try XCTUnwrap(d.prediction(for: optimizer))
                    XCTAssertEqual(prediction.populationLoss, lrf, accuracy: 1e-10, "\(optimizer)")
                    XCTAssertEqual(prediction.df2, 64, accuracy: 1e-6, "\(optimizer)")
                    XCTAssertEqual(prediction.loss, lrf + noiseAtFullFit, accuracy: 1e-8, "\(optimizer)")
                }
            }
        }
    }

    func testNaturalGradientFitsEverythingAboveEpsilon() throws {
        // At T = 16 NG removes every eigenvalue ≫ ε: L_NG ≈ L_RF and df₂ ≈ N (SPEC §7).
        let d = try SpectralDiagnostic(experiment: Experiment(), s: 1.0, N: 256)
        let ng = try XCTUnwrap(d.prediction(for: .ng))
        XCTAssertEqual(ng.df2, 256, accuracy: 1e-6)
        XCTAssertEqual(ng.populationLoss, ng.ridgelessLoss, accuracy: 1e-12)
        // GD is slowest, then SqrtNG, then NG.
        let gd = try XCTUnwrap(d.prediction(for: .gd)), sq = try XCTUnwrap(d.prediction(for: .sqrtNG))
        XCTAssertGreaterThan(gd.populationLoss, sq.populationLoss)
        XCTAssertGreaterThan(sq.populationLoss, ng.populationLoss)
    }

    /// SPEC §7: as N → ∞ at fixed T, α_NG → max(s + β − 1, 0) while α_GD and α_SqrtNG → 0. At
    /// D = 16384 and s = 2 (β = 0) the local population exponents over N = 64…4096 show it.
    func testAsymptoticExponentsTrendAsSpecified() throws {
        var p = Experiment()
        p.D = 16384
        let Ns = [64, 256, 1024, 4096]
        let ds = try Ns.map { try SpectralDiagnostic(experiment: p, s: 2.0, N: $0) }
        func localAlphas(_ optimizer: OptimizerKind) -> [Double] {
            let l = ds.map { $0.prediction(for: optimizer)!.populationLoss }
            return (0..<(l.count - 1)).map { -Foundation.log(l[$0 + 1] / l[$0]) / Foundation.log(4) }
        }
        let gd = localAlphas(.gd), sqrtNG = localAlphas(.sqrtNG), ng = localAlphas(.ng)
        XCTAssertTrue(gd[0] > gd[1] && gd[1] > gd[2] && gd[2] < 0.03, "α_GD \(gd)")
        XCTAssertTrue(sqrtNG[0] > sqrtNG[1] && sqrtNG[1] > sqrtNG[2] && sqrtNG[2] < 0.05, "α_SqrtNG \(sqrtNG)")
        XCTAssertEqual(ng[0], 1.0, accuracy: 0.05, "α_NG \(ng)")
    }

    // MARK: - Monte Carlo

    /// The contour prediction against the exact population loss of random instances: F_pop =
    /// WΛWᵀ/D eigendecomposed densely, the filters applied, and the loss b₀ᵀ(I − f(S))²b₀
    /// averaged over the teacher in closed form (so only W is sampled).
    func testPredictionMatchesDenseMonteCarloAtPopulationF() throws {
        let D = 2048, s = 1.0, replicates = 8
        let p = Experiment()
        let lambda = powerLawSpectrum(D: D, s: s)
        var rng = TheoryTestGenerator(seed: 0x5eed_7e01)
        for n in [64, 512] {
            let d = try SpectralDiagnostic(experiment: p, s: s, N: n)
            let mu = d.topEigenvalue
            var sums: [OptimizerKind: Double] = [:]
            for _ in 0..<replicates {
                let exact = populationLosses(N: n, D: D, lambda: lambda, teacher: lambda, T: p.T,
                                             topEigenvalue: mu, rng: &rng)
                for (k, v) in exact { sums[k, default: 0] += v / Double(replicates) }
            }
            for prediction in d.predictions {
                let mc = try XCTUnwrap(sums[prediction.optimizer])
                XCTAssertEqual(prediction.populationLoss, mc, accuracy: 0.01 * mc,
                               "\(prediction.optimizer) N = \(n): theory \(prediction.populationLoss), MC \(mc)")
            }
        }
    }

    // MARK: - Helpers

    func powerLawSpectrum(D: Int, s: Double) -> [Double] {
        let raw = (1...D).map { Foundation.pow(Double($0), -s) }
        let total = raw.reduce(0, +)
        return raw.map { $0 / total }
    }

    /// Exact population losses of GD, SqrtNG and NG for one random W, averaged over the teacher:
    /// with A = WΛ^½/√D, F = AAᵀ = VdiagμVᵀ and u_i = v_iᵀA, the loss is
    /// Σ_k q_k − Σ_i (1 − (1 − f(μ_i))²)·u_iᵀQu_i/μ_i, Q = diag(E[b₀,k²]) = diag(teacher).
    func populationLosses(N: Int, D: Int, lambda: [Double], teacher: [Double], T: Int,
                          topEigenvalue mu: Double, rng: inout TheoryTestGenerator) -> [OptimizerKind: Double] {
        var a = [Double](repeating: 0, count: N * D)
        for i in 0..<N {
            for k in 0..<D { a[i * D + k] = rng.nextGaussian() * (lambda[k] / Double(D)).squareRoot() }
        }
        var f = [Double](repeating: 0, count: N * N)
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(N), Int32(D), 1, a, Int32(D), 0, &f, Int32(N))
        var eig = [Double](repeating: 0, count: N)
        let info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "U")),
                                  Int32(N), &f, Int32(N), &eig)
        XCTAssertEqual(info, 0)
        var u = [Double](repeating: 0, count: N * D)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(N), Int32(D), Int32(N), 1, f, Int32(N),
                    a, Int32(D), 0, &u, Int32(D))
        let eps = 1e-6 * mu
        let eta = (mu + eps).squareRoot() / mu
        let residuals: [OptimizerKind: (Double) -> Double] = [
            .gd: { Foundation.pow(1 - $0 / mu, Double(T)) },
            .sqrtNG: { Foundation.pow(1 - eta * $0 / ($0 + eps).squareRoot(), Double(T)) },
            .ng: { Foundation.pow(eps / ($0 + eps), Double(T)) },
        ]
        let total = teacher.reduce(0, +)
        var losses: [OptimizerKind: Double] = [:]
        for (kind, residual) in residuals {
            var loss = total
            for i in 0..<N {
                var q = 0.0
                for k in 0..<D { q += teacher[k] * u[i * D + k] * u[i * D + k] }
                let r = residual(eig[i])
                loss -= (1 - r * r) * q / eig[i]
            }
            losses[kind] = loss
        }
        return losses
    }

    func assertClose(_ a: Complex, _ b: Complex, tolerance: Double = 1e-14,
                     file: StaticString = #filePath, line: UInt = #line) {
        let scale = max(1, b.magnitude)
        XCTAssertLessThanOrEqual((a - b).magnitude, tolerance * scale, "\(a) vs \(b)", file: file, line: line)
    }
}

/// A small seeded generator (SplitMix64) and Box–Muller normals, for deterministic tests.
struct TheoryTestGenerator {
    var base: SplitMix64
    var spare: Double?

    init(seed: UInt64) { base = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { base.next() }

    /// Uniform in (0, 1).
    mutating func nextUniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }

    mutating func nextGaussian() -> Double {
        if let g = spare { spare = nil; return g }
        let r = (-2 * Foundation.log(nextUniform())).squareRoot()
        let theta = 2 * Double.pi * nextUniform()
        spare = r * sin(theta)
        return r * cos(theta)
    }
}
