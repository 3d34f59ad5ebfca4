import Vocabulary

/// The independent random streams of one problem instance (SPEC §5).
public enum RandomStreamKind: UInt32, CaseIterable, Sendable, Codable {
    /// The random-feature matrix W.
    case features = 1
    /// The teacher W*.
    case teacher = 2
    /// The training data: rows of (Φ, Y) (joint sampler) or x and the label noise (direct).
    case data = 3
}

/// A stream of random numbers keyed by (master seed, s, N, replicate, stream kind).
///
/// Key derivation (two Philox4x32-10 calls, once per stream):
/// 1. h = Philox(counter: (lo32(bits(s)), hi32(bits(s)), N, replicate),
///               key: (lo32(masterSeed), hi32(masterSeed))), where bits(s) is the IEEE-754
///    bit pattern of s, N and replicate as UInt32.
/// 2. g = Philox(counter: (h.2, h.3, stream.rawValue, 0x616c7068 ("alph")), key: (h.0, h.1)).
/// 3. Block b (b = 0, 1, 2, …) of the stream is Philox(counter: (lo32(b), hi32(b), g.2, g.3),
///    key: (g.0, g.1)).
///
/// So a stream is identified by 128 bits (a 64-bit Philox key and the 64 high counter bits)
/// and has 2^64 blocks. The optimizer is never part of the key: all optimizers see the same
/// instance. `next()` returns the words of consecutive blocks as (w0 | w1 << 32),
/// (w2 | w3 << 32); the bulk generators (`fillStandardNormals`, `fillUniforms`) always start
/// at a fresh block.
public struct RandomStream: RandomNumberGenerator, Sendable, Equatable {
    /// The Philox key of this stream.
    public let key: SIMD2<UInt32>
    /// The high 64 bits of every counter of this stream.
    public let counterHigh: SIMD2<UInt32>
    /// The index of the next block to be generated.
    public var blockIndex: UInt64 = 0
    /// The unread second half of the last block, if any (used by `next()` only).
    private var pending: UInt64? = nil

    /// The domain tag that keeps these streams apart from other uses of Philox with the same seed.
    public static let domainTag: UInt32 = 0x616C_7068

    /// A stream from an explicit Philox key and high counter words.
    public init(key: SIMD2<UInt32>, counterHigh: SIMD2<UInt32>) {
        self.key = key
        self.counterHigh = counterHigh
    }

    /// The stream `stream` of the instance (s, N, replicate) under `masterSeed` (SPEC §5).
    /// - Precondition: 0 ≤ N, replicate < 2^32.
    public init(masterSeed: UInt64, s: Double, N: Int, replicate: Int, stream: RandomStreamKind) {
        precondition(N >= 0 && N <= Int(UInt32.max), "N out of range for the RNG key")
        precondition(replicate >= 0 && replicate <= Int(UInt32.max), "replicate out of range for the RNG key")
        let sb = s.bitPattern
        let h = Philox4x32_10.block(
            UInt32(truncatingIfNeeded: sb), UInt32(truncatingIfNeeded: sb >> 32),
            UInt32(N), UInt32(replicate),
            UInt32(truncatingIfNeeded: masterSeed), UInt32(truncatingIfNeeded: masterSeed >> 32))
        let g = Philox4x32_10.block(h.2, h.3, stream.rawValue, Self.domainTag, h.0, h.1)
        self.init(key: SIMD2(g.0, g.1), counterHigh: SIMD2(g.2, g.3))
    }

    /// The stream `stream` of an instance (SPEC §5).
    public init(masterSeed: UInt64, instance: InstanceKey, stream: RandomStreamKind) {
        self.init(masterSeed: masterSeed, s: instance.s, N: instance.N,
                  replicate: instance.replicate, stream: stream)
    }

    /// Block `index` of this stream, without moving the stream.
    @inlinable @inline(__always)
    public func block(at index: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        Philox4x32_10.block(UInt32(truncatingIfNeeded: index), UInt32(truncatingIfNeeded: index >> 32),
                            counterHigh.x, counterHigh.y, key.x, key.y)
    }

    /// The next block; discards any half-read block of `next()`.
    public mutating func nextBlock() -> SIMD4<UInt32> {
        pending = nil
        let b = block(at: blockIndex)
        blockIndex &+= 1
        return SIMD4(b.0, b.1, b.2, b.3)
    }

    /// The next 64 random bits (RandomNumberGenerator).
    public mutating func next() -> UInt64 {
        if let p = pending {
            pending = nil
            return p
        }
        let b = block(at: blockIndex)
        blockIndex &+= 1
        pending = UInt64(b.2) | (UInt64(b.3) << 32)
        return UInt64(b.0) | (UInt64(b.1) << 32)
    }

    /// Skips to the start of a fresh block (the bulk generators do this first).
    @usableFromInline
    mutating func alignToBlock() { pending = nil }
}
