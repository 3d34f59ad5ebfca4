import CBLAS

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
        let svd = try thinSVD(a)
        let r = svd.singularValues.count
        var result = Matrix(rows: a.rows, columns: a.columns)
        guard r > 0, let top = svd.singularValues.first, top > 0 else { return result }
        let cutoff = Double(max(a.rows, a.columns)) * Double.ulpOfOne * top
        let rank = svd.singularValues.prefix { $0 > cutoff }.count
        guard rank > 0 else { return result }
        svd.u.elements.withUnsafeBufferPointer { pu in
            svd.vt.elements.withUnsafeBufferPointer { pv in
                result.elements.withUnsafeMutableBufferPointer { pc in
                    gemm(m: a.rows, n: a.columns, k: rank, alpha: 1, pu.baseAddress!, lda: a.rows,
                         pv.baseAddress!, ldb: r, beta: 0, pc.baseAddress!, ldc: a.rows)
                }
            }
        }
        return result
    }
}
