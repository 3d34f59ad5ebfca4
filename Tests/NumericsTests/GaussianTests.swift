import Foundation
import Numerics
import TestSupport
import Vocabulary
import XCTest

final class GaussianTests: NumericsTestCase {
    func normals(_ n: Int, replicate: Int = 0) -> [Double] {
        var g = RandomStream(masterSeed: 99, s: 1, N: 1, replicate: replicate, stream: .data)
        return g.standardNormals(count: n)
    }

    /// Mean, variance, skewness and excess kurtosis within 5 standard errors.
    func testMoments() {
        let n = 1_000_000
        let z = normals(n)
        var m1 = 0.0, m2 = 0.0, m3 = 0.0, m4 = 0.0
        for x in z { m1 += x; m2 += x * x; m3 += x * x * x; m4 += x * x * x * x }
        let N = Double(n)
        m1 /= N; m2 /= N; m3 /= N; m4 /= N
        XCTAssertLessThan(abs(m1), 5 / N.squareRoot())
        XCTAssertLessThan(abs(m2 - 1), 5 * (2 / N).squareRoot())
        XCTAssertLessThan(abs(m3), 5 * (15 / N).squareRoot())
        XCTAssertLessThan(abs(m4 - 3), 5 * (96 / N).squareRoot())
    }

    /// One-sample Kolmogorov–Smirnov against Φ: √n·D_n below 1.95 (the 0.1 % critical value).
    func testKolmogorovSmirnov() {
        let n = 200_000
        let z = normals(n, replicate: 1).sorted()
        var d = 0.0
        for (i, x) in z.enumerated() {
            let cdf = 0.5 * erfc(-x / 2.0.squareRoot())
            d = max(d, abs(cdf - Double(i) / Double(n)), abs(Double(i + 1) / Double(n) - cdf))
        }
        XCTAssertLessThan(d * Double(n).squareRoot(), 1.95)
    }

    /// Tail frequencies P(|z| > 3) and P(|z| > 4) within 5 standard errors.
    func testTails() {
        let n = 2_000_000
        let z = normals(n, replicate: 2)
        for t in [3.0, 4.0] {
            let p = erfc(t / 2.0.squareRoot())
            let observed = Double(z.filter { abs($0) > t }.count)
            let expected = p * Double(n)
            XCTAssertLessThan(abs(observed - expected), 5 * expected.squareRoot(), "tail beyond \(t)")
        }
        XCTAssertTrue(z.allSatisfy(\.isFinite))
    }

    func testUniformsAreInOpenUnitInterval() {
        var g = RandomStream(masterSeed: 5, s: 0.5, N: 2, replicate: 0, stream: .teacher)
        let u = g.uniforms(count: 100_001)
        XCTAssertTrue(u.allSatisfy { $0 > 0 && $0 < 1 })
        XCTAssertEqual(u.reduce(0, +) / Double(u.count), 0.5, accuracy: 5 * (1.0 / 12 / Double(u.count)).squareRoot())
        XCTAssertEqual(RandomStream.uniformOpen(0, 0), 0x1p-53)
        XCTAssertEqual(RandomStream.uniformOpen(.max, .max), 1 - 0x1p-53)
        XCTAssertLessThan(RandomStream.uniformOpen(.max, .max), 1)
    }

    /// Bulk fills read the stream's words in `next()` order, from a fresh block; a longer
    /// fill extends a shorter one from the same start.
    func testBulkFillsReadTheStreamInOrder() {
        var g = RandomStream(masterSeed: 3, s: 1, N: 4, replicate: 0, stream: .data)
        var h = g
        _ = g.next()
        let u = g.uniforms(count: 11)
        _ = h.nextBlock()
        XCTAssertEqual(u.map(\.bitPattern), (0..<11).map { _ in RandomStream.uniformOpen(h.next()).bitPattern })
        var a = RandomStream(masterSeed: 3, s: 1, N: 4, replicate: 0, stream: .data)
        var b = a
        let long = a.standardNormals(count: 1000), short = b.standardNormals(count: 10)
        XCTAssertEqual(Array(long.prefix(10)).map(\.bitPattern), short.map(\.bitPattern))
        XCTAssertEqual(b.blockIndex % 2, 0)
        XCTAssertGreaterThanOrEqual(a.blockIndex, 500)
    }

    /// The ziggurat's layers close at the top (r is right for 256 layers of equal area).
    func testZigguratTablesClose() {
        let d = RandomStream.zigguratDiagnostics
        XCTAssertLessThan(abs(d.closure), 1e-12)
        XCTAssertEqual(d.area, 0.00492867323399, accuracy: 1e-13)
    }

    /// χ² goodness of fit on 200 equiprobable bins (2·10⁶ normals), and the frequency of the
    /// ziggurat's tail |z| > r = 3.654 and of its base-strip edges.
    func testBinnedDistributionAndZigguratTail() {
        let n = 2_000_000, bins = 200
        let z = normals(n, replicate: 3)
        // bin by Φ(z)
        var counts = [Int](repeating: 0, count: bins)
        for x in z {
            let p = 0.5 * erfc(-x / 2.0.squareRoot())
            counts[min(bins - 1, Int(p * Double(bins)))] += 1
        }
        let expected = Double(n) / Double(bins)
        let chi2 = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        // 199 degrees of freedom: mean 199, sd 19.9; 0.1 % upper point ≈ 267
        XCTAssertLessThan(chi2, 267)
        XCTAssertGreaterThan(chi2, 140)
        let r = RandomStream.zigguratDiagnostics.r
        for t in [r, 3.0, 4.5] {
            let p = erfc(t / 2.0.squareRoot())
            let observed = Double(z.filter { abs($0) > t }.count)
            XCTAssertLessThan(abs(observed - p * Double(n)), 5 * (p * Double(n)).squareRoot() + 1, "tail beyond \(t)")
        }
        XCTAssertEqual(Double(z.filter { $0 > r }.count), Double(z.filter { $0 < -r }.count),
                       accuracy: 5 * (erfc(r / 2.0.squareRoot()) * Double(n)).squareRoot())
    }
}
