import CBLAS
import Numerics
import TestSupport
import Vocabulary
import XCTest

/// Bitwise reproducibility across rank counts needs more than a fixed thread count: a rank's
/// heap history decides where its matrices land, and BLAS kernels that peel leading elements
/// up to an alignment boundary regroup their sums (OpenBLAS issues #317, #5972). malloc
/// guarantees 16-byte alignment, and every operand alphasweep passes is an array's start or a
/// fixed offset from it, so what must hold is: the same bits for any two placements that agree
/// modulo 16 bytes. These tests run each BLAS/LAPACK routine of the hot paths, on the shapes
/// alphasweep uses, with its operands at every 8-byte offset within a 64-byte line.
///
/// What they found (OpenBLAS 0.3.21): Haswell kernels give the same bits at all eight offsets;
/// Zen, Nehalem, Barcelona and Sandybridge give different bits at odd multiples of 8 bytes
/// (dasum everywhere; dpotrf and dsytrd on Sandybridge and Barcelona) but never between
/// offsets congruent modulo 16, whether all operands move together or each on its own — the
/// property reproducibility rests on.
final class AlignmentIndependenceTests: NumericsTestCase {
    /// A 64-byte-aligned buffer holding `values` at `offset` doubles from its start.
    final class Placed {
        let base: UnsafeMutableRawPointer
        let pointer: UnsafeMutablePointer<Double>
        let count: Int
        init(_ values: [Double], offset: Int) {
            count = values.count
            base = UnsafeMutableRawPointer.allocate(byteCount: (values.count + 8) * 8, alignment: 64)
            pointer = (base + offset * 8).bindMemory(to: Double.self, capacity: values.count)
            pointer.initialize(from: values, count: values.count)
        }
        var values: [Double] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
        deinit { base.deallocate() }
    }

    /// Hands each operand of a run its offset (in doubles) from `offsets`, in turn.
    final class Placement {
        let offsets: [Int]
        var next = 0
        init(_ offsets: [Int]) { self.offsets = offsets }
        func callAsFunction(_ values: [Double]) -> Placed {
            defer { next += 1 }
            return Placed(values, offset: offsets[next % offsets.count])
        }
    }

    func randomValues(_ count: Int, seed: UInt32) -> [Double] {
        var stream = RandomStream(masterSeed: UInt64(seed), s: 1, N: count, replicate: 0, stream: .data)
        return stream.standardNormals(count: count)
    }

    /// A symmetric positive definite n×n matrix with a spread-out spectrum, like F.
    func spdValues(_ n: Int, seed: UInt32) -> [Double] {
        let g = randomValues(n * 2 * n, seed: seed)
        var a = [Double](repeating: 0, count: n * n)
        cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, Int32(n), Int32(2 * n), 1.0 / Double(2 * n), g, Int32(n), 0, &a, Int32(n))
        for j in 0..<n { for i in 0..<j { a[i + j * n] = a[j + i * n] } }
        return a
    }

    /// Runs `body` with its operands placed at 16-byte-aligned offsets within a 64-byte line
    /// (each operand alike, and each at its own), then all at 8 bytes past them, and asserts
    /// bit-for-bit agreement within each of the two classes modulo 16 bytes.
    func assertAlignmentIndependent(_ name: String, _ body: (Placement) throws -> [Double]) rethrows {
        for parity in 0..<2 {
            let reference = try body(Placement([parity])).map(\.bitPattern)
            let patterns = [[2], [4], [6], [0, 2, 4, 6], [6, 4, 2, 0], [2, 0, 6, 4], [4, 6, 0, 2]]
            for pattern in patterns.map({ $0.map { $0 + parity } }) {
                let result = try body(Placement(pattern)).map(\.bitPattern)
                XCTAssertEqual(result.count, reference.count, name)
                let differing = zip(result, reference).filter { $0 != $1 }.count
                XCTAssertEqual(differing, 0, "\(name): \(differing) of \(reference.count) values differ with operands at "
                               + "\(pattern.map { $0 * 8 }) bytes against all at \(parity * 8)")
            }
        }
    }

    func testLevel3RoutinesOnTheSweepsShapes() {
        let n = 200, k = 8, groups = 5, rows = 256
        let f = spdValues(n, seed: 1), theta = randomValues(n * k * groups, seed: 2)
        let z = randomValues(rows * (n + k), seed: 3), b = randomValues(n * k, seed: 4)
        // Adam's step: G = FΘ − B over every learning rate at once.
        assertAlignmentIndependent("dgemm F·Θ") { place in
            let pf = place(f), pt = place(theta)
            let pg = place((0..<groups).flatMap { _ in b })
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(k * groups), Int32(n), 1,
                        pf.pointer, Int32(n), pt.pointer, Int32(n), -1, pg.pointer, Int32(n))
            return pg.values
        }
        // The test loss: Wᵀ Θ, a D×N by N×(K·G) product.
        assertAlignmentIndependent("dgemm Wᵀ·Θ") { place in
            let w = place(randomValues(n * 300, seed: 5)), pt = place(theta)
            let out = place([Double](repeating: 0, count: 300 * k * groups))
            cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, 300, Int32(k * groups), Int32(n), 1,
                        w.pointer, Int32(n), pt.pointer, Int32(n), 0, out.pointer, 300)
            return out.values
        }
        // The joint sampler: S += ZᵀZ/n over a block of rows, then L S Lᵀ by two dtrmm.
        assertAlignmentIndependent("dsyrk + dtrmm") { place in
            let m = n + k
            let pz = place(z), ps = place([Double](repeating: 0, count: m * m))
            for _ in 0..<2 {
                cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, Int32(m), Int32(rows), 1.0 / 512, pz.pointer, Int32(rows),
                            1, ps.pointer, Int32(m))
            }
            let pl = place(spdValues(m, seed: 6))
            cblas_dtrmm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, Int32(m), Int32(m), 1,
                        pl.pointer, Int32(m), ps.pointer, Int32(m))
            cblas_dtrmm(CblasColMajor, CblasRight, CblasLower, CblasTrans, CblasNonUnit, Int32(m), Int32(m), 1,
                        pl.pointer, Int32(m), ps.pointer, Int32(m))
            return ps.values
        }
        // Σ = GGᵀ (G (N+K)×D), then the wishart sampler: LA by dtrmm, (LA)(LA)ᵀ/n by dsyrk.
        assertAlignmentIndependent("dsyrk GGᵀ + dtrmm LA + dsyrk") { place in
            let m = n + k, d = 300
            let pg = place(randomValues(m * d, seed: 11)), pc = place([Double](repeating: 0, count: m * m))
            cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, Int32(m), Int32(d), 1, pg.pointer, Int32(m), 0, pc.pointer, Int32(m))
            let pl = place(spdValues(m, seed: 12)), pa = place(randomValues(m * m, seed: 13))
            cblas_dtrmm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, Int32(m), Int32(m), 1,
                        pl.pointer, Int32(m), pa.pointer, Int32(m))
            let pw = place([Double](repeating: 0, count: m * m))
            cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, Int32(m), Int32(m), 1.0 / 512, pa.pointer, Int32(m), 0, pw.pointer, Int32(m))
            return pc.values + pa.values + pw.values
        }
    }

    func testFactorisationsOnTheSweepsShapes() throws {
        let n = 200, k = 8
        let f = spdValues(n, seed: 7), b = randomValues(n * k, seed: 8)
        assertAlignmentIndependent("dpotrf") { place in
            let a = place(f)
            XCTAssertEqual(LAPACKE_dpotrf(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), a.pointer, Int32(n)), 0)
            return a.values
        }
        // The eigendecomposition as InstanceTrainer does it: dsytrd, dstedc on the tridiagonal,
        // then VᵀB = Zᵀ(QᵀB) with dormtr.
        assertAlignmentIndependent("dsytrd + dstedc + dormtr") { place in
            let a = place(f), d = place([Double](repeating: 0, count: n))
            let e = place([Double](repeating: 0, count: n - 1))
            let tau = place([Double](repeating: 0, count: n - 1))
            let z = place([Double](repeating: 0, count: n * n)), c = place(b)
            let lower = Int8(UInt8(ascii: "L"))
            XCTAssertEqual(LAPACKE_dsytrd(LAPACK_COL_MAJOR, lower, Int32(n), a.pointer, Int32(n), d.pointer, e.pointer, tau.pointer), 0)
            XCTAssertEqual(LAPACKE_dstedc(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "I")), Int32(n), d.pointer, e.pointer, z.pointer, Int32(n)), 0)
            XCTAssertEqual(LAPACKE_dormtr(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), lower, Int8(UInt8(ascii: "T")), Int32(n), Int32(k),
                                          a.pointer, Int32(n), tau.pointer, c.pointer, Int32(n)), 0)
            let rotated = place([Double](repeating: 0, count: n * k))
            cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, Int32(n), Int32(k), Int32(n), 1, z.pointer, Int32(n),
                        c.pointer, Int32(n), 0, rotated.pointer, Int32(n))
            return d.values + rotated.values
        }
    }

    /// MatSign's msign of an N×K matrix as MatrixSignWorkspace computes it: QR (dgeqrf), the
    /// SVD of R (dgesdd), then Q applied to U (dormqr).
    func testMatrixSignRoutinesOnTheSweepsShapes() {
        let n = 200, k = 8
        let g = randomValues(n * k, seed: 14)
        assertAlignmentIndependent("dgeqrf + dgesdd + dormqr") { place in
            let a = place(g), tau = place([Double](repeating: 0, count: k))
            XCTAssertEqual(LAPACKE_dgeqrf(LAPACK_COL_MAJOR, Int32(n), Int32(k), a.pointer, Int32(n), tau.pointer), 0)
            let r = place((0..<(k * k)).map { i in i % k <= i / k ? a.values[i % k + (i / k) * n] : 0 })
            let s = place([Double](repeating: 0, count: k)), u = place([Double](repeating: 0, count: k * k))
            let vt = place([Double](repeating: 0, count: k * k))
            XCTAssertEqual(LAPACKE_dgesdd(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "S")), Int32(k), Int32(k), r.pointer, Int32(k),
                                          s.pointer, u.pointer, Int32(k), vt.pointer, Int32(k)), 0)
            var full = [Double](repeating: 0, count: n * k)
            for j in 0..<k { for i in 0..<k { full[i + j * n] = u.values[i + j * k] } }
            let c = place(full)
            XCTAssertEqual(LAPACKE_dormqr(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int8(UInt8(ascii: "N")), Int32(n), Int32(k),
                                          Int32(k), a.pointer, Int32(n), tau.pointer, c.pointer, Int32(n)), 0)
            return s.values + c.values + vt.values
        }
    }

    /// Level-1/2 kernels that LAPACK calls inside the routines above (dasum, which peels to
    /// 64 bytes in the AVX-512 kernels, is not among them).
    func testReductionsUsedInsideLAPACK() {
        let x = randomValues(1031, seed: 9), y = randomValues(1031, seed: 10)
        let a = randomValues(300 * 257, seed: 11)
        assertAlignmentIndependent("ddot, dnrm2, dgemv, dsymv") { place in
            let px = place(x), py = place(y), pa = place(a)
            let out = place([Double](repeating: 0, count: 300))
            let sym = place([Double](repeating: 0, count: 257))
            cblas_dgemv(CblasColMajor, CblasNoTrans, 300, 257, 1, pa.pointer, 300, px.pointer, 1, 0, out.pointer, 1)
            cblas_dsymv(CblasColMajor, CblasLower, 257, 1, pa.pointer, 300, py.pointer, 1, 0, sym.pointer, 1)
            return [cblas_ddot(1031, px.pointer, 1, py.pointer, 1), cblas_dnrm2(1031, px.pointer, 1)] + out.values + sym.values
        }
    }
}
