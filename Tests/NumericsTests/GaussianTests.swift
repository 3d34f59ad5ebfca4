import Foundation
import Numerics
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

    /// Bulk fills start at a fresh block: an odd count wastes half a block, nothing more.
    func testBulkFillsUseWholeBlocks() {
        var g = RandomStream(masterSeed: 3, s: 1, N: 4, replicate: 0, stream: .data)
        _ = g.next()
        _ = g.standardNormals(count: 5)
        XCTAssertEqual(g.blockIndex, 4)
        var h = RandomStream(masterSeed: 3, s: 1, N: 4, replicate: 0, stream: .data)
        let ten = h.standardNormals(count: 10)
        var k = RandomStream(masterSeed: 3, s: 1, N: 4, replicate: 0, stream: .data)
        let four = k.standardNormals(count: 4), six = k.standardNormals(count: 6)
        XCTAssertEqual(ten.map(\.bitPattern), (four + six).map(\.bitPattern))
    }
}
