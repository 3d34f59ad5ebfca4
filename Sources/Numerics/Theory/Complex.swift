import Foundation

/// A complex number in Cartesian form, the small subset the spectral diagnostic needs.
///
/// swift-numerics cannot be a dependency of this package: its umbrella target is also named
/// `Numerics`, target names must be unique across a package graph, and SwiftPM's module
/// aliases (`moduleAliases:` on a product dependency) only rename a product's dependencies,
/// never the clashing umbrella target itself (SwiftPM 6.3 refuses the graph either way). So
/// this type provides arithmetic and the elementary functions the contour integrals of SPEC §7
/// use: `exp`, `log` and `sqrt` on their principal branches (cut along the negative real axis),
/// integer powers and the modulus.
///
/// ```swift
/// let z = Complex(1, 2)
/// let w = Complex.exp(Complex.log(z))   // ≈ z
/// ```
public struct Complex: Hashable, Sendable, CustomStringConvertible {
    /// The real part.
    public var real: Double
    /// The imaginary part.
    public var imaginary: Double

    /// A complex number from its real and imaginary parts.
    @inlinable
    public init(_ real: Double, _ imaginary: Double = 0) {
        self.real = real
        self.imaginary = imaginary
    }

    public static let zero = Complex(0, 0)
    public static let one = Complex(1, 0)
    /// The imaginary unit.
    public static let i = Complex(0, 1)

    /// The complex conjugate.
    @inlinable public var conjugate: Complex { Complex(real, -imaginary) }

    /// |z|, computed without intermediate overflow or underflow.
    @inlinable public var magnitude: Double { hypot(real, imaginary) }

    /// |z|², cheaper than `magnitude` when a square suffices.
    @inlinable public var lengthSquared: Double { real * real + imaginary * imaginary }

    /// The argument arg z in (−π, π].
    @inlinable public var argument: Double { atan2(imaginary, real) }

    /// True when both parts are finite.
    @inlinable public var isFinite: Bool { real.isFinite && imaginary.isFinite }

    public var description: String {
        imaginary.sign == .minus ? "\(real) - \(-imaginary)i" : "\(real) + \(imaginary)i"
    }

    // MARK: - Arithmetic

    @inlinable public static prefix func - (z: Complex) -> Complex { Complex(-z.real, -z.imaginary) }

    @inlinable public static func + (a: Complex, b: Complex) -> Complex {
        Complex(a.real + b.real, a.imaginary + b.imaginary)
    }
    @inlinable public static func - (a: Complex, b: Complex) -> Complex {
        Complex(a.real - b.real, a.imaginary - b.imaginary)
    }
    @inlinable public static func * (a: Complex, b: Complex) -> Complex {
        Complex(a.real * b.real - a.imaginary * b.imaginary, a.real * b.imaginary + a.imaginary * b.real)
    }
    /// Division by Smith's algorithm (no overflow from squaring the divisor's parts).
    @inlinable public static func / (a: Complex, b: Complex) -> Complex {
        if Swift.abs(b.real) >= Swift.abs(b.imaginary) {
            let r = b.imaginary / b.real
            let d = b.real + b.imaginary * r
            return Complex((a.real + a.imaginary * r) / d, (a.imaginary - a.real * r) / d)
        } else {
            let r = b.real / b.imaginary
            let d = b.real * r + b.imaginary
            return Complex((a.real * r + a.imaginary) / d, (a.imaginary * r - a.real) / d)
        }
    }

    @inlinable public static func + (a: Complex, b: Double) -> Complex { Complex(a.real + b, a.imaginary) }
    @inlinable public static func + (a: Double, b: Complex) -> Complex { Complex(a + b.real, b.imaginary) }
    @inlinable public static func - (a: Complex, b: Double) -> Complex { Complex(a.real - b, a.imaginary) }
    @inlinable public static func - (a: Double, b: Complex) -> Complex { Complex(a - b.real, -b.imaginary) }
    @inlinable public static func * (a: Complex, b: Double) -> Complex { Complex(a.real * b, a.imaginary * b) }
    @inlinable public static func * (a: Double, b: Complex) -> Complex { Complex(a * b.real, a * b.imaginary) }
    @inlinable public static func / (a: Complex, b: Double) -> Complex { Complex(a.real / b, a.imaginary / b) }
    @inlinable public static func / (a: Double, b: Complex) -> Complex { Complex(a, 0) / b }

    @inlinable public static func += (a: inout Complex, b: Complex) { a = a + b }
    @inlinable public static func -= (a: inout Complex, b: Complex) { a = a - b }
    @inlinable public static func *= (a: inout Complex, b: Complex) { a = a * b }
    @inlinable public static func /= (a: inout Complex, b: Complex) { a = a / b }

    // MARK: - Elementary functions

    /// The modulus |z| (the same as `z.magnitude`).
    @inlinable public static func abs(_ z: Complex) -> Double { z.magnitude }

    /// e^z.
    @inlinable public static func exp(_ z: Complex) -> Complex {
        let r = Foundation.exp(z.real)
        return Complex(r * cos(z.imaginary), r * sin(z.imaginary))
    }

    /// The principal logarithm: log|z| + i arg z, arg z ∈ (−π, π].
    ///
    /// Near the unit circle log|z| = ½·log1p(|z|² − 1), with |z|² − 1 formed from exact
    /// products and a compensated sum: log(hypot(x, y)) would lose all the digits of a |z| that
    /// differs from 1 by less than the rounding of |z| itself.
    @inlinable public static func log(_ z: Complex) -> Complex {
        let a = Swift.max(Swift.abs(z.real), Swift.abs(z.imaginary))
        let b = Swift.min(Swift.abs(z.real), Swift.abs(z.imaginary))
        let roughSquare = a * a + b * b
        guard roughSquare > 0.5 && roughSquare < 2 else { return Complex(Foundation.log(z.magnitude), z.argument) }
        // Knuth's two-sum: s + e = x + y exactly.
        func twoSum(_ x: Double, _ y: Double) -> (s: Double, e: Double) {
            let s = x + y, v = s - x
            return (s, (x - (s - v)) + (y - v))
        }
        let aa = a * a, aaError = (-aa).addingProduct(a, a)
        let bb = b * b, bbError = (-bb).addingProduct(b, b)
        let head = twoSum(aa, -1), sum = twoSum(head.s, bb)
        return Complex(0.5 * log1p(sum.s + (sum.e + head.e + aaError + bbError)), z.argument)
    }

    /// The principal square root (real part ≥ 0; the cut lies along the negative real axis).
    @inlinable public static func sqrt(_ z: Complex) -> Complex {
        if z.real == 0 && z.imaginary == 0 { return Complex(0, z.imaginary) }
        let t = Foundation.sqrt((Swift.abs(z.real) + z.magnitude) / 2)
        if z.real >= 0 {
            return Complex(t, z.imaginary / (2 * t))
        } else {
            return Complex(Swift.abs(z.imaginary) / (2 * t), z.imaginary.sign == .minus ? -t : t)
        }
    }

    /// zⁿ for an integer n, by repeated squaring (n < 0 gives 1/z^|n|; z⁰ = 1).
    @inlinable public static func pow(_ z: Complex, _ n: Int) -> Complex {
        var result = Complex.one
        var base = z
        var e = n.magnitude
        while e > 0 {
            if e & 1 == 1 { result *= base }
            e >>= 1
            if e > 0 { base *= base }
        }
        return n < 0 ? Complex.one / result : result
    }
}
