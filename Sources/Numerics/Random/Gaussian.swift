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
/// pure function of the stream and the call sequence; blocks are generated two at a time and
/// a call's unused words are discarded (a call leaves `blockIndex` at an even offset from
/// where it started).
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
    public mutating func fillStandardNormals(_ buffer: UnsafeMutableBufferPointer<Double>) {
        alignToBlock()
        guard let base = buffer.baseAddress else { return }
        let zig = Ziggurat.shared
        PhiloxWords.with(&self) { words in
        zig.x.withUnsafeBufferPointer { px in
            zig.f.withUnsafeBufferPointer { pf in
                let x = px.baseAddress!, f = pf.baseAddress!
                for i in 0..<buffer.count {
                    while true {
                        let w = words.next()
                        let layer = Int(truncatingIfNeeded: w & 0xff)
                        // symmetric uniform in (−1, 1): odd multiples of 2⁻⁵²
                        let u = (Double(Int64(bitPattern: w >> 12)) + 0.5) * 0x1p-51 - 1
                        let z = u * x[layer]
                        if abs(z) < x[layer + 1] { base[i] = z; break }
                        if layer == 0 { base[i] = Ziggurat.tail(sign: u, words: &words); break }
                        let y = f[layer] + Self.uniformOpen(words.next()) * (f[layer + 1] - f[layer])
                        if y < Foundation.exp(-0.5 * z * z) { base[i] = z; break }
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

/// The 64-bit words of a stream from a given block on, two blocks (four words) generated at
/// a time (two independent Philox chains); the same words as `RandomStream.next()`.
@usableFromInline
struct PhiloxWords {
    let key: SIMD2<UInt32>
    let counterHigh: SIMD2<UInt32>
    /// The first block not yet generated.
    var nextBlock: UInt64
    var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0
    var index = 4

    init(stream: RandomStream) {
        key = stream.key
        counterHigh = stream.counterHigh
        nextBlock = stream.blockIndex
    }

    /// Runs `body` with the words of `stream`, then moves `stream` past every block generated.
    @inline(__always)
    static func with<R>(_ stream: inout RandomStream, _ body: (inout PhiloxWords) -> R) -> R {
        var words = PhiloxWords(stream: stream)
        let result = body(&words)
        stream.blockIndex = words.nextBlock
        return result
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        if index == 4 { refill() }
        let i = index
        index += 1
        switch i {
        case 0: return w0
        case 1: return w1
        case 2: return w2
        default: return w3
        }
    }

    @inline(never)
    mutating func refill() {
        let b0 = nextBlock, b1 = nextBlock &+ 1
        nextBlock &+= 2
        let p = Philox4x32_10.block(UInt32(truncatingIfNeeded: b0), UInt32(truncatingIfNeeded: b0 >> 32),
                                    counterHigh.x, counterHigh.y, key.x, key.y)
        let q = Philox4x32_10.block(UInt32(truncatingIfNeeded: b1), UInt32(truncatingIfNeeded: b1 >> 32),
                                    counterHigh.x, counterHigh.y, key.x, key.y)
        w0 = UInt64(p.0) | (UInt64(p.1) << 32)
        w1 = UInt64(p.2) | (UInt64(p.3) << 32)
        w2 = UInt64(q.0) | (UInt64(q.1) << 32)
        w3 = UInt64(q.2) | (UInt64(q.3) << 32)
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
    /// Diagnostics of the ziggurat tables (for tests): the tail start r, the layer area V and
    /// the closure error of the top layer.
    public static var zigguratDiagnostics: (r: Double, area: Double, closure: Double) {
        (Ziggurat.r, Ziggurat.shared.area, Ziggurat.shared.closure)
    }
}
