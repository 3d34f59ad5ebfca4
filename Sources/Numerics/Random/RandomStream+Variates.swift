import CRandom
import Foundation

/// Uniform and standard normal variates from a `RandomStream`, in bulk.
///
/// Both bulk generators start at a fresh block and read the stream as a sequence of 64-bit
/// words w = lo + 2³²·hi, two per block ((w0, w1) then (w2, w3)), blocks in order. A uniform
/// is u = (j + ½)·2⁻⁵² with j the top 52 bits of a word: the 2⁵² odd multiples of 2⁻⁵³, so
/// 2⁻⁵³ ≤ u ≤ 1 − 2⁻⁵³ exactly (no rounding to 0 or 1).
///
/// Normals come from a 256-layer ziggurat (Marsaglia & Tsang 2000): one word per normal
/// 99 % of the time, exact rejection otherwise (wedges by exp, the tail beyond r = 3.6542 by
/// Marsaglia's exponential method). Words are consumed in a fixed order, so the output is a
/// pure function of the stream and the call sequence; the stream advances as if blocks were
/// generated two at a time, and a call's unused words are discarded (a call leaves `blockIndex` at an even offset from
/// where it started: 2·⌈words consumed / 4⌉ blocks on, however many it generated ahead).
extension RandomStream {
    /// A uniform in (0, 1) from the 64-bit word hi·2³² + lo: (j + ½)·2⁻⁵², j its top 52 bits.
    @inlinable @inline(__always)
    public static func uniformOpen(_ hi: UInt32, _ lo: UInt32) -> Double {
        uniformOpen((UInt64(hi) << 32) | UInt64(lo))
    }

    /// A uniform in (0, 1) from a 64-bit word: (j + ½)·2⁻⁵², j = word >> 12.
    @inlinable @inline(__always)
    public static func uniformOpen(_ word: UInt64) -> Double {
        (Double(Int64(bitPattern: word >> 12)) + 0.5) * 0x1p-52
    }

    /// Fills `buffer` with uniforms in (0, 1), one per word.
    public mutating func fillUniforms(_ buffer: UnsafeMutableBufferPointer<Double>) {
        alignToBlock()
        guard let base = buffer.baseAddress else { return }
        PhiloxWords.with(&self) { words in
            for i in 0..<buffer.count { base[i] = Self.uniformOpen(words.next()) }
        }
    }

    /// Fills `buffer` with independent N(0, 1) variates (ziggurat).
    ///
    /// The fast path (one word, |z| < x[layer + 1]: 99 % of normals) runs over the buffered
    /// words without a call; the first word it rejects goes to `Ziggurat.slowNormal`, which
    /// reads the further words it needs in order. The words consumed are exactly those of the
    /// plain word-by-word loop.
    public mutating func fillStandardNormals(_ buffer: UnsafeMutableBufferPointer<Double>) {
        alignToBlock()
        guard let base = buffer.baseAddress else { return }
        let count = buffer.count
        let zig = Ziggurat.shared
        PhiloxWords.with(&self) { words in
        zig.x.withUnsafeBufferPointer { px in
            zig.f.withUnsafeBufferPointer { pf in
                let x = px.baseAddress!, f = pf.baseAddress!
                var i = 0
                while i < count {
                    if words.index == words.available { words.refill() }
                    let n = min(words.available - words.index, count - i)
                    let src = words.buffer + words.index
                    var j = 0
                    while j < n {
                        let w = src[j]
                        let layer = Int(truncatingIfNeeded: w & 0xff)
                        let z = Ziggurat.symmetricUniform(w) * x[layer]
                        guard abs(z) < x[layer + 1] else { break }
                        base[i + j] = z
                        j += 1
                    }
                    words.index += j
                    i += j
                    if j < n {
                        base[i] = Ziggurat.slowNormal(words.next(), x: x, f: f, words: &words)
                        i += 1
                    }
                }
            }
        }
        }
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

/// The 64-bit words of a stream from a given block on: the same words as
/// `RandomStream.next()`, generated 128 blocks at a time by `alphasweep_philox_words` (CRandom:
/// eight Philox chains in AVX2 lanes where the CPU has them, scalar C otherwise).
///
/// The stream is left where the plain generator (two blocks per refill, four words) would
/// leave it: at the start block + 2·⌈words consumed / 4⌉, so every later call sees the same
/// words whatever the buffer size.
@usableFromInline
struct PhiloxWords {
    /// Words per refill (a multiple of 16: 8 blocks × 2 words).
    static let capacity = 256

    let key: SIMD2<UInt32>
    let counterHigh: SIMD2<UInt32>
    let startBlock: UInt64
    /// The first block not yet generated.
    var nextBlock: UInt64
    let buffer: UnsafeMutablePointer<UInt64>
    /// Words generated into `buffer` by the last refill, and the next one to read.
    var available = 0
    var index = 0

    init(stream: RandomStream, buffer: UnsafeMutablePointer<UInt64>) {
        key = stream.key
        counterHigh = stream.counterHigh
        startBlock = stream.blockIndex
        nextBlock = stream.blockIndex
        self.buffer = buffer
    }

    /// Runs `body` with the words of `stream`, then moves `stream` past the blocks consumed
    /// (rounded up to whole pairs of blocks).
    @inline(__always)
    static func with<R>(_ stream: inout RandomStream, _ body: (inout PhiloxWords) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: capacity) { storage in
            var words = PhiloxWords(stream: stream, buffer: storage.baseAddress!)
            let result = body(&words)
            stream.blockIndex = words.endBlock
            return result
        }
    }

    /// Where the plain generator would have left the stream.
    var endBlock: UInt64 {
        let generated = 2 &* (nextBlock &- startBlock)
        let consumed = generated &- UInt64(available - index)
        return startBlock &+ 2 &* ((consumed &+ 3) / 4)
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        if index == available { refill() }
        let w = buffer[index]
        index += 1
        return w
    }

    @inline(never)
    mutating func refill() {
        alphasweep_philox_words(nextBlock, counterHigh.x, counterHigh.y, key.x, key.y, buffer, Self.capacity / 2)
        nextBlock &+= UInt64(Self.capacity / 2)
        available = Self.capacity
        index = 0
    }
}

/// The tables of the 256-layer ziggurat for exp(−x²/2) (Marsaglia & Tsang 2000).
///
/// Layers of equal area V: x₁ = r, f(x_{i+1}) = f(x_i) + V/x_i, x₂₅₆ = 0; layer 0 is the
/// base rectangle [0, r]×[0, f(r)] plus the tail, given the virtual width x₀ = V/f(r).
struct Ziggurat: Sendable {
    static let layers = 256
    /// r, the start of the tail (Marsaglia & Tsang's constant for 256 layers).
    static let r = 3.6541528853610088
    /// x₀ … x₂₅₆.
    let x: [Double]
    /// f(x_i) = exp(−x_i²/2).
    let f: [Double]
    /// The common layer area V = r f(r) + ∫_r^∞ f.
    let area: Double

    static let shared = Ziggurat()

    init() {
        let r = Self.r
        let fr = exp(-0.5 * r * r)
        let v = r * fr + (Double.pi / 2).squareRoot() * erfc(r / 2.0.squareRoot())
        var x = [Double](repeating: 0, count: Self.layers + 1)
        x[0] = v / fr
        x[1] = r
        for i in 1..<(Self.layers - 1) {
            x[i + 1] = (-2 * log(v / x[i] + exp(-0.5 * x[i] * x[i]))).squareRoot()
        }
        x[Self.layers] = 0
        self.x = x
        self.f = x.map { exp(-0.5 * $0 * $0) }
        self.area = v
    }

    /// 1 − (f(x₂₅₅) + V/x₂₅₅): how well the top layer closes at f = 1 (≈ 0 for the right r).
    var closure: Double { 1 - (f[Self.layers - 1] + area / x[Self.layers - 1]) }

    /// The symmetric uniform in (−1, 1) of a word: (j + ½)·2⁻⁵¹ − 1, j = word >> 12 (odd
    /// multiples of 2⁻⁵²). j < 2⁵² is converted exactly through the exponent trick.
    @inline(__always)
    static func symmetricUniform(_ w: UInt64) -> Double {
        let j = Double(bitPattern: 0x4330_0000_0000_0000 | (w >> 12)) - 0x1p52
        return (j + 0.5) * 0x1p-51 - 1
    }

    /// The normal whose first word `w` the fast path rejected: the wedge test of its layer, or
    /// the tail, and further tries with the next words until one is accepted.
    @inline(never)
    static func slowNormal(_ first: UInt64, x: UnsafePointer<Double>, f: UnsafePointer<Double>,
                           words: inout PhiloxWords) -> Double {
        var w = first
        while true {
            let layer = Int(truncatingIfNeeded: w & 0xff)
            let u = symmetricUniform(w)
            let z = u * x[layer]
            if abs(z) < x[layer + 1] { return z }
            if layer == 0 { return tail(sign: u, words: &words) }
            let y = f[layer] + RandomStream.uniformOpen(words.next()) * (f[layer + 1] - f[layer])
            if y < Foundation.exp(-0.5 * z * z) { return z }
            w = words.next()
        }
    }

    /// A normal beyond ±r, the sign of `sign` (Marsaglia 1964: a = −ln(u₁)/r, b = −ln(u₂),
    /// accept when 2b > a²).
    @inline(never)
    static func tail(sign: Double, words: inout PhiloxWords) -> Double {
        while true {
            let a = -log(RandomStream.uniformOpen(words.next())) / r
            let b = -log(RandomStream.uniformOpen(words.next()))
            if b + b > a * a { return sign < 0 ? -(r + a) : r + a }
        }
    }
}

extension RandomStream {
    /// True when the bulk generators compute Philox blocks with AVX2 (the words are the same
    /// either way).
    public static var bulkGeneratorUsesAVX2: Bool { alphasweep_philox_uses_avx2() != 0 }

    /// The words of blocks `first`…`first + blocks − 1` as the bulk generators compute them
    /// (`portable`: by the scalar C path even where AVX2 is available), in `next()` order; for
    /// tests. `blocks` is rounded up to a multiple of 8.
    public func bulkWords(fromBlock first: UInt64, blocks: Int, portable: Bool = false) -> [UInt64] {
        let n = (blocks + 7) / 8 * 8
        var out = [UInt64](repeating: 0, count: 2 * n)
        out.withUnsafeMutableBufferPointer { p in
            if portable {
                alphasweep_philox_words_portable(first, counterHigh.x, counterHigh.y, key.x, key.y, p.baseAddress!, n)
            } else {
                alphasweep_philox_words(first, counterHigh.x, counterHigh.y, key.x, key.y, p.baseAddress!, n)
            }
        }
        return Array(out.prefix(2 * blocks))
    }

    /// Diagnostics of the ziggurat tables (for tests): the tail start r, the layer area V and
    /// the closure error of the top layer.
    public static var zigguratDiagnostics: (r: Double, area: Double, closure: Double) {
        (Ziggurat.r, Ziggurat.shared.area, Ziggurat.shared.closure)
    }
}
