import Foundation

/// Sample quantiles and ranks with the conventions of NumPy/SciPy, so that bootstrap
/// intervals computed here agree with `scipy.stats.bootstrap` given the same distribution.
public enum SampleQuantile {
    /// The p-quantile of ascending `sorted` by linear interpolation between order statistics
    /// (Hyndman–Fan type 7; `numpy.percentile`'s and `scipy.stats.quantile`'s default
    /// "linear"): virtual index h = (n − 1)·p, value x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋).
    ///
    /// p is clamped to [0, 1]; NaN when p is NaN or `sorted` is empty.
    public static func linear(sorted: [Double], p: Double) -> Double {
        guard !sorted.isEmpty, !p.isNaN else { return .nan }
        let n = sorted.count
        let h = Double(n - 1) * min(max(p, 0), 1)
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, n - 1)
        let frac = h - Double(lo)
        if frac == 0 { return sorted[lo] }
        return sorted[lo] + frac * (sorted[hi] - sorted[lo])
    }

    /// The fraction of `values` at or below `score`, counting ties half:
    /// (#{v < score} + #{v ≤ score}) / (2n), SciPy's "mean" percentile of score (the one its
    /// BCa bias correction uses).
    public static func percentileOfScore(_ values: [Double], score: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        var below = 0, atOrBelow = 0
        for v in values {
            if v < score { below += 1 }
            if v <= score { atOrBelow += 1 }
        }
        return Double(below + atOrBelow) / Double(2 * values.count)
    }
}
