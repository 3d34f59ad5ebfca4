import Vocabulary

/// Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror & Shaw, "Parallel random
/// numbers: as easy as 1, 2, 3" (SC'11), as in the Random123 library.
///
/// A *block* is one application of the keyed bijection to a 128-bit counter: four 32-bit
/// words. The generator has no state beyond (key, counter), so any block of any stream can be
/// computed directly: this is what makes a task's numbers independent of rank and order.
public enum Philox4x32_10 {
    /// Round multipliers (Random123 `PHILOX_M4x32_0`, `PHILOX_M4x32_1`).
    public static let multipliers: (UInt32, UInt32) = (0xD251_1F53, 0xCD9E_8D57)
    /// Weyl key increments (Random123 `PHILOX_W32_0`, `PHILOX_W32_1`).
    public static let keyIncrements: (UInt32, UInt32) = (0x9E37_79B9, 0xBB67_AE85)
    /// The number of rounds.
    public static let rounds = 10

    /// One block: the 10-round Philox bijection of `counter` under `key`.
    ///
    /// ```swift
    /// Philox4x32_10.block(counter: [0, 0, 0, 0], key: [0, 0])
    /// // [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8] (Random123 kat_vectors)
    /// ```
    @inlinable
    public static func block(counter: SIMD4<UInt32>, key: SIMD2<UInt32>) -> SIMD4<UInt32> {
        let r = block(counter.x, counter.y, counter.z, counter.w, key.x, key.y)
        return SIMD4(r.0, r.1, r.2, r.3)
    }

    /// Scalar form of `block(counter:key:)` (the hot path: no SIMD shuffles).
    @inlinable @inline(__always)
    public static func block(_ c0: UInt32, _ c1: UInt32, _ c2: UInt32, _ c3: UInt32,
                             _ k0: UInt32, _ k1: UInt32) -> (UInt32, UInt32, UInt32, UInt32) {
        var x0 = c0, x1 = c1, x2 = c2, x3 = c3
        var key0 = k0, key1 = k1
        for round in 0..<10 {
            if round > 0 {
                key0 &+= 0x9E37_79B9
                key1 &+= 0xBB67_AE85
            }
            let p0 = UInt64(0xD251_1F53) &* UInt64(x0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(x2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            x0 = hi1 ^ x1 ^ key0
            x1 = lo1
            x2 = hi0 ^ x3 ^ key1
            x3 = lo0
        }
        return (x0, x1, x2, x3)
    }
}
