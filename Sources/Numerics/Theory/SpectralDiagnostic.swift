import Foundation
import Vocabulary

/// The spectral diagnostic of SPEC §7: the test loss L(N) of GD, SqrtNG and NG predicted from the
/// deterministic equivalent of the random-feature spectrum, with no simulation.
///
/// For a filter f with f(0) = 0, L = L_RF + ∫(1 − f)² dm_cont + (σ² + L_RF)·df₂/(n − df₂ − 1),
/// with the continuous part and df₂ = Σ_i f(μ_i)² computed as contour integrals
/// −(1/2πi)∮(1 − f)² g dz and −(1/2πi)∮ f² tr(S − z)⁻¹ dz on a `LogEllipseContour` around the
/// support. κ(z) is found once per node (Newton continuation along the contour) and shared by the
/// three filters and the self-checks; the node count doubles until every integral has converged.
///
/// ```swift
/// var p = Experiment()
/// let d = try SpectralDiagnostic(experiment: p, s: 1.0, N: 256)
/// d.prediction(for: .gd)?.loss
/// d.selfCheck.massRelativeError   // ≲ 1e-12
/// ```
public struct SpectralDiagnostic: Sendable {
    /// Contour and tolerance choices; the defaults are the ones the sweep uses.
    public struct Options: Sendable, Equatable {
        /// The contour crosses the real axis at rightCrossing·edge_hi (must be in (1, 2]).
        public var rightCrossing: Double = 1.5
        /// … and at leftCrossing·edge_lo (in (0, 1)).
        public var leftCrossing: Double = 0.5
        /// The largest arg z on the contour; lowered when needed to keep |1 − z/μ_max| ≤ 1.
        public var maximumHeight: Double = 1.0
        /// Trapezoid nodes on the full contour to start with (a multiple of 4)…
        public var initialNodes: Int = 128
        /// … and the most the doubling may reach.
        public var maximumNodes: Int = 65536
        /// Doubling stops when no integral moves by more than this, relative to its scale
        /// (Σ E[b₀,k²] for losses and masses, N for counts).
        public var quadratureTolerance: Double = 1e-11
        /// The self-checks (continuous mass, eigenvalue count) must hold to this relative error.
        public var selfCheckTolerance: Double = 1e-6
        /// μ_max for the filters; nil means the deterministic-equivalent top edge (SPEC §7).
        public var topEigenvalue: Double? = nil

        public init() {}
    }

    /// The spectral filters of SPEC §4 (f(0) = 0), evaluated at complex z.
    public enum Filter: Sendable, Hashable {
        case gd
        case sqrtNG
        case ng
        /// Precond(p), 0 ≤ p ≤ 1 (a diagnostic refuses other powers).
        case precond(power: Double)

        /// GD, SqrtNG and NG: the filters every diagnostic predicts unless told otherwise.
        public static let standard: [Filter] = [.gd, .sqrtNG, .ng]

        /// The filter of a linear optimizer; nil for Adam and MatSign, which have none.
        public init?(_ optimizer: OptimizerKind) {
            switch optimizer.family {
            case .gd: self = .gd
            case .sqrtNG: self = .sqrtNG
            case .ng: self = .ng
            case .precond: self = .precond(power: optimizer.power)
            case .adam, .matSign: return nil
            }
        }

        public var optimizer: OptimizerKind {
            switch self {
            case .gd: return .gd
            case .sqrtNG: return .sqrtNG
            case .ng: return .ng
            case .precond(let p): return .precond(p)!
            }
        }

        /// f(z) after `steps` steps with top eigenvalue μ and ε = 1e-6·μ:
        /// GD 1 − (1 − z/μ)^T, SqrtNG 1 − (1 − ηz/√(z+ε))^T with η = √(μ+ε)/μ, NG 1 − (ε/(z+ε))^T,
        /// Precond(p) 1 − (1 − ηz(z+ε)^(−p))^T with η = (μ+ε)^p/μ (principal branch: the contour
        /// stays off the negative axis).
        public func value(at z: Complex, topEigenvalue mu: Double, steps: Int) -> Complex {
            1 - residual(at: z, topEigenvalue: mu, steps: steps)
        }

        /// 1 − f(z), computed directly (no cancellation where f is small).
        public func residual(at z: Complex, topEigenvalue mu: Double, steps: Int) -> Complex {
            let eps = 1e-6 * mu
            switch self {
            case .gd:
                return Complex.pow(1 - z / mu, steps)
            case .sqrtNG:
                let eta = (mu + eps).squareRoot() / mu
                return Complex.pow(1 - eta * z / Complex.sqrt(z + eps), steps)
            case .ng:
                return Complex.pow(eps / (z + eps), steps)
            case .precond(let p):
                let eta = Foundation.pow(mu + eps, p) / mu
                // p = 0: (z+ε)^0 = 1 exactly, so the filter is GD's.
                let power = p == 0 ? Complex(1) : Complex.exp(-p * Complex.log(z + eps))
                return Complex.pow(1 - eta * z * power, steps)
            }
        }
    }

    /// What the contour recovers of quantities known in closed form, and how well it converged.
    public struct SelfCheck: Sendable, Equatable {
        /// −(1/2πi)∮ g dz, which must equal Σ_k E[b₀,k²] − L_RF.
        public var continuousMass: Double
        public var expectedContinuousMass: Double
        /// −(1/2πi)∮ tr(S − z)⁻¹ dz, which must equal N.
        public var eigenvalueCount: Double
        public var massRelativeError: Double
        public var countRelativeError: Double
        /// Nodes on the full contour at convergence (κ is solved at nodes/2 + 1 of them).
        public var nodes: Int
        /// The largest relative change of any integral at the last doubling.
        public var quadratureChange: Double
        /// |κ − κ_real| / |κ| where the contour returns to the real axis at t = π: the branch
        /// followed must be the physical one, real there.
        public var branchError: Double
    }

    /// The theory's loss for one optimizer at (s, N).
    public struct Prediction: Sendable, Equatable {
        public var optimizer: OptimizerKind
        public var s: Double
        public var N: Int
        /// L = populationLoss + noiseTerm.
        public var loss: Double
        /// L_RF + ∫(1 − f)² dm_cont: the loss at population F (n → ∞).
        public var populationLoss: Double
        /// L_RF, the atom of m at 0 (no filter removes it).
        public var ridgelessLoss: Double
        /// ∫(1 − f)² dm_cont.
        public var continuousLoss: Double
        /// df₂ = Σ_i f(μ_i)².
        public var df2: Double
        /// (σ² + L_RF)·df₂/(n − df₂ − 1).
        public var noiseTerm: Double
    }

    /// The κ(z) solution at one contour node and what the integrals need there.
    struct Node: Sendable {
        var t: Double
        var z: Complex
        var dz: Complex
        var kappa: Complex
        var g: Complex
        var trace: Complex
    }

    public let experiment: Experiment
    public let s: Double
    public let N: Int
    public let options: Options
    public let equivalent: DeterministicEquivalent
    public let contour: LogEllipseContour
    /// μ_max used by the filters (the deterministic-equivalent top edge unless overridden).
    public let topEigenvalue: Double
    public let selfCheck: SelfCheck
    /// One per filter asked for (GD, SqrtNG and NG by default), in that order.
    public let predictions: [Prediction]
    /// The filters predicted.
    public let filters: [Filter]
    /// Upper-half nodes t_j = 2πj/M, j = 0…M/2 (the lower half follows by conjugate symmetry).
    let nodes: [Node]

    /// Predicts L(N) for `filters` (GD, SqrtNG and NG by default) at (s, N) under `experiment`
    /// (D, β, σ, n, T), with the latent spectrum of s (`Experiment.latentEigenvalues`: a file's
    /// when one stands for s, else k^(−s)).
    /// - Throws: `SpectralDiagnosticError`: `unsupported` (N ≥ D, T < 1, n ≤ df₂ + 1, …),
    ///   `continuationFailed`, `notConverged`, or `selfCheckFailed` when the contour misses the
    ///   continuous mass or the eigenvalue count N by more than `options.selfCheckTolerance`.
    public init(experiment: Experiment, s: Double, N: Int, options: Options = Options(),
                filters: [Filter] = Filter.standard) throws {
        guard experiment.T >= 1 else { throw SpectralDiagnosticError.unsupported("T = \(experiment.T) < 1") }
        for case .precond(let p) in filters where !(p >= 0 && p <= 1) {
            throw SpectralDiagnosticError.unsupported("Precond power \(p) outside 0…1")
        }
        guard experiment.sigma.isFinite, experiment.sigma >= 0 else {
            throw SpectralDiagnosticError.unsupported("σ = \(experiment.sigma)")
        }
        guard options.rightCrossing > 1, options.rightCrossing <= 2,
              options.leftCrossing > 0, options.leftCrossing < 1,
              options.maximumHeight > 0, options.maximumHeight < Double.pi / 2,
              options.initialNodes >= 8, options.initialNodes % 4 == 0 else {
            throw SpectralDiagnosticError.unsupported("invalid contour options \(options)")
        }
        let de: DeterministicEquivalent
        if let file = experiment.fileSpectrum(s: s) {
            de = try DeterministicEquivalent(N: N, eigenvalues: file.eigenvalues, beta: experiment.beta, s: s)
        } else {
            de = try DeterministicEquivalent(D: experiment.D, N: N, s: s, beta: experiment.beta)
        }
        let mu = options.topEigenvalue ?? de.upperEdge.z
        guard mu.isFinite, mu > 0 else { throw SpectralDiagnosticError.unsupported("μ_max = \(mu)") }
        self.experiment = experiment
        self.s = s
        self.N = N
        self.options = options
        self.equivalent = de
        self.topEigenvalue = mu
        self.filters = filters
        let left = options.leftCrossing * de.lowerEdge.z
        let right = options.rightCrossing * de.upperEdge.z
        let contour = LogEllipseContour.fitted(left: left, right: right, topEigenvalue: min(mu, de.upperEdge.z),
                                               maximumHeight: options.maximumHeight)
        self.contour = contour

        // Nodes at M = initialNodes, then doubling until every integral settles.
        var m = options.initialNodes
        var nodes = try Self.solveNodes(count: m, contour: contour, equivalent: de)
        var values = Self.integrals(nodes: nodes, filters: filters, experiment: experiment, mu: mu)
        var change = Double.infinity
        let scales = Self.integralScales(equivalent: de, filterCount: filters.count)
        while true {
            guard 2 * m <= options.maximumNodes else {
                throw SpectralDiagnosticError.notConverged(
                    "relative change \(change) > \(options.quadratureTolerance) at \(m) nodes (s = \(s), N = \(N))")
            }
            nodes = try Self.refine(nodes, contour: contour, equivalent: de)
            m *= 2
            let refined = Self.integrals(nodes: nodes, filters: filters, experiment: experiment, mu: mu)
            change = zip(zip(refined, values), scales).map { abs($0.0 - $0.1) / $1 }.max()!
            values = refined
            if change <= options.quadratureTolerance { break }
        }
        self.nodes = nodes

        // Self-checks: the branch at t = π, the continuous mass, the eigenvalue count.
        let last = nodes[nodes.count - 1]
        let kReal = de.kappa(real: last.z.real)!
        let branchError = (last.kappa - Complex(kReal)).magnitude / Swift.abs(kReal)
        let expectedMass = de.totalMass - de.ridgelessLoss
        let check = SelfCheck(
            continuousMass: values[0], expectedContinuousMass: expectedMass,
            eigenvalueCount: values[1],
            massRelativeError: abs(values[0] - expectedMass) / expectedMass,
            countRelativeError: abs(values[1] - Double(N)) / Double(N),
            nodes: m, quadratureChange: change, branchError: branchError)
        self.selfCheck = check
        let tol = options.selfCheckTolerance
        guard branchError <= tol, check.massRelativeError <= tol, check.countRelativeError <= tol else {
            throw SpectralDiagnosticError.selfCheckFailed(
                "s = \(s), N = \(N): mass rel. error \(check.massRelativeError), count rel. error "
                + "\(check.countRelativeError), branch error \(branchError) (tolerance \(tol))")
        }

        // Predictions.
        let lrf = de.ridgelessLoss
        let sigma2 = experiment.sigma * experiment.sigma
        var predictions: [Prediction] = []
        for (index, filter) in filters.enumerated() {
            let continuous = values[2 + 2 * index]
            let df2 = values[3 + 2 * index]
            let denominator = Double(experiment.n) - df2 - 1
            guard denominator > 0 else {
                throw SpectralDiagnosticError.unsupported(
                    "n = \(experiment.n) ≤ df₂ + 1 = \(df2 + 1) for \(filter.optimizer.rawValue): noise term undefined")
            }
            let noise = (sigma2 + lrf) * df2 / denominator
            predictions.append(Prediction(
                optimizer: filter.optimizer, s: s, N: N, loss: lrf + continuous + noise,
                populationLoss: lrf + continuous, ridgelessLoss: lrf, continuousLoss: continuous,
                df2: df2, noiseTerm: noise))
        }
        self.predictions = predictions
    }

    /// The prediction for a linear optimizer; nil for Adam and MatSign (no theory).
    public func prediction(for optimizer: OptimizerKind) -> Prediction? {
        predictions.first { $0.optimizer == optimizer }
    }

    /// ∫ h dm_cont = −(1/2πi)∮ h(z) g(z) dz for h analytic inside the contour and real on the
    /// real axis (h(z̄) = conj h(z)), at the converged nodes.
    public func integrateContinuousMeasure(_ h: (Complex) -> Complex) -> Double {
        Self.integrate(nodes) { h($1.z) * $1.g }
    }

    /// Σ_i h(μ_i) over the N nonzero eigenvalues = −(1/2πi)∮ h(z) tr(S − z)⁻¹ dz, same conditions.
    public func integrateEigenvalues(_ h: (Complex) -> Complex) -> Double {
        Self.integrate(nodes) { h($1.z) * $1.trace }
    }

    /// The diagnostics for every N of a grid, in order; a failure for one N (e.g. N ≥ D) does
    /// not stop the others.
    public static func evaluate(experiment: Experiment, s: Double, Ns: [Int], options: Options = Options(),
                                filters: [Filter] = Filter.standard) -> [Result<SpectralDiagnostic, SpectralDiagnosticError>] {
        Ns.map { n in
            do { return .success(try SpectralDiagnostic(experiment: experiment, s: s, N: n, options: options, filters: filters)) }
            catch let e as SpectralDiagnosticError { return .failure(e) }
            catch { return .failure(.unsupported("\(error)")) }
        }
    }

    /// The predicted L(N) of one linear optimizer over a grid of N.
    /// - Throws: the first `SpectralDiagnosticError`, or `unsupported` for Adam and MatSign.
    public static func losses(for optimizer: OptimizerKind, experiment: Experiment, s: Double,
                              Ns: [Int], options: Options = Options()) throws -> [Double] {
        guard let filter = Filter(optimizer) else {
            throw SpectralDiagnosticError.unsupported("no spectral theory for \(optimizer.rawValue)")
        }
        return try Ns.map { n in
            try SpectralDiagnostic(experiment: experiment, s: s, N: n, options: options, filters: [filter])
                .prediction(for: optimizer)!.loss
        }
    }

    // MARK: - Quadrature

    /// −(1/2πi)·(2π/M)·Σ_{all M nodes} w(z_j) z'(t_j), folded onto the upper half by symmetry:
    /// −(1/M)·[Im w₀z'₀ + Im w_{M/2}z'_{M/2} + 2 Σ_{0<j<M/2} Im w_j z'_j].
    static func integrate(_ nodes: [Node], _ w: (Int, Node) -> Complex) -> Double {
        let half = nodes.count - 1
        var acc = 0.0
        for (j, node) in nodes.enumerated() {
            let term = (w(j, node) * node.dz).imaginary
            acc += (j == 0 || j == half) ? term : 2 * term
        }
        return -acc / Double(2 * half)
    }

    /// Continuous mass, eigenvalue count, then (∫(1−f)² dm_cont, df₂) for each filter.
    static func integrals(nodes: [Node], filters: [Filter],
                          experiment: Experiment, mu: Double) -> [Double] {
        var out = [integrate(nodes) { $1.g }, integrate(nodes) { $1.trace }]
        for filter in filters {
            let residuals = nodes.map { filter.residual(at: $0.z, topEigenvalue: mu, steps: experiment.T) }
            out.append(integrate(nodes) { j, node in residuals[j] * residuals[j] * node.g })
            out.append(integrate(nodes) { j, node in
                let f = 1 - residuals[j]
                return f * f * node.trace
            })
        }
        return out
    }

    static func integralScales(equivalent: DeterministicEquivalent, filterCount: Int) -> [Double] {
        let mass = equivalent.totalMass, count = Double(equivalent.N)
        return [mass, count] + Array(repeating: [mass, count], count: filterCount).flatMap { $0 }
    }

    static func makeNode(t: Double, kappa: Complex, contour: LogEllipseContour,
                         equivalent: DeterministicEquivalent) -> Node {
        let z = contour.point(at: t)
        let r = equivalent.resolvents(z: z, kappa: kappa)
        return Node(t: t, z: z, dz: contour.derivative(at: t), kappa: kappa, g: r.g, trace: r.trace)
    }

    /// κ at t_j = 2πj/M, j = 0…M/2, followed from the real root at t = 0 (z right of the support).
    static func solveNodes(count m: Int, contour: LogEllipseContour,
                           equivalent de: DeterministicEquivalent) throws -> [Node] {
        let path: (Double) -> Complex = { contour.point(at: $0) }
        guard let k0 = de.kappa(real: contour.rightCrossing) else {
            throw SpectralDiagnosticError.continuationFailed("right crossing inside the support")
        }
        var kappa = Complex(k0)
        var nodes = [makeNode(t: 0, kappa: kappa, contour: contour, equivalent: de)]
        nodes.reserveCapacity(m / 2 + 1)
        for j in 1...(m / 2) {
            let t0 = 2 * Double.pi * Double(j - 1) / Double(m)
            let t1 = j == m / 2 ? Double.pi : 2 * Double.pi * Double(j) / Double(m)
            kappa = try de.follow(path, from: t0, kappa: kappa, to: t1)
            nodes.append(makeNode(t: t1, kappa: kappa, contour: contour, equivalent: de))
        }
        return nodes
    }

    /// The nodes of 2M from those of M: each midpoint is followed from its left neighbour.
    static func refine(_ nodes: [Node], contour: LogEllipseContour,
                       equivalent de: DeterministicEquivalent) throws -> [Node] {
        let path: (Double) -> Complex = { contour.point(at: $0) }
        var out: [Node] = []
        out.reserveCapacity(2 * nodes.count - 1)
        for j in 0..<(nodes.count - 1) {
            out.append(nodes[j])
            let t = 0.5 * (nodes[j].t + nodes[j + 1].t)
            let k = try de.follow(path, from: nodes[j].t, kappa: nodes[j].kappa, to: t)
            out.append(makeNode(t: t, kappa: k, contour: contour, equivalent: de))
        }
        out.append(nodes[nodes.count - 1])
        return out
    }
}
