import Foundation

/// Why the theory declined to give a number.
public enum SpectralDiagnosticError: Error, CustomStringConvertible, Equatable {
    /// The parameters lie outside what the deterministic equivalent covers (e.g. N ≥ D).
    case unsupported(String)
    /// Newton continuation of κ(z) could not follow the physical branch.
    case continuationFailed(String)
    /// Doubling the contour nodes did not converge within the node budget.
    case notConverged(String)
    /// A self-check (continuous mass, eigenvalue count, branch) exceeded its tolerance.
    case selfCheckFailed(String)

    public var description: String {
        switch self {
        case .unsupported(let m): return "theory does not cover this case: \(m)"
        case .continuationFailed(let m): return "κ(z) continuation failed: \(m)"
        case .notConverged(let m): return "contour quadrature did not converge: \(m)"
        case .selfCheckFailed(let m): return "theory self-check failed: \(m)"
        }
    }
}

/// The deterministic equivalent of the random-feature spectrum of SPEC §7 for one (D, s, β, N).
///
/// S = Λ^½WᵀWΛ^½/D (D×D, rank N; its nonzero eigenvalues are those of the population feature
/// covariance F_pop = WΛWᵀ/D). Its resolvent is replaced by
/// (S − z)⁻¹ ≈ (κ/(−z))(Λ + κ)⁻¹, where κ = κ(z) solves
/// κ(1 − df₁(κ)/N) = −zD/N, df₁(κ) = Σ_k λ_k/(λ_k + κ), i.e. z(κ) = −(κ/D)(N − df₁(κ)).
///
/// Words used throughout:
/// - *physical branch*: the root κ(z) that is analytic off the spectrum's support, real and
///   > κ₀ for z < 0, κ₀ at z = 0, and ≈ −zD/N as |z| → ∞.
/// - *edges*: the ends of the support of the continuous spectrum, from dz/dκ = 0, i.e.
///   Σ_k λ_k²/(λ_k + κ)² = N. The support may have gaps (isolated top modes form their own
///   clusters); the edges are its outermost ends.
public struct DeterministicEquivalent: Sendable {
    /// One end of the support: the critical κ and the spectral location z(κ).
    public struct Edge: Sendable, Equatable {
        public var kappa: Double
        public var z: Double
    }

    public let D: Int
    public let N: Int
    public let s: Double
    public let beta: Double
    /// λ_k = k^-s / Σ_j j^-s, k = 1…D (SPEC §1; tr Λ = 1), or a spectrum from a file.
    public let eigenvalues: [Double]
    /// E[b₀,k²] = λ_k k^-β, the teacher's weight on latent mode k.
    public let teacherWeights: [Double]
    /// Σ_k E[b₀,k²]: the total mass of the b₀-weighted spectral measure m.
    public let totalMass: Double
    /// κ₀ > 0 with df₁(κ₀) = N.
    public let kappa0: Double
    /// L_RF = Σ_k E[b₀,k²] κ₀/(λ_k + κ₀): the atom of m at 0 (the ridgeless RF error).
    public let ridgelessLoss: Double
    /// The lower edge: the root of Σλ²/(λ+κ)² = N with 0 < κ < κ₀.
    public let lowerEdge: Edge
    /// The upper edge: the root with κ < −λ_max; its z is the deterministic-equivalent top
    /// eigenvalue, the μ_max of the theory.
    public let upperEdge: Edge

    let lambdaMax: Double

    /// The deterministic equivalent for latent dimension D, spectral decay s, teacher decay β and
    /// N random features.
    /// - Throws: `SpectralDiagnosticError.unsupported` unless 1 ≤ N < D and s, β are finite.
    public init(D: Int, N: Int, s: Double, beta: Double) throws {
        guard s.isFinite else { throw SpectralDiagnosticError.unsupported("s = \(s) must be finite") }
        var lambda = (1...max(D, 1)).map { Foundation.pow(Double($0), -s) }
        let norm = lambda.reduce(0, +)
        for k in lambda.indices { lambda[k] /= norm }
        try self.init(N: N, eigenvalues: D >= 1 ? lambda : [], beta: beta, s: s)
    }

    /// The deterministic equivalent for a given spectrum λ_1 ≥ … ≥ λ_D (tr Λ = 1, e.g. read from
    /// a file: SPEC §1), teacher decay β over the same order, and N random features; `s` only
    /// labels it.
    /// - Throws: `SpectralDiagnosticError.unsupported` unless 1 ≤ N < D, every λ is positive
    ///   and finite, and β is finite.
    public init(N: Int, eigenvalues lambda: [Double], beta: Double, s: Double) throws {
        let D = lambda.count
        guard D >= 2 else { throw SpectralDiagnosticError.unsupported("D = \(D) < 2") }
        guard N >= 1, N < D else {
            throw SpectralDiagnosticError.unsupported(
                "N = \(N) outside 1…D−1 = 1…\(D - 1): no atom at 0 / no κ₀ when N ≥ D")
        }
        guard beta.isFinite else { throw SpectralDiagnosticError.unsupported("β = \(beta) must be finite") }
        guard lambda.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw SpectralDiagnosticError.unsupported("every eigenvalue must be positive and finite")
        }
        self.D = D
        self.N = N
        self.s = s
        self.beta = beta
        eigenvalues = lambda
        teacherWeights = lambda.indices.map { lambda[$0] * Foundation.pow(Double($0 + 1), -beta) }
        totalMass = teacherWeights.reduce(0, +)
        lambdaMax = lambda.max()!
        let lambdaMin = lambda.min()!
        let nD = Double(N)

        // κ₀: df₁ decreases from D (κ → 0⁺) to 0 (κ → ∞).
        let df1: (Double) -> Double = { κ in
            var acc = 0.0
            for l in lambda { acc += l / (l + κ) }
            return acc
        }
        let phi: (Double) -> Double = { κ in
            var acc = 0.0
            for l in lambda { let r = l / (l + κ); acc += r * r }
            return acc
        }
        let k0 = Self.solveDecreasing(df1, target: nD, start: lambdaMin)
        kappa0 = k0
        var lrf = 0.0
        for k in lambda.indices { lrf += teacherWeights[k] * k0 / (lambda[k] + k0) }
        ridgelessLoss = lrf

        // Lower edge: φ decreases from D to 0 on (0, ∞), and φ(κ₀) < df₁(κ₀) = N.
        let kLo = Self.solveDecreasing(phi, target: nD, start: min(lambdaMin, k0))
        // Upper edge: κ = −λ_max − u, φ decreases in u from ∞ (u → 0⁺) to 0 (u → ∞).
        let lm = lambdaMax
        let uHi = Self.solveDecreasing({ u in phi(-lm - u) }, target: nD, start: lm)
        let kHi = -lm - uHi
        func zReal(_ κ: Double) -> Double { -(κ / Double(D)) * (nD - df1(κ)) }
        lowerEdge = Edge(kappa: kLo, z: zReal(kLo))
        upperEdge = Edge(kappa: kHi, z: zReal(kHi))
        guard lowerEdge.z > 0, upperEdge.z > lowerEdge.z, kLo < k0 else {
            throw SpectralDiagnosticError.unsupported(
                "degenerate support [\(lowerEdge.z), \(upperEdge.z)] (κ_lo = \(kLo), κ₀ = \(k0))")
        }
    }

    /// The root x > 0 of a function decreasing on (0, ∞) through `target`, by bisection in log x
    /// to full precision.
    static func solveDecreasing(_ f: (Double) -> Double, target: Double, start: Double) -> Double {
        var lo = start > 0 && start.isFinite ? start : 1.0
        var hi = lo
        while f(lo) <= target && lo > 1e-300 { lo /= 16 }
        while f(hi) > target && hi < 1e300 { hi *= 16 }
        var a = Foundation.log(lo), b = Foundation.log(hi)
        for _ in 0..<400 {
            let m = 0.5 * (a + b)
            if m <= a || m >= b { break }
            if f(Foundation.exp(m)) > target { a = m } else { b = m }
        }
        return Foundation.exp(0.5 * (a + b))
    }

    // MARK: - Real-axis functions

    /// df₁(κ) = Σ_k λ_k/(λ_k + κ).
    public func df1(_ kappa: Double) -> Double {
        var acc = 0.0
        for l in eigenvalues { acc += l / (l + kappa) }
        return acc
    }

    /// z(κ) = −(N/D)·κ·(1 − df₁(κ)/N), the inverse of κ(z).
    public func z(kappa: Complex) -> Complex { zAndDerivative(kappa: kappa).z }

    /// z(κ) and dz/dκ = −(1/D)(N − Σ_k λ_k²/(λ_k + κ)²) in one pass over the modes.
    public func zAndDerivative(kappa: Complex) -> (z: Complex, derivative: Complex) {
        let x = kappa.real, y = kappa.imaginary
        var s1r = 0.0, s1i = 0.0, s2r = 0.0, s2i = 0.0
        for l in eigenvalues {
            // l/(l+κ) = l(d − iy)/(d² + y²), d = l + x
            let d = l + x
            let r = 1 / (d * d + y * y)
            let ar = l * d * r, ai = -l * y * r
            s1r += ar; s1i += ai
            s2r += ar * ar - ai * ai; s2i += 2 * ar * ai
        }
        let nD = Double(N), dD = Double(D)
        let z = -(kappa * Complex(nD - s1r, -s1i)) / dD
        let dz = Complex(-(nD - s2r) / dD, s2i / dD)
        return (z, dz)
    }

    /// The physical κ for a real z outside the support's interior: z < edge_lo (including
    /// z ≤ 0) or z > edge_hi. Nil inside [edge_lo, edge_hi], where κ is complex.
    public func kappa(real x: Double) -> Double? {
        let dD = Double(D), nD = Double(N)
        let zr: (Double) -> Double = { κ in -(κ / dD) * (nD - self.df1(κ)) }
        if x == 0 { return kappa0 }
        if x < 0 {
            // κ ∈ (κ₀, ∞); z decreases from 0 to −∞: solve −z(κ₀ + u) = −x in u.
            let u = Self.solveDecreasing({ u in zr(self.kappa0 + u) }, target: x, start: kappa0)
            return kappa0 + u
        }
        if x < lowerEdge.z {
            // κ ∈ (κ_lo, κ₀) where z decreases from edge_lo to 0: bisect directly.
            var a = lowerEdge.kappa, b = kappa0
            for _ in 0..<200 {
                let m = 0.5 * (a + b)
                if m <= a || m >= b { break }
                if zr(m) > x { a = m } else { b = m }
            }
            return 0.5 * (a + b)
        }
        if x > upperEdge.z {
            // κ = −λ_max − u with u > u_hi, z increases in u from edge_hi to ∞.
            let uHi = -lambdaMax - upperEdge.kappa
            let u = Self.solveDecreasing({ u in -zr(-self.lambdaMax - uHi - u) }, target: -x, start: uHi)
            return -lambdaMax - uHi - u
        }
        return nil
    }

    // MARK: - Complex κ(z) by continuation

    /// One predictor–corrector step of the continuation: from κ at z₀ to the root at z₁.
    /// Nil when Newton does not converge quickly or lands far from the Euler predictor (a sign
    /// the step may have jumped to another branch).
    func continuationStep(from kappa: Complex, at z0: Complex, to z1: Complex) -> Complex? {
        let (_, d0) = zAndDerivative(kappa: kappa)
        let predictor = kappa + (z1 - z0) / d0
        var k = predictor
        var converged = false
        for _ in 0..<16 {
            let (zk, dk) = zAndDerivative(kappa: k)
            let delta = (zk - z1) / dk
            k -= delta
            guard k.isFinite else { return nil }
            if converged { break }  // one extra step after the tolerance is met
            if delta.magnitude <= 1e-12 * k.magnitude { converged = true }
        }
        guard converged else { return nil }
        let stepSize = (predictor - kappa).magnitude
        guard (k - predictor).magnitude <= 0.5 * stepSize + 1e-13 * k.magnitude else { return nil }
        return k
    }

    /// Follows κ along the path z = path(τ) from τ₀ (where κ = kappa) to τ₁, halving the step
    /// whenever a continuation step is refused.
    func follow(_ path: (Double) -> Complex, from tau0: Double, kappa: Complex, to tau1: Double,
                maxSubdivisions: Int = 2000) throws -> Complex {
        var tau = tau0, k = kappa
        var h = tau1 - tau0
        var steps = 0
        var zCurrent = path(tau0)
        while tau != tau1 {
            let next = Swift.abs(tau1 - tau) <= Swift.abs(h) ? tau1 : tau + h
            let zNext = path(next)
            if let kn = continuationStep(from: k, at: zCurrent, to: zNext) {
                tau = next; k = kn; zCurrent = zNext
                h *= 2
            } else {
                h /= 2
                guard Swift.abs(h) > 1e-14 * max(Swift.abs(tau1 - tau0), 1e-300) else {
                    throw SpectralDiagnosticError.continuationFailed(
                        "step underflow at z = \(zCurrent) (κ = \(k)), N = \(N), s = \(s)")
                }
            }
            steps += 1
            guard steps <= maxSubdivisions else {
                throw SpectralDiagnosticError.continuationFailed(
                    "more than \(maxSubdivisions) steps toward z = \(path(tau1)), N = \(N), s = \(s)")
            }
        }
        return k
    }

    /// The physical κ(z) for any z off the support.
    ///
    /// For real z outside the support the real root is returned. Otherwise κ is followed from
    /// the real point 2·edge_hi (where it is real and < κ_hi) within the upper half-plane: along
    /// a straight segment in log z to |z|·e^{iθ}, θ = max(arg z, 1), then down the arc of radius
    /// |z| to z, so the path meets the support only where it ends. κ(z̄) = conj κ(z).
    /// - Throws: `unsupported` for z on the support's interior (real edge_lo ≤ z ≤ edge_hi).
    public func kappa(at z: Complex) throws -> Complex {
        if z.imaginary == 0 {
            guard let k = kappa(real: z.real) else {
                throw SpectralDiagnosticError.unsupported("κ(z) is two-valued on the support: z = \(z.real)")
            }
            return Complex(k)
        }
        let upper = z.imaginary > 0 ? z : z.conjugate
        let start = 2 * upperEdge.z
        let logStart = Complex(Foundation.log(start))
        let logTarget = Complex.log(upper)
        let logBend = Complex(logTarget.real, max(logTarget.imaginary, 1))
        var k = Complex(kappa(real: start)!)
        k = try follow({ tau in Complex.exp(logStart + (logBend - logStart) * tau) },
                       from: 0, kappa: k, to: 1, maxSubdivisions: 100_000)
        if logBend != logTarget {
            k = try follow({ tau in Complex.exp(logBend + (logTarget - logBend) * tau) },
                           from: 0, kappa: k, to: 1, maxSubdivisions: 100_000)
        }
        return z.imaginary > 0 ? k : k.conjugate
    }

    // MARK: - Resolvents

    /// g(z) ≈ b₀ᵀ(S − z)⁻¹b₀ averaged over the teacher: (κ/(−z)) Σ_k E[b₀,k²]/(λ_k + κ), and
    /// tr(S − z)⁻¹ ≈ (κ/(−z)) Σ_k 1/(λ_k + κ), given the physical κ = κ(z).
    public func resolvents(z: Complex, kappa: Complex) -> (g: Complex, trace: Complex) {
        let x = kappa.real, y = kappa.imaginary
        var gr = 0.0, gi = 0.0, tr = 0.0, ti = 0.0
        for k in eigenvalues.indices {
            let d = eigenvalues[k] + x
            let r = 1 / (d * d + y * y)
            let ir = d * r, ii = -y * r
            gr += teacherWeights[k] * ir; gi += teacherWeights[k] * ii
            tr += ir; ti += ii
        }
        let factor = kappa / (-z)
        return (factor * Complex(gr, gi), factor * Complex(tr, ti))
    }

    /// The density of the continuous b₀-weighted measure m at real x > 0: (1/π) Im g(x + iη),
    /// η = relativeHeight·x (0 outside the support up to O(η)).
    public func density(at x: Double, relativeHeight: Double = 1e-9) throws -> Double {
        let z = Complex(x, relativeHeight * x)
        let k = try kappa(at: z)
        return resolvents(z: z, kappa: k).g.imaginary / Double.pi
    }
}
