import Foundation

/// Which construction a reported bootstrap interval comes from.
public enum IntervalMethod: String, Codable, Sendable, CaseIterable {
    /// Bias-corrected and accelerated (Efron 1987; Efron & Tibshirani 1993, §14.3).
    case bca
    /// Plain percentile interval of the bootstrap distribution.
    case percentile
}

/// Why a BCa interval could not be formed (the percentile interval is reported instead).
public enum BCaDegeneracy: String, Codable, Sendable, CaseIterable {
    case tooFewReplicates = "fewer than 2 replicates: no jackknife"
    case nonFiniteStatistic = "the statistic is not finite on some resample"
    case constantDistribution = "all bootstrap resamples give the same value"
    case infiniteBiasCorrection = "bias correction z0 infinite: the estimate lies outside the bootstrap distribution"
    case undefinedAcceleration = "acceleration undefined: all leave-one-out values are equal"
    case nonFiniteLevels = "the BCa quantile levels are not finite"
}

/// A two-sided bootstrap confidence interval: BCa where it is defined, the percentile
/// interval beside it (and in its place where BCa degenerates).
///
/// The formulas are those of `scipy.stats.bootstrap(method="BCa")` (SciPy 1.17), so that, given
/// the same bootstrap distribution, both produce the same bounds to rounding:
/// - z₀ = Φ⁻¹(p̂), p̂ = (#{θ*_b < θ̂} + #{θ*_b ≤ θ̂}) / 2B;
/// - a = Σ dᵢ³ / (6 (Σ dᵢ²)^{3/2}), dᵢ = θ̄₍·₎ − θ̂₍ᵢ₎ over the leave-one-out (jackknife) values;
/// - levels αₗ,ᵤ = Φ(z₀ + (z₀ + z)/(1 − a(z₀ + z))) at z = Φ⁻¹((1 ∓ c)/2);
/// - bounds: linear-interpolation quantiles (type 7) of the bootstrap distribution.
public struct BootstrapInterval: Equatable, Sendable {
    /// The statistic on the original data, θ̂.
    public var estimate: Double
    /// The confidence level c (e.g. 0.95).
    public var confidence: Double
    /// Number of bootstrap resamples B.
    public var resamples: Int
    /// Which interval `low`/`high` report.
    public var method: IntervalMethod
    /// BCa bounds; NaN when BCa degenerates (see `degeneracy`).
    public var bcaLow: Double
    public var bcaHigh: Double
    /// Percentile bounds: the (1 − c)/2 and (1 + c)/2 quantiles of the bootstrap distribution.
    public var percentileLow: Double
    public var percentileHigh: Double
    /// The bias correction z₀ (NaN when undefined).
    public var biasCorrection: Double
    /// The acceleration a from the jackknife (NaN when undefined).
    public var acceleration: Double
    /// The BCa quantile levels (αₗ, αᵤ); NaN when undefined.
    public var bcaLevelLow: Double
    public var bcaLevelHigh: Double
    /// The standard deviation of the bootstrap distribution (ddof 1).
    public var standardError: Double
    /// Why BCa was not used; nil when `method == .bca`.
    public var degeneracy: BCaDegeneracy?

    /// The reported lower bound: BCa, or percentile on fallback.
    public var low: Double { method == .bca ? bcaLow : percentileLow }
    /// The reported upper bound: BCa, or percentile on fallback.
    public var high: Double { method == .bca ? bcaHigh : percentileHigh }

    /// True when `value` lies in [low, high].
    public func contains(_ value: Double) -> Bool { low <= value && value <= high }

    /// Forms the interval from a bootstrap distribution and the jackknife values.
    /// - Parameters:
    ///   - estimate: θ̂, the statistic on the original data.
    ///   - distribution: θ*_b, b = 1…B (any order).
    ///   - jackknife: θ̂₍ᵢ₎, the statistic with replicate i left out, i = 1…n.
    ///   - confidence: the two-sided level c in (0, 1).
    public init(estimate: Double, distribution: [Double], jackknife: [Double], confidence: Double) {
        precondition(confidence > 0 && confidence < 1, "confidence must lie in (0, 1)")
        self.estimate = estimate
        self.confidence = confidence
        self.resamples = distribution.count
        self.bcaLow = .nan
        self.bcaHigh = .nan
        self.biasCorrection = .nan
        self.acceleration = .nan
        self.bcaLevelLow = .nan
        self.bcaLevelHigh = .nan
        self.method = .percentile

        let tail = (1 - confidence) / 2
        guard !distribution.isEmpty, estimate.isFinite, distribution.allSatisfy(\.isFinite) else {
            percentileLow = .nan
            percentileHigh = .nan
            standardError = .nan
            degeneracy = .nonFiniteStatistic
            return
        }
        let sorted = distribution.sorted()
        percentileLow = SampleQuantile.linear(sorted: sorted, p: tail)
        percentileHigh = SampleQuantile.linear(sorted: sorted, p: 1 - tail)
        standardError = Summary.standardDeviation(distribution)

        // Bias correction.
        let z0 = NormalDistribution.quantile(SampleQuantile.percentileOfScore(distribution, score: estimate))
        biasCorrection = z0
        // Acceleration from the jackknife.
        var a = Double.nan
        if jackknife.count >= 2, jackknife.allSatisfy(\.isFinite) {
            let jMean = jackknife.reduce(0, +) / Double(jackknife.count)
            var num = 0.0, den = 0.0
            for v in jackknife {
                let d = jMean - v
                num += d * d * d
                den += d * d
            }
            a = num / (6 * pow(den, 1.5))
        }
        acceleration = a

        if jackknife.count < 2 {
            degeneracy = .tooFewReplicates
            return
        }
        if sorted.first == sorted.last {
            degeneracy = .constantDistribution
            return
        }
        if !z0.isFinite {
            degeneracy = .infiniteBiasCorrection
            return
        }
        if !a.isFinite {
            degeneracy = .undefinedAcceleration
            return
        }
        let zLow = NormalDistribution.quantile(tail)
        let zHigh = -zLow
        let numLow = z0 + zLow
        let numHigh = z0 + zHigh
        let levelLow = NormalDistribution.cdf(z0 + numLow / (1 - a * numLow))
        let levelHigh = NormalDistribution.cdf(z0 + numHigh / (1 - a * numHigh))
        guard levelLow.isFinite, levelHigh.isFinite else {
            degeneracy = .nonFiniteLevels
            return
        }
        bcaLevelLow = levelLow
        bcaLevelHigh = levelHigh
        bcaLow = SampleQuantile.linear(sorted: sorted, p: levelLow)
        bcaHigh = SampleQuantile.linear(sorted: sorted, p: levelHigh)
        method = .bca
        degeneracy = nil
    }
}
