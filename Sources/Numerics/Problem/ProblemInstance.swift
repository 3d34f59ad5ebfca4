import Foundation
import Vocabulary

/// Problem experiment that cannot define an instance (e.g. N ≤ 0).
public struct InvalidProblemError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "invalid problem: \(message)" }
}

/// One problem instance (SPEC §1–3): the random features W, the teacher W*, and the training
/// data through its sufficient statistics F = ΦᵀΦ/n, B = ΦᵀY/n and YᵀY/n.
///
/// It is a pure function of (experiment, key): W comes from the `features` stream, W* from
/// `teacher`, the training data from `data` (see `RandomStream` for the keys). W and W* are
/// the same for both samplers; only the data differ.
public struct ProblemInstance: Sendable {
    public let experiment: Experiment
    public let key: InstanceKey
    /// The input spectrum λ_1…λ_D (element k−1 is λ_k).
    public let lambda: [Double]
    /// W, N×D, W_ik ~ N(0, 1) (filled in column-major order from the `features` stream).
    /// A large instance may give W's memory back while it needs memory most (see
    /// `releaseFeatures`); W is then drawn again, bit for bit, when next asked for.
    public var features: Matrix { featureStore.matrix }
    let featureStore: FeatureStore
    /// W*, D×K, W*[k, o] ~ N(0, k^−β) (column-major order from the `teacher` stream).
    public let teacher: Matrix
    /// The population covariance C of (φ(x), y), (N+K)×(N+K) (SPEC §2), recomputed from W and
    /// W* on each call (bitwise what the sampler used): not kept, so a large instance does not
    /// hold (N+K)² doubles it no longer needs while it trains.
    public var covariance: Matrix {
        Self.populationCovariance(W: features, teacher: teacher, lambda: lambda, sigma: experiment.sigma)
    }
    /// F = ΦᵀΦ/n, N×N (exactly symmetric).
    public let F: Matrix
    /// B = ΦᵀY/n, N×K.
    public let B: Matrix
    /// YᵀY/n, K×K.
    public let labelGram: Matrix
    /// (1/K) Σ_o w*_oᵀ Λ w*_o: the test loss at Θ = 0.
    public let signalVariance: Double
    /// True when the joint sampler's Cholesky factorisation of C failed and the symmetric
    /// square root (eigenvalues clamped at 0) was used instead.
    public let usedSymmetricSquareRoot: Bool

    public var N: Int { key.N }
    public var D: Int { experiment.D }
    public var K: Int { experiment.K }

    /// Rows of training data generated and accumulated at a time. A constant (never
    /// machine-dependent), so the accumulation order, hence every bit, is reproducible.
    public static let rowBlockSize = 256

    /// Samples the instance `key` under `experiment` with `experiment.sampler`.
    /// - Throws: `InvalidProblemError` for unusable experiment, `LinearAlgebraError` when a
    ///   LAPACK routine fails.
    public static func sample(experiment p: Experiment, key: InstanceKey) throws -> ProblemInstance {
        try validate(p, key)
        let N = key.N, D = p.D, K = p.K
        let lambda = p.latentEigenvalues(s: key.s)

        let W = drawFeatures(experiment: p, key: key)

        var teacherStream = RandomStream(masterSeed: p.masterSeed, instance: key, stream: .teacher)
        var Wstar = Matrix(rows: D, columns: K, elements: teacherStream.standardNormals(count: D * K))
        let teacherScale = Spectrum.teacherVariances(beta: p.beta, D: D).map { $0.squareRoot() }
        for o in 0..<K { for k in 0..<D { Wstar[k, o] *= teacherScale[k] } }

        var dataStream = RandomStream(masterSeed: p.masterSeed, instance: key, stream: .data)
        let gram: Matrix
        var usedSymmetricRoot = false
        // C goes straight into the sampler (`consume`): its storage becomes C's factor in place.
        let scaledTeacher = Wstar
        let covariance = { populationCovariance(W: W, teacher: scaledTeacher, lambda: lambda, sigma: p.sigma) }
        switch p.sampler {
        case .joint:
            let C = covariance()
            (gram, usedSymmetricRoot) = try jointGram(covariance: consume C, n: p.n, stream: &dataStream,
                                                      rebuildCovariance: covariance)
        case .direct:
            gram = directGram(W: W, teacher: Wstar, lambda: lambda, sigma: p.sigma, n: p.n, stream: &dataStream)
        case .wishart:
            let C = covariance()
            (gram, usedSymmetricRoot) = try wishartGram(covariance: consume C, n: p.n, stream: &dataStream,
                                                        rebuildCovariance: covariance)
        }
        guard gram.isFinite else {
            throw LinearAlgebraError(routine: "sampling", info: 0, detail: "non-finite training Gram matrix")
        }
        let negTeacher = -1.0 * Wstar
        let signal = negTeacher.elements.withUnsafeBufferPointer {
            weightedLoss($0.baseAddress!, lambda: lambda, D: D, K: K)
        }
        return ProblemInstance(
            experiment: p, key: key, lambda: lambda, featureStore: FeatureStore(W, experiment: p, key: key), teacher: Wstar,
            F: gram.submatrix(rows: 0..<N, columns: 0..<N),
            B: gram.submatrix(rows: 0..<N, columns: N..<(N + K)),
            labelGram: gram.submatrix(rows: N..<(N + K), columns: N..<(N + K)),
            signalVariance: signal, usedSymmetricSquareRoot: usedSymmetricRoot)
    }

    /// W from the `features` stream (N·D normals, column-major).
    static func drawFeatures(experiment p: Experiment, key: InstanceKey) -> Matrix {
        var featureStream = RandomStream(masterSeed: p.masterSeed, instance: key, stream: .features)
        return Matrix(rows: key.N, columns: p.D, elements: featureStream.standardNormals(count: key.N * p.D))
    }

    /// W at least this large is released during the eigendecomposition (`InstanceTrainer`) and
    /// drawn again afterwards: the N·D normals cost ~1 % of such an instance, and the
    /// eigendecomposition's peak (F, reflectors, eigenvectors, dstedc's N² workspace) then
    /// comes without W. Below it (every instance of the default sweep) W stays.
    public static let featureReleaseBytes = 64 << 20

    /// Gives W's memory back (when nothing else holds a copy); `features` draws it again.
    public func releaseFeatures() { featureStore.release() }

    static func validate(_ p: Experiment, _ key: InstanceKey) throws {
        guard key.N > 0 else { throw InvalidProblemError("N must be positive (got \(key.N))") }
        guard p.D > 0, p.K > 0, p.n > 0 else { throw InvalidProblemError("D, K and n must be positive") }
        guard p.T >= 0 else { throw InvalidProblemError("T must be non-negative") }
        guard key.s.isFinite, p.beta.isFinite else { throw InvalidProblemError("s and beta must be finite") }
        if let file = p.fileSpectrum(s: key.s), file.eigenvalues.count != p.D {
            throw InvalidProblemError("the spectrum file for s = \(key.s) holds \(file.eigenvalues.count) eigenvalues, not D = \(p.D)")
        }
        guard p.sigma.isFinite, p.sigma >= 0 else { throw InvalidProblemError("sigma must be finite and ≥ 0") }
        guard key.replicate >= 0, key.replicate <= Int(UInt32.max), key.N <= Int(UInt32.max) else {
            throw InvalidProblemError("replicate and N must fit the RNG key (0 ≤ · < 2^32)")
        }
        guard (key.N + p.K) * p.D < Int(Int32.max), key.N * key.N < Int(Int32.max) else {
            throw InvalidProblemError("matrix too large for 32-bit BLAS indices")
        }
    }

    /// The covariance of (φ(x), y) given (W, W*) (SPEC §2):
    /// [[WΛWᵀ/D, WΛW*/√D], [W*ᵀΛWᵀ/√D, W*ᵀΛW* + σ²I]], as G Gᵀ + diag(0, σ²I) with the
    /// (N+K)×D matrix G = [WΛ^½/√D ; W*ᵀΛ^½] (one dsyrk).
    public static func populationCovariance(W: Matrix, teacher Wstar: Matrix, lambda: [Double],
                                            sigma: Double) -> Matrix {
        let N = W.rows, D = W.columns, K = Wstar.columns
        let m = N + K
        let rootD = Double(D).squareRoot()
        var G = Matrix(rows: m, columns: D)
        // Through pointers (the element-wise subscripts' checks cost ~5 % of a large N's sampling);
        // the same expressions, so the same bits.
        G.elements.withUnsafeMutableBufferPointer { g in
            W.elements.withUnsafeBufferPointer { w in
                Wstar.elements.withUnsafeBufferPointer { ws in
                    for k in 0..<D {
                        let r = lambda[k].squareRoot()
                        for i in 0..<N { g[i + k * m] = w[i + k * N] * r / rootD }
                        for o in 0..<K { g[N + o + k * m] = r * ws[k + o * D] }
                    }
                }
            }
        }
        var C = Matrix.gram(G)
        for o in 0..<K { C[N + o, N + o] += sigma * sigma }
        return C
    }

    /// W, kept or released and drawn again from its stream on the next use (bitwise the same).
    final class FeatureStore: @unchecked Sendable {
        private let lock = NSLock()
        private var kept: Matrix?
        private let experiment: Experiment
        private let key: InstanceKey

        init(_ W: Matrix, experiment: Experiment, key: InstanceKey) {
            kept = W
            self.experiment = experiment
            self.key = key
        }

        var matrix: Matrix {
            lock.lock()
            defer { lock.unlock() }
            if let kept { return kept }
            let W = ProblemInstance.drawFeatures(experiment: experiment, key: key)
            kept = W
            return W
        }

        func release() {
            lock.lock()
            kept = nil
            lock.unlock()
        }
    }

    // MARK: - Samplers

    /// `sampler: joint`. Rows r = z Lᵀ with z ~ N(0, I_{N+K}) and C = L Lᵀ, so the Gram
    /// matrix of the rows is L S Lᵀ with S = ZᵀZ/n; S is accumulated by dsyrk over blocks of
    /// `rowBlockSize` rows of Z drawn in order from `stream` (each block filled column-major).
    /// When dpotrf fails, the symmetric square root Q diag(√max(d, 0)) Qᵀ replaces L.
    static func jointGram(covariance C: consuming Matrix, n: Int, stream: inout RandomStream,
                          rebuildCovariance: (() -> Matrix)? = nil) throws -> (Matrix, Bool) {
        let m = C.rows
        let (factor, symmetricRoot) = try covarianceFactor(consume C, rebuild: rebuildCovariance)

        var S = Matrix(rows: m, columns: m)
        let scale = 1.0 / Double(n)
        S.elements.withUnsafeMutableBufferPointer { ps in
            drawRowBlocks(n: n, columns: m, stream: &stream) { z, rows in
                syrkLower(trans: true, n: m, k: rows, alpha: scale, z, lda: rows, beta: 1, ps.baseAddress!, ldc: m)
            }
        }
        S.symmetrizeFromLower()

        var gram: Matrix
        if symmetricRoot {
            gram = Matrix.product(Matrix.product(factor, S), factor)
        } else {
            gram = consume S  // S's storage becomes the Gram matrix (trmm in place)
            factor.elements.withUnsafeBufferPointer { pl in
                gram.elements.withUnsafeMutableBufferPointer { pg in
                    trmmLower(left: true, transL: false, m: m, n: m, alpha: 1, pl.baseAddress!, ldl: m,
                              pg.baseAddress!, ldb: m)
                    trmmLower(left: false, transL: true, m: m, n: m, alpha: 1, pl.baseAddress!, ldl: m,
                              pg.baseAddress!, ldb: m)
                }
            }
        }
        gram.symmetrizeFromLower()
        return (gram, symmetricRoot)
    }

    /// A factor L of C = L Lᵀ: its Cholesky factor (lower triangular, upper part zero), or,
    /// when dpotrf fails, the symmetric square root Q diag(√max(d, 0)) Qᵀ (flagged true).
    /// With `rebuild` (which recomputes C bit for bit) C's storage becomes the factor when the
    /// caller gives C up, with no (N+K)² copy, and C is rebuilt only if dpotrf fails (it
    /// overwrites both triangles); without, C is copied first.
    static func covarianceFactor(_ C: consuming Matrix, rebuild: (() -> Matrix)? = nil) throws -> (Matrix, Bool) {
        let m = C.rows
        let kept: Matrix? = rebuild == nil ? C : nil
        var factor = consume C
        do {
            try LAPACK.choleskyInPlace(&factor.elements, n: m)
            return (factor, false)
        } catch {
            _ = consume factor
            let C = kept ?? rebuild!()
            let eig = try LAPACK.symmetricEigen(C)
            let q = eig.vectors
            var qs = q
            for j in 0..<m {
                let r = max(eig.values[j], 0).squareRoot()
                for i in 0..<m { qs[i, j] *= r }
            }
            var root = Matrix.product(qs, q, transposeB: true)
            root.symmetrizeFromLower()
            return (root, true)
        }
    }

    /// `sampler: wishart` (SPEC §2). n·S ~ Wishart_m(I, n) for S = ZᵀZ/n, so by Bartlett
    /// n·S = A Aᵀ with A lower triangular, A_jj = √χ²_{n−j} (j = 0…m−1) and A_ij ~ N(0, 1)
    /// for i > j; the Gram matrix is L S Lᵀ = (LA)(LA)ᵀ/n. From `stream`: first the
    /// m(m−1)/2 normals of A's strict lower part, column by column, then the m χ² variates
    /// in order. O(m³) instead of the joint sampler's O(n·m²). Needs n ≥ m.
    ///
    /// Memory: C's storage becomes L, A is drawn into its own m² buffer (the normals packed at
    /// its start, then spread into place) and becomes LA and then the Gram matrix in place: two
    /// m² matrices at once (three when dpotrf fails and the symmetric root is used).
    public static func wishartGram(covariance C: consuming Matrix, n: Int, stream: inout RandomStream,
                                   rebuildCovariance: (() -> Matrix)? = nil) throws -> (Matrix, Bool) {
        let m = C.rows
        guard n >= m else { throw InvalidProblemError("sampler wishart needs n ≥ N + K (n = \(n), N + K = \(m))") }
        let (factor, symmetricRoot) = try covarianceFactor(consume C, rebuild: rebuildCovariance)
        var product = bartlettFactor(m: m, n: n, stream: &stream)
        if symmetricRoot {
            product = Matrix.product(factor, product)
            _ = consume factor
            var gram = Matrix(rows: m, columns: m)
            product.elements.withUnsafeBufferPointer { pp in
                gram.elements.withUnsafeMutableBufferPointer { pg in
                    syrkLower(trans: false, n: m, k: m, alpha: 1 / Double(n), pp.baseAddress!, lda: m, beta: 0, pg.baseAddress!, ldc: m)
                }
            }
            gram.symmetrizeFromLower()
            return (gram, symmetricRoot)
        }
        factor.elements.withUnsafeBufferPointer { pl in
            product.elements.withUnsafeMutableBufferPointer { pa in
                multiplyLowerTriangular(pl.baseAddress!, into: pa.baseAddress!, m: m)
            }
        }
        _ = consume factor
        try LAPACK.lowerTriangularGram(&product, scale: 1 / Double(n))
        return (product, false)
    }

    /// Column blocks of P this wide in `multiplyLowerTriangular`: wide enough for dtrmm's
    /// kernels, narrow enough that the zeros above each block's first row are mostly skipped.
    static let triangularBlock = 128

    /// P ← L·P for L and P both lower triangular (m×m, column-major). Column block J of P is
    /// zero above its first row j₀ and L is zero above its diagonal, so only L[j₀:, j₀:] acts on
    /// P[j₀:, J]: one dtrmm per block, about m³/3 flops instead of a full dtrmm's m³.
    static func multiplyLowerTriangular(_ l: UnsafePointer<Double>, into p: UnsafeMutablePointer<Double>, m: Int) {
        for j0 in stride(from: 0, to: m, by: triangularBlock) {
            let width = min(triangularBlock, m - j0)
            trmmLower(left: true, transL: false, m: m - j0, n: width, alpha: 1,
                      l + j0 + j0 * m, ldl: m, p + j0 + j0 * m, ldb: m)
        }
    }

    /// The Bartlett factor A (m×m, lower triangular) of Wishart_m(I, n): from `stream` the
    /// m(m−1)/2 normals of the strict lower part, column by column, then A_jj = √χ²_{n−j}.
    /// The normals are drawn in one call into the start of A's storage and moved to their
    /// places from the last one back (each moves forward, so none is overwritten unread).
    public static func bartlettFactor(m: Int, n: Int, stream: inout RandomStream) -> Matrix {
        var A = Matrix(rows: m, columns: m)
        let packed = m * (m - 1) / 2
        A.elements.withUnsafeMutableBufferPointer { a in
            stream.fillStandardNormals(UnsafeMutableBufferPointer(rebasing: a[0..<packed]))
            var source = packed
            for j in stride(from: m - 1, through: 0, by: -1) {
                for i in stride(from: m - 1, to: j, by: -1) {
                    source -= 1
                    a[i + j * m] = a[source]
                }
                // Column j's diagonal and upper part lie after every source still unread.
                for i in 0...j { a[i + j * m] = 0 }
            }
        }
        for j in 0..<m { A[j, j] = stream.chiSquared(degreesOfFreedom: n - j).squareRoot() }
        return A
    }

    /// Draws the joint sampler's n×`columns` matrix Z of standard normals from `stream`, one
    /// block of up to `rowBlockSize` rows at a time into one reused buffer (each block filled
    /// column-major), handing each block and its row count to `body`.
    public static func drawRowBlocks(n: Int, columns: Int, stream: inout RandomStream,
                                     _ body: (UnsafeMutablePointer<Double>, Int) -> Void) {
        var block = [Double](repeating: 0, count: rowBlockSize * columns)
        block.withUnsafeMutableBufferPointer { buffer in
            var done = 0
            while done < n {
                let rows = min(rowBlockSize, n - done)
                stream.fillStandardNormals(UnsafeMutableBufferPointer(rebasing: buffer[0..<(rows * columns)]))
                body(buffer.baseAddress!, rows)
                done += rows
            }
        }
    }

    /// `sampler: direct`. For each block of `rowBlockSize` rows: x = Λ^½u with u ~ N(0, I_D)
    /// (the block's u filled column-major from `stream`), then the block's noise ξ; Φ = XWᵀ/√D,
    /// Y = XW* + σξ; the Gram matrix of [Φ Y]/n is accumulated by dsyrk.
    static func directGram(W: Matrix, teacher Wstar: Matrix, lambda: [Double], sigma: Double, n: Int,
                           stream: inout RandomStream) -> Matrix {
        let N = W.rows, D = W.columns, K = Wstar.columns, m = N + K
        let blockRows = rowBlockSize
        let rootLambda = lambda.map { $0.squareRoot() }
        var gram = Matrix(rows: m, columns: m)
        var x = [Double](repeating: 0, count: blockRows * D)
        var rowsPY = [Double](repeating: 0, count: blockRows * m)
        var done = 0
        let scale = 1.0 / Double(n)
        W.elements.withUnsafeBufferPointer { pw in
        Wstar.elements.withUnsafeBufferPointer { pws in
        gram.elements.withUnsafeMutableBufferPointer { pg in
        x.withUnsafeMutableBufferPointer { px in
        rowsPY.withUnsafeMutableBufferPointer { pr in
            while done < n {
                let rows = min(blockRows, n - done)
                stream.fillStandardNormals(UnsafeMutableBufferPointer(rebasing: px[0..<(rows * D)]))
                for k in 0..<D { for i in 0..<rows { px[i + k * rows] *= rootLambda[k] } }
                // Y block: σξ first (columns N..<m of the rows×m block), then += X W*.
                let yBase = pr.baseAddress! + rows * N
                stream.fillStandardNormals(UnsafeMutableBufferPointer(start: yBase, count: rows * K))
                for i in 0..<(rows * K) { yBase[i] *= sigma }
                gemm(m: rows, n: K, k: D, alpha: 1, px.baseAddress!, lda: rows, pws.baseAddress!, ldb: D,
                     beta: 1, yBase, ldc: rows)
                // Φ block = X Wᵀ / √D.
                gemm(transB: true, m: rows, n: N, k: D, alpha: 1 / Double(D).squareRoot(),
                     px.baseAddress!, lda: rows, pw.baseAddress!, ldb: N, beta: 0, pr.baseAddress!, ldc: rows)
                syrkLower(trans: true, n: m, k: rows, alpha: scale, pr.baseAddress!, lda: rows,
                          beta: 1, pg.baseAddress!, ldc: m)
                done += rows
            }
        }}}}}
        gram.symmetrizeFromLower()
        return gram
    }
}
