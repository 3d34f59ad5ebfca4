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

    /// P ← scale · P Pᵀ (symmetric, both triangles) for P lower triangular, in place, by LAPACK's
    /// dlauum (m³/3 flops; dsyrk would spend m³ on P's zeros). dlauum forms U Uᵀ for an upper
    /// triangular U, and reversing a column-major array reverses both indices: U = J P J is the
    /// reversed storage of P, and P Pᵀ = J (U Uᵀ) J is the reversal of the result.
    public static func lowerTriangularGram(_ P: inout Matrix, scale: Double) throws {
        let m = P.rows
        precondition(P.columns == m, "not square")
        guard m > 0 else { return }
        var info: Int32 = 0
        P.elements.withUnsafeMutableBufferPointer { a in
            a.reverse()
            info = LAPACKE_dlauum_work(colMajor, ch("U"), Int32(m), a.baseAddress, Int32(m))
            a.reverse()
            for j in 0..<m { for i in j..<m { a[i + j * m] *= scale } }
        }
        guard info == 0 else { throw LinearAlgebraError(routine: "dlauum", info: Int(info), detail: "the Bartlett product (LA)(LA)ᵀ failed") }
        P.symmetrizeFromLower()
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
