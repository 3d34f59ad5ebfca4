import Foundation
import Vocabulary

/// The exact spectral filters of the linear optimizers (SPEC §4): after T steps from Θ = 0,
/// Θ_T = V diag(f(μ)/μ) Vᵀ B in the eigenbasis (μ_i, v_i) of F.
public enum SpectralFilter: Sendable, Equatable {
    /// GD, θ ← θ − η g: f(μ) = 1 − (1 − ημ)^T.
    case gd(eta: Double, steps: Int)
    /// SqrtNG, θ ← θ − η (F + εI)^(−1/2) g: f(μ) = 1 − (1 − ημ/√(μ+ε))^T.
    case sqrtNG(eta: Double, epsilon: Double, steps: Int)
    /// NG, θ ← θ − (F + εI)^(−1) g: f(μ) = 1 − (ε/(μ+ε))^T.
    case ng(epsilon: Double, steps: Int)
    /// Precond(p), θ ← θ − η (F + εI)^(−p) g: f(μ) = 1 − (1 − ημ(μ+ε)^(−p))^T.
    case precond(eta: Double, epsilon: Double, power: Double, steps: Int)

    /// The filter SPEC §4 prescribes for `optimizer` on an F with largest eigenvalue μ_max
    /// (ε = 1e-6·μ_max); nil for Adam and MatSign, which are not linear iterations.
    public init?(optimizer: OptimizerKind, muMax: Double, steps T: Int) {
        let eps = 1e-6 * muMax
        switch optimizer.family {
        case .gd: self = .gd(eta: 1 / muMax, steps: T)
        case .sqrtNG: self = .sqrtNG(eta: (muMax + eps).squareRoot() / muMax, epsilon: eps, steps: T)
        case .ng: self = .ng(epsilon: eps, steps: T)
        case .precond:
            let p = optimizer.power
            self = .precond(eta: pow(muMax + eps, p) / muMax, epsilon: eps, power: p, steps: T)
        case .adam, .matSign: return nil
        }
    }

    /// The step size η (1 for NG).
    public var stepSize: Double {
        switch self {
        case .gd(let eta, _), .sqrtNG(let eta, _, _), .precond(let eta, _, _, _): return eta
        case .ng: return 1
        }
    }

    /// The number of steps T.
    public var steps: Int {
        switch self {
        case .gd(_, let t), .sqrtNG(_, _, let t), .ng(_, let t), .precond(_, _, _, let t): return t
        }
    }

    /// The per-step contraction x(μ) with 1 − f(μ) = (1 − x)^T.
    public func contraction(_ mu: Double) -> Double {
        switch self {
        case .gd(let eta, _): return eta * mu
        case .sqrtNG(let eta, let eps, _): return eta * mu / (mu + eps).squareRoot()
        case .ng(let eps, _): return mu / (mu + eps)
        // p = 0 multiplies by exactly 1, so Precond(0) is GD bit for bit.
        case .precond(let eta, let eps, let p, _): return eta * mu * pow(mu + eps, -p)
        }
    }

    /// f(μ) = 1 − (1 − x(μ))^T, computed as −expm1(T·log1p(−x)) where that is accurate.
    public func response(_ mu: Double) -> Double {
        let T = Double(steps)
        if case .ng(let eps, _) = self, mu > -eps {
            return -expm1(-T * log1p(mu / eps))
        }
        let x = contraction(mu)
        if x < 1 { return -expm1(T * log1p(-x)) }
        return 1 - pow(1 - x, T)
    }

    /// The gain f(μ)/μ applied to (VᵀB)_i; its limit x′(0)·T at μ = 0 (and for |μ| so small
    /// that the quotient would lose precision).
    public func gain(_ mu: Double) -> Double {
        let T = Double(steps)
        if abs(mu) < 1e-280 {
            switch self {
            case .gd(let eta, _): return T * eta
            case .sqrtNG(let eta, let eps, _): return T * eta / eps.squareRoot()
            case .ng(let eps, _): return T / eps
            case .precond(let eta, let eps, let p, _): return T * eta * pow(eps, -p)
            }
        }
        return response(mu) / mu
    }
}
