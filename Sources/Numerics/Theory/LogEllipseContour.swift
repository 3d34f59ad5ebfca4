import Foundation

/// A closed contour that is an ellipse in log z: z(t) = exp(c + a cos t + i b sin t), t ∈ [0, 2π).
///
/// It crosses the positive real axis at `leftCrossing` = e^(c−a) (t = π) and `rightCrossing` =
/// e^(c+a) (t = 0), runs counter-clockwise, and never meets 0 or the negative real axis while
/// b < π. For a periodic analytic integrand the trapezoid rule in t converges geometrically.
public struct LogEllipseContour: Sendable, Equatable {
    /// c: the centre of the ellipse in log z.
    public var center: Double
    /// a: the semi-axis along log|z|.
    public var semiAxisReal: Double
    /// b: the semi-axis along arg z (the largest |arg z| on the contour).
    public var semiAxisImaginary: Double

    /// The ellipse through the real points `left` < `right` with height b = `height` in arg z.
    public init(left: Double, right: Double, height: Double) {
        precondition(left > 0 && right > left && height > 0 && height < Double.pi)
        center = 0.5 * (Foundation.log(left) + Foundation.log(right))
        semiAxisReal = 0.5 * (Foundation.log(right) - Foundation.log(left))
        semiAxisImaginary = height
    }

    public var leftCrossing: Double { Foundation.exp(center - semiAxisReal) }
    public var rightCrossing: Double { Foundation.exp(center + semiAxisReal) }

    /// z(t).
    @inlinable public func point(at t: Double) -> Complex {
        Complex.exp(Complex(center + semiAxisReal * cos(t), semiAxisImaginary * sin(t)))
    }

    /// dz/dt = z(t)·(−a sin t + i b cos t).
    @inlinable public func derivative(at t: Double) -> Complex {
        point(at: t) * Complex(-semiAxisReal * sin(t), semiAxisImaginary * cos(t))
    }

    /// The largest |1 − z/μ| over `samples` points of the contour.
    public func maximumGDFactor(topEigenvalue mu: Double, samples: Int = 512) -> Double {
        var worst = 0.0
        for j in 0...samples {
            let t = Double.pi * Double(j) / Double(samples)
            worst = max(worst, (1 - point(at: t) / mu).magnitude)
        }
        return worst
    }

    /// The ellipse through `left` and `right` with the largest height ≤ `maximumHeight` that
    /// keeps |1 − z/μ| ≤ 1 on the whole contour (μ = `topEigenvalue`), so the GD factor
    /// (1 − z/μ)^(2T) stays O(1) and the integral does not cancel catastrophically. Needs
    /// right ≤ 2μ.
    public static func fitted(left: Double, right: Double, topEigenvalue mu: Double,
                              maximumHeight: Double) -> LogEllipseContour {
        let tallest = LogEllipseContour(left: left, right: right, height: maximumHeight)
        if tallest.maximumGDFactor(topEigenvalue: mu) <= 1 + 1e-12 { return tallest }
        var lo = 0.0, hi = maximumHeight
        for _ in 0..<40 {
            let mid = 0.5 * (lo + hi)
            let c = LogEllipseContour(left: left, right: right, height: mid)
            if c.maximumGDFactor(topEigenvalue: mu) <= 1 + 1e-12 { lo = mid } else { hi = mid }
        }
        return LogEllipseContour(left: left, right: right, height: max(lo, 1e-3 * maximumHeight))
    }
}
