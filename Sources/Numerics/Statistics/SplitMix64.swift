/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", 2014):
/// a tiny, fast, well-mixed 64-bit generator with a fully specified output sequence.
///
/// The statistics code uses it as the bootstrap's generator so that a bootstrap with a given
/// seed yields the same resamples on every platform and toolchain (the stdlib's
/// `SystemRandomNumberGenerator` is not seedable, and `Int.random(in:using:)` may change the
/// way it consumes draws between releases). It is not the experiment's counter-based stream
/// (SPEC §5); nothing in the simulation draws from it.
///
/// ```swift
/// var rng = SplitMix64(seed: 0)
/// rng.next() // 0xE220_A839_7B1D_CDAF
/// ```
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    /// The internal state: advanced by the golden-ratio increment at every draw.
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension RandomNumberGenerator {
    /// A uniform integer in `0..<bound`, by Lemire's multiply-shift with rejection
    /// ("Fast random integer generation in an interval", ACM TOMACS 2019).
    ///
    /// Exactly uniform; consumes one 64-bit draw except with probability < bound/2⁶⁴. The
    /// mapping from draws to indices is written out here (not `Int.random(in:using:)`) so
    /// that results depend only on the generator's output sequence.
    /// - Precondition: `bound > 0`.
    @inlinable
    public mutating func uniformIndex(below bound: Int) -> Int {
        precondition(bound > 0, "uniformIndex(below:) needs a positive bound")
        let n = UInt64(bound)
        var product = next().multipliedFullWidth(by: n)
        if product.low < n {
            let threshold = (0 &- n) % n  // 2⁶⁴ mod n
            while product.low < threshold {
                product = next().multipliedFullWidth(by: n)
            }
        }
        return Int(product.high)
    }
}
