import Foundation

/// The saturating law L(N) = E + A·N^(−α), E ≥ 0, A > 0 (SPEC §6, optional), fitted to the
/// mean-over-replicates log L with a Huber loss on the log residuals.
///
/// The fit minimises Σⱼ ρ_δ(log(E + A·Nⱼ^(−α)) − ȳⱼ), ρ_δ(r) = r²/2 for |r| ≤ δ and
/// δ(|r| − δ/2) beyond: residuals larger than δ (in log units; δ = 0.05 is a 5 % miss) count
/// linearly, so one bad N value cannot drag the fit. The parameters are θ = (u, log A, α) with
/// E = u² (so E ≥ 0 and E = 0, a pure power law, is reachable) and A = e^(log A) > 0.
///
/// Multi-start, deterministic: Nelder–Mead from every start on the grid α₀ ∈ {0.05, 0.15, 0.3,
/// 0.5, 0.8, 1.2, 2, 3} × E₀ ∈ {0, 0.25, 0.5, 0.75, 0.95}·min L̄ (A₀ matching the data at
/// (E₀, α₀)), each run restarted from its end point until it stops improving; the lowest loss
/// wins (ties: the first start). A fitted floor below 1e-9·min L̄ is reported as E = 0.
public struct SaturatingFit: Equatable, Sendable {
    /// The floor E ≥ 0.
    public var E: Double
    /// The amplitude A > 0.
    public var A: Double
    /// The exponent α of the decaying part.
    public var alpha: Double
    /// The minimised Huber loss.
    public var huberLoss: Double
    /// The Huber threshold δ used (log units).
    public var huberDelta: Double
    /// Root-mean-square log residual at the optimum.
    public var rmsLogResidual: Double
    /// True when the winning Nelder–Mead run collapsed its simplex before its evaluation budget.
    public var converged: Bool

    public static let defaultHuberDelta = 0.05

    /// The model's L at N.
    public func predict(_ N: Double) -> Double { E + A * pow(N, -alpha) }

    /// Fits the law to a mean log-loss curve.
    /// - Parameters:
    ///   - N: the feature counts (positive).
    ///   - meanLogLoss: ȳⱼ, the mean over replicates of log L at `N[j]` (natural log).
    ///   - huberDelta: δ > 0 in log units.
    /// - Returns: nil with fewer than 3 points (three parameters) or non-finite input.
    public static func fit(N: [Double], meanLogLoss y: [Double],
                           huberDelta: Double = SaturatingFit.defaultHuberDelta) -> SaturatingFit? {
        guard N.count == y.count, N.count >= 3, huberDelta > 0,
              N.allSatisfy({ $0 > 0 && $0.isFinite }), y.allSatisfy(\.isFinite) else { return nil }
        let logN = N.map { log($0) }
        let delta = huberDelta

        func residuals(_ p: [Double]) -> [Double] {
            let e = p[0] * p[0]
            return logN.indices.map { j in
                let model = e + exp(p[1] - p[2] * logN[j])
                return log(model) - y[j]
            }
        }
        func loss(_ p: [Double]) -> Double {
            guard p.allSatisfy(\.isFinite) else { return .infinity }
            var total = 0.0
            for r in residuals(p) {
                let a = abs(r)
                total += a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta)
            }
            return total
        }

        let lossMin = exp(y.min()!)
        let minimizer = NelderMead()
        var best: (point: [Double], value: Double, converged: Bool)?
        for alpha0 in [0.05, 0.15, 0.3, 0.5, 0.8, 1.2, 2.0, 3.0] {
            for fraction in [0.0, 0.25, 0.5, 0.75, 0.95] {
                let e0 = fraction * lossMin
                var logA0 = 0.0
                for j in logN.indices {
                    let l = exp(y[j])
                    logA0 += log(max(l - e0, 1e-3 * l)) + alpha0 * logN[j]
                }
                logA0 /= Double(logN.count)
                var point = [e0.squareRoot(), logA0, alpha0]
                var steps = [0.3 * lossMin.squareRoot(), 0.5, 0.25 * max(alpha0, 0.2)]
                var value = loss(point)
                var converged = false
                for _ in 0..<6 {
                    let run = minimizer.minimize(loss, start: point, steps: steps)
                    let improved = run.value < value - 1e-15 * max(1, abs(value))
                    if run.value <= value { point = run.point; value = run.value }
                    converged = run.converged
                    if !improved { break }
                    steps = [max(abs(point[0]) * 0.1, 1e-3 * lossMin.squareRoot()), 0.1, 0.05]
                }
                if best == nil || value < best!.value {
                    best = (point, value, converged)
                }
            }
        }
        guard var winner = best, winner.value.isFinite else { return nil }
        // A floor below 1e-9 of the smallest loss is indistinguishable from none: report E = 0.
        if winner.point[0] * winner.point[0] < 1e-9 * lossMin { winner.point[0] = 0 }
        let r = residuals(winner.point)
        let rms = (r.map { $0 * $0 }.reduce(0, +) / Double(r.count)).squareRoot()
        return SaturatingFit(E: winner.point[0] * winner.point[0], A: exp(winner.point[1]),
                             alpha: winner.point[2], huberLoss: loss(winner.point), huberDelta: delta,
                             rmsLogResidual: rms, converged: winner.converged)
    }

    /// Fits to integer feature counts.
    public static func fit(N: [Int], meanLogLoss: [Double],
                           huberDelta: Double = SaturatingFit.defaultHuberDelta) -> SaturatingFit? {
        fit(N: N.map(Double.init), meanLogLoss: meanLogLoss, huberDelta: huberDelta)
    }
}
