import Foundation

extension RandomStream {
    /// A χ² variate with `degreesOfFreedom` ≥ 1 degrees of freedom: 2·Gamma(k/2), by Marsaglia
    /// and Tsang's exact rejection method (2000) with a normal and a uniform per attempt
    /// (about 1.02 attempts for large k), and Gamma(a) = Gamma(a + 1)·U^(1/a) for k = 1.
    ///
    /// Each normal and uniform is its own bulk call, so the words consumed are a pure function
    /// of the stream and the call sequence, like every other variate here.
    public mutating func chiSquared(degreesOfFreedom k: Int) -> Double {
        precondition(k >= 1, "χ² needs at least one degree of freedom")
        let a = Double(k) / 2
        if a < 1 {
            let g = gamma(shapeAtLeastOne: a + 1)
            return 2 * g * pow(uniforms(count: 1)[0], 1 / a)
        }
        return 2 * gamma(shapeAtLeastOne: a)
    }

    private mutating func gamma(shapeAtLeastOne a: Double) -> Double {
        let d = a - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            let x = standardNormals(count: 1)[0]
            let t = 1 + c * x
            guard t > 0 else { continue }
            let v = t * t * t
            let u = uniforms(count: 1)[0]
            if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }
}
