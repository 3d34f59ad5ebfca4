import CBLAS
import Foundation

/// Thin wrappers over the LAPACK routines the experiment uses. Each throws a
/// `LinearAlgebraError` naming the routine and its `info` on failure; none crashes.
public enum LAPACK {
    @inline(__always) static func ch(_ c: Character) -> CChar { CChar(bitPattern: c.asciiValue!) }
    static let colMajor = Int32(LAPACK_COL_MAJOR)

    /// An eigendecomposition A = V diag(values) Vᵀ, values ascending.
    public struct SymmetricEigen: Sendable, Equatable {
        public var values: [Double]
        /// Orthonormal eigenvectors as columns, in the order of `values`.
        public var vectors: Matrix
    }

    /// The symmetric eigensolvers of LAPACK.
    public enum EigenAlgorithm: String, Sendable {
        /// dsyevd (divide and conquer).
        case divideAndConquer = "dsyevd"
        /// dsyevr (relatively robust representations, MRRR).
        case relativelyRobust = "dsyevr"
    }

    /// The eigendecomposition of the symmetric matrix `a` (its lower triangle is read).
    public static func symmetricEigen(_ a: Matrix, algorithm: EigenAlgorithm = .divideAndConquer)
        throws -> SymmetricEigen {
        precondition(a.rows == a.columns, "not square")
        let n = a.rows
        guard n > 0 else { return SymmetricEigen(values: [], vectors: a) }
        guard a.isFinite else {
            throw LinearAlgebraError(routine: algorithm.rawValue, info: 0, detail: "non-finite input")
        }
        var w = [Double](repeating: 0, count: n)
        switch algorithm {
        case .divideAndConquer:
            var v = a
            let info = v.elements.withUnsafeMutableBufferPointer { pa in
                w.withUnsafeMutableBufferPointer { pw in
                    LAPACKE_dsyevd(colMajor, ch("V"), ch("L"), Int32(n), pa.baseAddress, Int32(n), pw.baseAddress)
                }
            }
            guard info == 0 else {
                throw LinearAlgebraError(routine: "dsyevd", info: Int(info), detail: "eigendecomposition did not converge")
            }
            return SymmetricEigen(values: w, vectors: v)
        case .relativelyRobust:
            var work = a
            var z = Matrix(rows: n, columns: n)
            var found: Int32 = 0
            var support = [Int32](repeating: 0, count: 2 * n)
            let info = work.elements.withUnsafeMutableBufferPointer { pa in
                w.withUnsafeMutableBufferPointer { pw in
                    z.elements.withUnsafeMutableBufferPointer { pz in
                        support.withUnsafeMutableBufferPointer { ps in
                            LAPACKE_dsyevr(colMajor, ch("V"), ch("A"), ch("L"), Int32(n), pa.baseAddress, Int32(n),
                                           0, 0, 0, 0, 0, &found, pw.baseAddress, pz.baseAddress, Int32(n),
                                           ps.baseAddress)
                        }
                    }
                }
            }
            guard info == 0, found == n else {
                throw LinearAlgebraError(routine: "dsyevr", info: Int(info), detail: "eigendecomposition failed")
            }
            return SymmetricEigen(values: w, vectors: z)
        }
    }

    /// A symmetric eigendecomposition A = V diag(values) Vᵀ kept in factored form, V = Q Z:
    /// Q the orthogonal factor of the tridiagonal reduction A = Q T Qᵀ (dsytrd; its Householder
    /// reflectors), Z the eigenvectors of T (dstedc, divide and conquer).
    ///
    /// These are the steps of dsyevd, whose eigenvalues this reproduces bit for bit, except the
    /// last: dsyevd forms V = Q Z explicitly (dormtr on N×N, 2N³ flops). Kept factored, V and
    /// Vᵀ are applied to an N×c block for about 4N²c flops (a product with Z, a dormtr with Q),
    /// which is cheaper whenever the columns that need rotating number fewer than N/2.
    public struct FactoredSymmetricEigen: Sendable {
        public let values: [Double]
        /// The output of dsytrd (lower): reflector vectors below the subdiagonal.
        let reflectors: Matrix
        let tau: [Double]
        /// Eigenvectors of the tridiagonal T (N×N).
        let tridiagonalVectors: Matrix

        public var n: Int { values.count }

        /// V X (X is N×c).
        public func applyV(_ x: Matrix) -> Matrix {
            precondition(x.rows == n, "dimension mismatch")
            var y = Matrix.product(tridiagonalVectors, x)
            applyQ(&y, transpose: false)
            return y
        }

        /// Vᵀ X (X is N×c).
        public func applyVT(_ x: Matrix) -> Matrix {
            precondition(x.rows == n, "dimension mismatch")
            var y = x
            applyQ(&y, transpose: true)
            return Matrix.product(tridiagonalVectors, y, transposeA: true)
        }

        /// V as an explicit matrix (N² memory, 2N³ flops: for tests and diagnostics).
        public var vectors: Matrix { applyV(Matrix.identity(n)) }

        func applyQ(_ c: inout Matrix, transpose: Bool) {
            guard n > 1, c.columns > 0 else { return }
            let info = reflectors.elements.withUnsafeBufferPointer { pa in
                tau.withUnsafeBufferPointer { pt in
                    c.elements.withUnsafeMutableBufferPointer { pc in
                        LAPACKE_dormtr(colMajor, ch("L"), ch("L"), ch(transpose ? "T" : "N"), Int32(n), Int32(c.columns),
                                       pa.baseAddress, Int32(n), pt.baseAddress, pc.baseAddress, Int32(n))
                    }
                }
            }
            // dormtr fails only on illegal arguments, which the preconditions exclude.
            precondition(info == 0, "dormtr failed (info = \(info))")
        }
    }

    /// The eigendecomposition of the symmetric `a` (lower triangle read) in factored form:
    /// dsytrd, then dstedc on the tridiagonal. Eigenvalues ascending, bitwise those of dsyevd.
    public static func factoredSymmetricEigen(_ a: Matrix) throws -> FactoredSymmetricEigen {
        precondition(a.rows == a.columns, "not square")
        let n = a.rows
        guard n > 0 else {
            return FactoredSymmetricEigen(values: [], reflectors: a, tau: [], tridiagonalVectors: a)
        }
        guard a.isFinite else { throw LinearAlgebraError(routine: "dsytrd", info: 0, detail: "non-finite input") }
        var reflectors = a
        var d = [Double](repeating: 0, count: n)
        var e = [Double](repeating: 0, count: max(1, n - 1))
        var tau = [Double](repeating: 0, count: max(1, n - 1))
        var info = reflectors.elements.withUnsafeMutableBufferPointer { pa in
            d.withUnsafeMutableBufferPointer { pd in
                e.withUnsafeMutableBufferPointer { pe in
                    tau.withUnsafeMutableBufferPointer { pt in
                        LAPACKE_dsytrd(colMajor, ch("L"), Int32(n), pa.baseAddress, Int32(n), pd.baseAddress,
                                       pe.baseAddress, pt.baseAddress)
                    }
                }
            }
        }
        guard info == 0 else { throw LinearAlgebraError(routine: "dsytrd", info: Int(info), detail: "tridiagonal reduction failed") }
        var z = Matrix(rows: n, columns: n)
        info = d.withUnsafeMutableBufferPointer { pd in
            e.withUnsafeMutableBufferPointer { pe in
                z.elements.withUnsafeMutableBufferPointer { pz in
                    LAPACKE_dstedc(colMajor, ch("I"), Int32(n), pd.baseAddress, pe.baseAddress, pz.baseAddress, Int32(n))
                }
            }
        }
        guard info == 0 else {
            throw LinearAlgebraError(routine: "dstedc", info: Int(info), detail: "eigendecomposition did not converge")
        }
        return FactoredSymmetricEigen(values: d, reflectors: reflectors, tau: tau, tridiagonalVectors: z)
    }

    /// The lower Cholesky factor L of the symmetric positive definite `a` = L Lᵀ (dpotrf); the
    /// strict upper triangle of the result is zero.
    public static func cholesky(_ a: Matrix) throws -> Matrix {
        precondition(a.rows == a.columns, "not square")
        var l = a
        try choleskyInPlace(&l.elements, n: a.rows)
        return l
    }

    /// dpotrf on column-major storage (lower), zeroing the strict upper triangle.
    static func choleskyInPlace(_ a: inout [Double], n: Int) throws {
        guard n > 0 else { return }
        let info = a.withUnsafeMutableBufferPointer { pa in
            LAPACKE_dpotrf(colMajor, ch("L"), Int32(n), pa.baseAddress, Int32(n))
        }
        guard info == 0 else {
            throw LinearAlgebraError(routine: "dpotrf", info: Int(info),
                                     detail: info > 0 ? "matrix not positive definite" : "illegal argument")
        }
        for j in 1..<max(1, n) { for i in 0..<j { a[i + j * n] = 0 } }
    }

    /// X solving (L Lᵀ) X = B for the lower Cholesky factor `factor` (dpotrs).
    public static func choleskySolve(factor: Matrix, _ b: Matrix) throws -> Matrix {
        precondition(factor.rows == factor.columns && factor.rows == b.rows, "dimension mismatch")
        var x = b
        guard b.rows > 0, b.columns > 0 else { return x }
        let info = factor.elements.withUnsafeBufferPointer { pl in
            x.elements.withUnsafeMutableBufferPointer { px in
                LAPACKE_dpotrs(colMajor, ch("L"), Int32(b.rows), Int32(b.columns), pl.baseAddress,
                               Int32(b.rows), px.baseAddress, Int32(b.rows))
            }
        }
        guard info == 0 else { throw LinearAlgebraError(routine: "dpotrs", info: Int(info), detail: "solve failed") }
        return x
    }

    /// X solving A X = B for symmetric positive definite A (dpotrf + dpotrs).
    public static func solvePositiveDefinite(_ a: Matrix, _ b: Matrix) throws -> Matrix {
        try choleskySolve(factor: cholesky(a), b)
    }

    /// A thin SVD A = U diag(s) Vᵀ, U m×r, s descending, Vᵀ r×n, r = min(m, n).
    public struct ThinSVD: Sendable, Equatable {
        public var u: Matrix
        public var singularValues: [Double]
        public var vt: Matrix
    }

    /// The thin SVD of `a` (dgesdd; dgesvd if dgesdd does not converge).
    public static func thinSVD(_ a: Matrix) throws -> ThinSVD {
        let m = a.rows, n = a.columns, r = min(m, n)
        guard r > 0 else {
            return ThinSVD(u: Matrix(rows: m, columns: 0), singularValues: [], vt: Matrix(rows: 0, columns: n))
        }
        guard a.isFinite else { throw LinearAlgebraError(routine: "dgesdd", info: 0, detail: "non-finite input") }
        var u = Matrix(rows: m, columns: r)
        var vt = Matrix(rows: r, columns: n)
        var s = [Double](repeating: 0, count: r)
        var work = a
        var info = work.elements.withUnsafeMutableBufferPointer { pa in
            s.withUnsafeMutableBufferPointer { ps in
                u.elements.withUnsafeMutableBufferPointer { pu in
                    vt.elements.withUnsafeMutableBufferPointer { pv in
                        LAPACKE_dgesdd(colMajor, ch("S"), Int32(m), Int32(n), pa.baseAddress, Int32(m),
                                       ps.baseAddress, pu.baseAddress, Int32(m), pv.baseAddress, Int32(r))
                    }
                }
            }
        }
        if info > 0 {
            work = a
            var superb = [Double](repeating: 0, count: max(1, r - 1))
            info = work.elements.withUnsafeMutableBufferPointer { pa in
                s.withUnsafeMutableBufferPointer { ps in
                    u.elements.withUnsafeMutableBufferPointer { pu in
                        vt.elements.withUnsafeMutableBufferPointer { pv in
                            superb.withUnsafeMutableBufferPointer { pb in
                                LAPACKE_dgesvd(colMajor, ch("S"), ch("S"), Int32(m), Int32(n), pa.baseAddress,
                                               Int32(m), ps.baseAddress, pu.baseAddress, Int32(m),
                                               pv.baseAddress, Int32(r), pb.baseAddress)
                            }
                        }
                    }
                }
            }
            guard info == 0 else { throw LinearAlgebraError(routine: "dgesvd", info: Int(info), detail: "SVD did not converge") }
        } else if info < 0 {
            throw LinearAlgebraError(routine: "dgesdd", info: Int(info), detail: "illegal argument")
        }
        return ThinSVD(u: u, singularValues: s, vt: vt)
    }

    /// The matrix sign (orthogonal polar factor) msign(A) = U Vᵀ of the thin SVD of A.
    ///
    /// Singular values at or below max(m, n)·2⁻⁵²·σ_max count as zero and their
    /// singular vectors are dropped: there U Vᵀ is not defined by A (any completion would
    /// do), and dropping them keeps msign equivariant under rotations. msign(0) = 0.
    public static func matrixSign(_ a: Matrix) throws -> Matrix {
        var result = Matrix(rows: a.rows, columns: a.columns)
        guard a.rows > 0, a.columns > 0 else { return result }
        let workspace = MatrixSignWorkspace(rows: a.rows, columns: a.columns)
        try a.elements.withUnsafeBufferPointer { pa in
            try result.elements.withUnsafeMutableBufferPointer { pr in
                try workspace.sign(pa.baseAddress!, into: pr.baseAddress!)
            }
        }
        return result
    }
}

/// msign for one shape, with its buffers allocated once and reused: MatSign takes T·|grid|
/// matrix signs of the same N×K shape per instance, each so small that LAPACK's overheads
/// (workspace queries, allocation, NaN scans) cost as much as the arithmetic. For tall A
/// (m ≥ n), in order:
///
/// 1. Gram (n ≤ 32 and σ_min ≥ 10⁻²·σ_max): msign(A) = A (AᵀA)^(−1/2), the inverse root from a
///    cyclic Jacobi eigendecomposition of the n×n AᵀA, then one Newton–Schulz step
///    X ← X(3I − XᵀX)/2 to orthonormality. Error against the exact polar factor O(ε·κ²) ≤ 10⁴ε;
///    every singular value is far above msign's cutoff.
/// 2. QR: A = QR (dgeqrf), R = U_R Σ V_Rᵀ (dgesdd on n×n), msign(A) = Q [U_R V_Rᵀ; 0] (dormqr):
///    what dgesdd itself does for tall A, without forming Q or U. Backward stable.
/// 3. Otherwise (wide A, or the small SVD fails): the thin SVD of A (`LAPACK.thinSVD`).
///
/// In 2 and 3 singular values at or below max(m, n)·ε·σ_max count as zero (see
/// `LAPACK.matrixSign`).
public final class MatrixSignWorkspace {
    public let rows: Int
    public let columns: Int
    let rank: Int
    var a: [Double]
    var s: [Double]
    var u: [Double]
    var vt: [Double]
    var work: [Double]
    var iwork: [Int32]
    /// n×n buffers of the Gram path.
    var gram: [Double]
    var vectors: [Double]
    var root: [Double]
    var product: [Double]
    /// Buffers of the QR path: τ, R's SVD, and LAPACK workspace.
    var tau: [Double]
    var rSquare: [Double]
    var rU: [Double]
    var rVT: [Double]
    var rS: [Double]
    var qrWork: [Double]
    var rWork: [Double]

    /// Largest n for the Gram path, and its condition bound: λ_min(AᵀA) ≥ 10⁻⁴·λ_max.
    public static let gramMaxColumns = 32
    public static let gramMinEigenvalueRatio = 1e-4

    public init(rows m: Int, columns n: Int) {
        precondition(m > 0 && n > 0, "empty matrix")
        rows = m
        columns = n
        rank = min(m, n)
        a = [Double](repeating: 0, count: m * n)
        s = [Double](repeating: 0, count: rank)
        u = [Double](repeating: 0, count: m * rank)
        vt = [Double](repeating: 0, count: rank * n)
        iwork = [Int32](repeating: 0, count: 8 * rank)
        gram = [Double](repeating: 0, count: n * n)
        vectors = [Double](repeating: 0, count: n * n)
        root = [Double](repeating: 0, count: n * n)
        product = [Double](repeating: 0, count: m * n)
        tau = [Double](repeating: 0, count: n)
        rSquare = [Double](repeating: 0, count: n * n)
        rU = [Double](repeating: 0, count: n * n)
        rVT = [Double](repeating: 0, count: n * n)
        rS = [Double](repeating: 0, count: n)
        var q1 = 0.0, q2 = 0.0, q3 = 0.0
        if m >= n {
            _ = LAPACKE_dgeqrf_work(LAPACK.colMajor, Int32(m), Int32(n), &a, Int32(m), &tau, &q1, -1)
            _ = LAPACKE_dormqr_work(LAPACK.colMajor, LAPACK.ch("L"), LAPACK.ch("N"), Int32(m), Int32(n), Int32(n), &a,
                                    Int32(m), &tau, &product, Int32(m), &q2, -1)
            _ = LAPACKE_dgesdd_work(LAPACK.colMajor, LAPACK.ch("S"), Int32(n), Int32(n), &rSquare, Int32(n), &rS, &rU,
                                    Int32(n), &rVT, Int32(n), &q3, -1, &iwork)
        }
        qrWork = [Double](repeating: 0, count: max(1, Int(max(q1, q2))))
        rWork = [Double](repeating: 0, count: max(1, Int(q3)))
        var query = 0.0
        _ = LAPACKE_dgesdd_work(LAPACK.colMajor, LAPACK.ch("S"), Int32(m), Int32(n), &a, Int32(m), &s, &u, Int32(m),
                                &vt, Int32(rank), &query, -1, &iwork)
        work = [Double](repeating: 0, count: max(1, Int(query)))
    }

    /// out ← msign(A) for A (rows×columns, column-major) at `input`; `out` may not alias it.
    public func sign(_ input: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) throws {
        let m = rows, n = columns, r = rank, count = m * n
        var finite = true
        for i in 0..<count where !input[i].isFinite { finite = false; break }
        guard finite else { throw LinearAlgebraError(routine: "dgesdd", info: 0, detail: "non-finite input") }
        if m >= n {
            if n <= Self.gramMaxColumns && signFromGram(input, into: out) { return }
            if try signFromQR(input, into: out) { return }
        }
        a.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: input, count: count) }
        let lwork = Int32(work.count)
        var info = LAPACKE_dgesdd_work(LAPACK.colMajor, LAPACK.ch("S"), Int32(m), Int32(n), &a, Int32(m), &s, &u,
                                       Int32(m), &vt, Int32(r), &work, lwork, &iwork)
        if info > 0 {
            // As LAPACKE_dgesdd's caller did: dgesvd on a fresh copy.
            a.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: input, count: count) }
            let matrix = Matrix(rows: m, columns: n, elements: Array(UnsafeBufferPointer(start: input, count: count)))
            let svd = try LAPACK.thinSVD(matrix)
            s = svd.singularValues
            u = svd.u.elements
            vt = svd.vt.elements
            info = 0
        } else if info < 0 {
            throw LinearAlgebraError(routine: "dgesdd", info: Int(info), detail: "illegal argument")
        }
        out.update(repeating: 0, count: count)
        guard let top = s.first, top > 0 else { return }
        let cutoff = Double(max(m, n)) * Double.ulpOfOne * top
        let kept = s.prefix { $0 > cutoff }.count
        guard kept > 0 else { return }
        u.withUnsafeBufferPointer { pu in
            vt.withUnsafeBufferPointer { pv in
                gemm(m: m, n: n, k: kept, alpha: 1, pu.baseAddress!, lda: m, pv.baseAddress!, ldb: r,
                     beta: 0, out, ldc: m)
            }
        }
    }

    /// The QR path: A = QR (dgeqrf), R = U_R Σ V_Rᵀ (dgesdd on n×n), msign(A) = Q [U_R V_Rᵀ; 0]
    /// (dormqr), singular values at or below max(m, n)·ε·σ_max dropped. False if the small SVD
    /// does not converge.
    func signFromQR(_ input: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) throws -> Bool {
        let m = rows, n = columns
        a.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: input, count: m * n) }
        var info = LAPACKE_dgeqrf_work(LAPACK.colMajor, Int32(m), Int32(n), &a, Int32(m), &tau, &qrWork, Int32(qrWork.count))
        guard info == 0 else { throw LinearAlgebraError(routine: "dgeqrf", info: Int(info), detail: "QR failed") }
        for j in 0..<n { for i in 0..<n { rSquare[i + j * n] = i <= j ? a[i + j * m] : 0 } }
        info = LAPACKE_dgesdd_work(LAPACK.colMajor, LAPACK.ch("S"), Int32(n), Int32(n), &rSquare, Int32(n), &rS, &rU,
                                   Int32(n), &rVT, Int32(n), &rWork, Int32(rWork.count), &iwork)
        guard info == 0 else { return false }
        out.update(repeating: 0, count: m * n)
        guard let top = rS.first, top > 0 else { return true }
        let cutoff = Double(max(m, n)) * Double.ulpOfOne * top
        let kept = rS.prefix { $0 > cutoff }.count
        guard kept > 0 else { return true }
        rU.withUnsafeBufferPointer { pu in
            rVT.withUnsafeBufferPointer { pv in
                gemm(m: n, n: n, k: kept, alpha: 1, pu.baseAddress!, lda: n, pv.baseAddress!, ldb: n, beta: 0, out, ldc: m)
            }
        }
        info = LAPACKE_dormqr_work(LAPACK.colMajor, LAPACK.ch("L"), LAPACK.ch("N"), Int32(m), Int32(n), Int32(n), &a,
                                   Int32(m), &tau, out, Int32(m), &qrWork, Int32(qrWork.count))
        guard info == 0 else { throw LinearAlgebraError(routine: "dormqr", info: Int(info), detail: "illegal argument") }
        return true
    }

    /// The Gram path; false (nothing written) when A is too ill-conditioned for it.
    func signFromGram(_ a: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) -> Bool {
        let m = rows, n = columns
        return gram.withUnsafeMutableBufferPointer { pg in
            vectors.withUnsafeMutableBufferPointer { pv in
                root.withUnsafeMutableBufferPointer { pr in
                    product.withUnsafeMutableBufferPointer { px in
                        let g = pg.baseAddress!, v = pv.baseAddress!, r = pr.baseAddress!, x = px.baseAddress!
                        syrkLower(trans: true, n: n, k: m, alpha: 1, a, lda: m, beta: 0, g, ldc: n)
                        for j in 0..<n { for i in (j + 1)..<n { g[j + i * n] = g[i + j * n] } }
                        Self.jacobiEigen(g, n: n, vectors: v)
                        var top = 0.0, bottom = Double.infinity
                        for i in 0..<n { top = max(top, g[i + i * n]); bottom = min(bottom, g[i + i * n]) }
                        guard top.isNormal, bottom >= Self.gramMinEigenvalueRatio * top else { return false }
                        // R = V diag(λ^(−1/2)) Vᵀ; X = A R.
                        for j in 0..<n {
                            for i in 0..<n {
                                var s = 0.0
                                for k in 0..<n { s += v[i + k * n] * v[j + k * n] / g[k + k * n].squareRoot() }
                                r[i + j * n] = s
                            }
                        }
                        gemm(m: m, n: n, k: n, alpha: 1, a, lda: m, r, ldb: n, beta: 0, x, ldc: m)
                        // Newton–Schulz: out = X (3I − XᵀX)/2.
                        syrkLower(trans: true, n: n, k: m, alpha: -0.5, x, lda: m, beta: 0, g, ldc: n)
                        for j in 0..<n {
                            g[j + j * n] += 1.5
                            for i in (j + 1)..<n { g[j + i * n] = g[i + j * n] }
                        }
                        gemm(m: m, n: n, k: n, alpha: 1, x, lda: m, g, ldb: n, beta: 0, out, ldc: m)
                        return true
                    }
                }
            }
        }
    }

    /// Cyclic Jacobi eigendecomposition of the symmetric n×n `a` (both triangles, column-major):
    /// on return its diagonal holds the eigenvalues and `v` the eigenvectors (columns).
    /// Deterministic: a fixed sweep order, until the off-diagonal part is negligible.
    static func jacobiEigen(_ a: UnsafeMutablePointer<Double>, n: Int, vectors v: UnsafeMutablePointer<Double>) {
        v.update(repeating: 0, count: n * n)
        for i in 0..<n { v[i + i * n] = 1 }
        for _ in 0..<60 {
            var off = 0.0, diag = 0.0
            for j in 0..<n {
                diag += a[j + j * n] * a[j + j * n]
                for i in (j + 1)..<n { off += a[i + j * n] * a[i + j * n] }
            }
            if off == 0 || !(off <= diag) && !off.isFinite { return }
            for p in 0..<(n - 1) {
                for q in (p + 1)..<n {
                    let apq = a[p + q * n]
                    let app = a[p + p * n], aqq = a[q + q * n]
                    // Negligible against the diagonal: zero it (so the sweep loop terminates).
                    if abs(apq) <= 1e-18 * (abs(app * aqq)).squareRoot() {
                        a[p + q * n] = 0
                        a[q + p * n] = 0
                        continue
                    }
                    let theta = (aqq - app) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k + p * n], akq = a[k + q * n]
                        a[k + p * n] = c * akp - s * akq
                        a[k + q * n] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p + k * n], aqk = a[q + k * n]
                        a[p + k * n] = c * apk - s * aqk
                        a[q + k * n] = s * apk + c * aqk
                    }
                    a[p + q * n] = 0
                    a[q + p * n] = 0
                    for k in 0..<n {
                        let vkp = v[k + p * n], vkq = v[k + q * n]
                        v[k + p * n] = c * vkp - s * vkq
                        v[k + q * n] = s * vkp + c * vkq
                    }
                }
            }
        }
    }
}
