import CBLAS

// MARK: - Pointer-level wrappers (column-major; internal)

@inline(__always) func blasTrans(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }

/// C ← α op(A) op(B) + β C, with op(A) m×k, op(B) k×n, C m×n.
@inline(__always)
func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Double,
          _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
          beta: Double, _ c: UnsafeMutablePointer<Double>, ldc: Int) {
    guard m > 0, n > 0 else { return }
    cblas_dgemm(CblasColMajor, blasTrans(transA), blasTrans(transB), Int32(m), Int32(n), Int32(k),
                alpha, a, Int32(max(1, lda)), b, Int32(max(1, ldb)), beta, c, Int32(max(1, ldc)))
}

/// Lower triangle of C ← α op(A) op(A)ᵀ + β C, C n×n; op(A) = A (n×k) or Aᵀ (A k×n).
@inline(__always)
func syrkLower(trans: Bool, n: Int, k: Int, alpha: Double, _ a: UnsafePointer<Double>, lda: Int,
               beta: Double, _ c: UnsafeMutablePointer<Double>, ldc: Int) {
    guard n > 0 else { return }
    cblas_dsyrk(CblasColMajor, CblasLower, blasTrans(trans), Int32(n), Int32(k), alpha, a,
                Int32(max(1, lda)), beta, c, Int32(max(1, ldc)))
}

/// B ← α op(L) B (left) or α B op(L) (right), L lower triangular (non-unit), B m×n.
@inline(__always)
func trmmLower(left: Bool, transL: Bool, m: Int, n: Int, alpha: Double,
               _ l: UnsafePointer<Double>, ldl: Int, _ b: UnsafeMutablePointer<Double>, ldb: Int) {
    guard m > 0, n > 0 else { return }
    cblas_dtrmm(CblasColMajor, left ? CblasLeft : CblasRight, CblasLower, blasTrans(transL),
                CblasNonUnit, Int32(m), Int32(n), alpha, l, Int32(max(1, ldl)), b, Int32(max(1, ldb)))
}

// MARK: - Matrix-level products (public)

extension Matrix {
    /// α op(A) op(B) (dgemm).
    ///
    /// ```swift
    /// let g = Matrix.product(phi, phi, transposeA: true, alpha: 1 / Double(n))  // ΦᵀΦ/n
    /// ```
    public static func product(_ a: Matrix, _ b: Matrix, transposeA: Bool = false,
                               transposeB: Bool = false, alpha: Double = 1) -> Matrix {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        precondition(k == kb, "inner dimensions differ: \(k) vs \(kb)")
        var c = Matrix(rows: m, columns: n)
        if k == 0 { return c }
        a.elements.withUnsafeBufferPointer { pa in
            b.elements.withUnsafeBufferPointer { pb in
                c.elements.withUnsafeMutableBufferPointer { pc in
                    gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: alpha,
                         pa.baseAddress!, lda: a.rows, pb.baseAddress!, ldb: b.rows,
                         beta: 0, pc.baseAddress!, ldc: m)
                }
            }
        }
        return c
    }

    /// A Aᵀ (dsyrk, both triangles filled), scaled by α.
    public static func gram(_ a: Matrix, transpose: Bool = false, alpha: Double = 1) -> Matrix {
        let n = transpose ? a.columns : a.rows
        let k = transpose ? a.rows : a.columns
        var c = Matrix(rows: n, columns: n)
        if k > 0 {
            a.elements.withUnsafeBufferPointer { pa in
                c.elements.withUnsafeMutableBufferPointer { pc in
                    syrkLower(trans: transpose, n: n, k: k, alpha: alpha, pa.baseAddress!, lda: a.rows,
                              beta: 0, pc.baseAddress!, ldc: n)
                }
            }
        }
        c.symmetrizeFromLower()
        return c
    }
}
