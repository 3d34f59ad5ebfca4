import CBLAS
import Foundation

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
