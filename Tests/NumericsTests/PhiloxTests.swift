import Numerics
import TestSupport
import Vocabulary
import XCTest

final class PhiloxTests: NumericsTestCase {
    /// Random123's tests/kat_vectors, philox4x32 10 lines (counter, key → output).
    func testKnownAnswerVectors() {
        let cases: [(SIMD4<UInt32>, SIMD2<UInt32>, SIMD4<UInt32>)] = [
            ([0, 0, 0, 0], [0, 0], [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8]),
            ([0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff], [0xffff_ffff, 0xffff_ffff],
             [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd]),
            ([0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344], [0xa409_3822, 0x299f_31d0],
             [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1]),
        ]
        for (counter, key, expected) in cases {
            XCTAssertEqual(Philox4x32_10.block(counter: counter, key: key), expected)
        }
    }

    func testSameKeyGivesSameNumbers() {
        var a = RandomStream(masterSeed: 7, s: 1.25, N: 64, replicate: 3, stream: .data)
        var b = RandomStream(masterSeed: 7, s: 1.25, N: 64, replicate: 3, stream: .data)
        for _ in 0..<100 { XCTAssertEqual(a.next(), b.next()) }
        XCTAssertEqual(a.standardNormals(count: 33).map(\.bitPattern), b.standardNormals(count: 33).map(\.bitPattern))
    }

    /// Changing any one element of (master seed, s, N, replicate, stream) changes the stream.
    func testDifferentKeysGiveDifferentStreams() {
        func head(_ seed: UInt64, _ s: Double, _ N: Int, _ r: Int, _ k: RandomStreamKind) -> [UInt64] {
            var g = RandomStream(masterSeed: seed, s: s, N: N, replicate: r, stream: k)
            return (0..<4).map { _ in g.next() }
        }
        var seen = Set<[UInt64]>()
        var count = 0
        for seed: UInt64 in [0, 1, 20260501] {
            for s in [0.5, 0.75, 1.0, 2.0] {
                for N in [16, 17, 1024] {
                    for r in [0, 1, 15] {
                        for k in RandomStreamKind.allCases {
                            seen.insert(head(seed, s, N, r, k))
                            count += 1
                        }
                    }
                }
            }
        }
        XCTAssertEqual(seen.count, count)
        // Swapping N and replicate must not collide either.
        XCTAssertNotEqual(head(1, 1, 3, 5, .data), head(1, 1, 5, 3, .data))
    }

    func testNextReadsConsecutiveBlocks() {
        var g = RandomStream(masterSeed: 42, s: 1, N: 8, replicate: 0, stream: .features)
        let b0 = g.block(at: 0), b1 = g.block(at: 1)
        XCTAssertEqual(g.next(), UInt64(b0.0) | UInt64(b0.1) << 32)
        XCTAssertEqual(g.next(), UInt64(b0.2) | UInt64(b0.3) << 32)
        XCTAssertEqual(g.next(), UInt64(b1.0) | UInt64(b1.1) << 32)
        XCTAssertEqual(g.blockIndex, 2)
        // Usable as a Swift RandomNumberGenerator.
        let x = Double.random(in: 0..<1, using: &g)
        XCTAssertTrue(x >= 0 && x < 1)
    }

    /// Streams of one instance are uncorrelated (|r| well under 4/√n).
    func testStreamsOfOneInstanceAreUncorrelated() {
        let n = 200_000
        var a = RandomStream(masterSeed: 1, s: 1, N: 64, replicate: 0, stream: .features)
        var b = RandomStream(masterSeed: 1, s: 1, N: 64, replicate: 0, stream: .data)
        var c = RandomStream(masterSeed: 1, s: 1, N: 64, replicate: 1, stream: .features)
        let x = a.standardNormals(count: n), y = b.standardNormals(count: n), z = c.standardNormals(count: n)
        var xy = 0.0, xz = 0.0
        for i in 0..<n { xy += x[i] * y[i]; xz += x[i] * z[i] }
        XCTAssertLessThan(abs(xy / Double(n)), 4 / Double(n).squareRoot())
        XCTAssertLessThan(abs(xz / Double(n)), 4 / Double(n).squareRoot())
    }

    /// The bulk generators' C code (AVX2 and portable paths) computes the same words as the
    /// Swift reference `block(at:)`, across a 2³² carry of the block counter too.
    func testBulkWordsMatchReferenceBlocks() {
        for (seed, start) in [(UInt64(1), UInt64(0)), (20260501, 12345), (7, 0xffff_fff0)] {
            let g = RandomStream(masterSeed: seed, s: 1.5, N: 64, replicate: 2, stream: .data)
            let reference = (0..<40).flatMap { j -> [UInt64] in
                let b = g.block(at: start + UInt64(j))
                return [UInt64(b.0) | UInt64(b.1) << 32, UInt64(b.2) | UInt64(b.3) << 32]
            }
            XCTAssertEqual(g.bulkWords(fromBlock: start, blocks: 40), reference)
            XCTAssertEqual(g.bulkWords(fromBlock: start, blocks: 40, portable: true), reference)
        }
        print("bulk Philox uses AVX2: \(RandomStream.bulkGeneratorUsesAVX2)")
    }

    /// A bulk fill leaves the stream where a word-by-word reader of two blocks at a time would:
    /// 2·⌈words consumed / 4⌉ blocks on, whatever the generator buffered ahead.
    func testBulkFillAdvancesLikeTheWordByWordGenerator() {
        for count in [1, 3, 4, 5, 255, 256, 257, 1000] {
            var g = RandomStream(masterSeed: 5, s: 1, N: 8, replicate: 1, stream: .features)
            var h = g
            _ = g.uniforms(count: count)
            for _ in 0..<count { _ = h.next() }
            XCTAssertEqual(g.blockIndex, (UInt64(count) + 3) / 4 * 2, "count \(count)")
            XCTAssertEqual(h.blockIndex, (UInt64(count) + 1) / 2)
        }
    }
}
