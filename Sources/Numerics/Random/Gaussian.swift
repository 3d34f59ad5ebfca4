import Foundation

/// Uniform and standard normal variates from a `RandomStream`, in bulk.
///
/// Both bulk generators start at a fresh block and use whole blocks: block b of the call
/// gives uniforms 2b, 2b+1 (`fillUniforms`) or normals 2b, 2b+1 (`fillStandardNormals`);
/// for an odd count the unused half of the last block is discarded. A uniform is
/// u = (j + ½)·2⁻⁵² with j the top 52 bits of a 64-bit word: the 2⁵² odd multiples of 2⁻⁵³,
/// so 2⁻⁵³ ≤ u ≤ 1 − 2⁻⁵³ exactly (no rounding to 0 or 1).
extension RandomStream {
    /// A uniform in (0, 1) from the 64-bit word hi·2³² + lo: (j + ½)·2⁻⁵², j its top 52 bits.
    @inlinable @inline(__always)
    public static func uniformOpen(_ hi: UInt32, _ lo: UInt32) -> Double {
        let j = (UInt64(hi) << 20) | UInt64(lo >> 12)
        return (Double(j) + 0.5) * 0x1p-52
    }

    /// Fills `buffer` with uniforms in (0, 1).
    public mutating func fillUniforms(_ buffer: UnsafeMutableBufferPointer<Double>) {
        alignToBlock()
        guard let base = buffer.baseAddress else { return }
        let count = buffer.count
        var i = 0
        var b = blockIndex
        while i < count {
            let w = block(at: b)
            b &+= 1
            base[i] = Self.uniformOpen(w.1, w.0)
            if i + 1 < count { base[i + 1] = Self.uniformOpen(w.3, w.2) }
            i += 2
        }
        blockIndex = b
    }

    /// Fills `buffer` with independent N(0, 1) variates (Box–Muller on these uniforms: one
    /// Philox block gives two normals).
    public mutating func fillStandardNormals(_ buffer: UnsafeMutableBufferPointer<Double>) {
        alignToBlock()
        guard let base = buffer.baseAddress else { return }
        let count = buffer.count
        let pairs = count / 2
        var b = blockIndex
        for p in 0..<pairs {
            let w = block(at: b)
            b &+= 1
            let z = Self.boxMuller(w)
            base[2 * p] = z.0
            base[2 * p + 1] = z.1
        }
        if count % 2 == 1 {
            let w = block(at: b)
            b &+= 1
            base[count - 1] = Self.boxMuller(w).0
        }
        blockIndex = b
    }

    /// The two normals of one block: r = √(−2 log u₁), (r cos 2πu₂, r sin 2πu₂).
    @inlinable @inline(__always)
    static func boxMuller(_ w: (UInt32, UInt32, UInt32, UInt32)) -> (Double, Double) {
        let u1 = uniformOpen(w.1, w.0)
        let u2 = uniformOpen(w.3, w.2)
        let r = (-2.0 * Foundation.log(u1)).squareRoot()
        let t = 2.0 * Double.pi * u2
        return (r * Foundation.cos(t), r * Foundation.sin(t))
    }

    /// `count` standard normals.
    public mutating func standardNormals(count: Int) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { buf, initialized in
            fillStandardNormals(UnsafeMutableBufferPointer(rebasing: buf[0..<count]))
            initialized = count
        }
    }

    /// `count` uniforms in (0, 1).
    public mutating func uniforms(count: Int) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { buf, initialized in
            fillUniforms(UnsafeMutableBufferPointer(rebasing: buf[0..<count]))
            initialized = count
        }
    }
}
