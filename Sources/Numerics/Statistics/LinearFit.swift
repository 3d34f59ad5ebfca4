import Foundation

/// The ordinary-least-squares line y ≈ intercept + slope·x, with classical standard errors.
public struct LinearFit: Equatable, Sendable {
    public var slope: Double
    public var intercept: Double
    /// √(s²/Sxx) with s² = RSS/(n − 2); NaN when n = 2 (no residual degrees of freedom).
    public var slopeStandardError: Double
    /// s·√(1/n + x̄²/Sxx); NaN when n = 2.
    public var interceptStandardError: Double
    /// s = √(RSS/(n − 2)); NaN when n = 2.
    public var residualStandardDeviation: Double
    /// Number of points n.
    public var count: Int

    /// Fits y on x.
    ///
    /// Returns nil when the arrays differ in length, hold fewer than two points, contain a
    /// non-finite value, or when x is constant (the slope is undefined).
    public init?(x: [Double], y: [Double]) {
        let n = x.count
        guard n == y.count, n >= 2,
              x.allSatisfy(\.isFinite), y.allSatisfy(\.isFinite) else { return nil }
        guard let weights = LinearFit.slopeWeights(x) else { return nil }
        let xMean = Summary.mean(x)
        let yMean = Summary.mean(y)
        var slope = 0.0
        for i in 0..<n { slope += weights[i] * y[i] }
        var sxx = 0.0
        for v in x { sxx += (v - xMean) * (v - xMean) }
        let intercept = yMean - slope * xMean
        var rss = 0.0
        for i in 0..<n {
            let r = y[i] - (intercept + slope * x[i])
            rss += r * r
        }
        let s = n > 2 ? (rss / Double(n - 2)).squareRoot() : .nan
        self.slope = slope
        self.intercept = intercept
        self.residualStandardDeviation = s
        self.slopeStandardError = s / sxx.squareRoot()
        self.interceptStandardError = s * (1 / Double(n) + xMean * xMean / sxx).squareRoot()
        self.count = n
    }

    /// intercept + slope·x.
    public func predict(_ x: Double) -> Double { intercept + slope * x }

    /// The weights wᵢ = (xᵢ − x̄)/Sxx with slope = Σ wᵢ yᵢ: the OLS slope is linear in y.
    /// Nil when x has fewer than two points or is constant.
    public static func slopeWeights(_ x: [Double]) -> [Double]? {
        let n = x.count
        guard n >= 2 else { return nil }
        let xMean = Summary.mean(x)
        var sxx = 0.0
        for v in x { sxx += (v - xMean) * (v - xMean) }
        guard sxx > 0, sxx.isFinite else { return nil }
        return x.map { ($0 - xMean) / sxx }
    }
}
