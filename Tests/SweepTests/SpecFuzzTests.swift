import Foundation
import Numerics
import Sweep
import Vocabulary
import XCTest

/// A seeded random-mutation fuzz of the spec parser: every mutated text is either a valid
/// spec (its invariants hold) or refused with a `SpecError`, never a trap or another error.
/// 4 000 mutations per run of the suite (a longer run: ALPHASWEEP_FUZZ_ITERATIONS).
final class SpecFuzzTests: XCTestCase {
    typealias Generator = SplitMix64

    static let fragments = ["1e308", "-1e308", "1e-320", "nan", ".inf", "-0", "0", "18446744073709551616", "9223372036854775807",
                            "-9223372036854775808", "[", "]", "{", "}", ":", ",", "- ", "&a", "*a", "!!binary", "'", "\"", "\n",
                            "\t", "  ", "#", "..", "0..", "..5", "99999999999..0", "[1, 2, 2]", "{log10_min: 0}", "~", "null",
                            "true", "\u{0}", "é", "🚀", "0x10", "1_000", "1.5.5", "--", "?", "|", ">"]

    func mutate(_ text: String, _ g: inout Generator) -> String {
        var bytes = Array(text.utf8)
        for _ in 0...g.uniformIndex(below: 4) {
            switch g.uniformIndex(below: 6) {
            case 0 where !bytes.isEmpty: bytes[g.uniformIndex(below: bytes.count)] = UInt8(truncatingIfNeeded: g.next())
            case 1 where !bytes.isEmpty: bytes.remove(at: g.uniformIndex(below: bytes.count))
            case 2:
                let fragment = Array(Self.fragments[g.uniformIndex(below: Self.fragments.count)].utf8)
                bytes.insert(contentsOf: fragment, at: g.uniformIndex(below: bytes.count + 1))
            case 3:
                // Replace a value after a colon with a fragment.
                let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                var edited = lines.map(String.init)
                let i = g.uniformIndex(below: edited.count)
                if let colon = edited[i].firstIndex(of: ":") {
                    edited[i] = String(edited[i][...colon]) + " " + Self.fragments[g.uniformIndex(below: Self.fragments.count)]
                }
                bytes = Array(edited.joined(separator: "\n").utf8)
            case 4 where bytes.count > 2:
                let a = g.uniformIndex(below: bytes.count), b = g.uniformIndex(below: bytes.count)
                bytes.swapAt(a, b)
            default:
                let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
                guard !lines.isEmpty else { break }
                var edited = lines
                edited.insert(lines[g.uniformIndex(below: lines.count)], at: g.uniformIndex(below: lines.count + 1))  // a repeated key
                bytes = Array(edited.joined(separator: "\n").utf8)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func testMutatedSpecsAreParsedOrRefusedNeverTrap() throws {
        let iterations = Int(ProcessInfo.processInfo.environment["ALPHASWEEP_FUZZ_ITERATIONS"] ?? "") ?? 4_000
        let seeds = [SweepSpec().yaml, try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../jobs/smoke.yaml"), encoding: .utf8)]
        var g = Generator(seed: 20_261_201)
        var accepted = 0, refused = 0
        for i in 0..<iterations {
            let text = mutate(seeds[i % seeds.count], &g)
            do {
                let spec = try SweepSpec.parse(text, file: "fuzz.yaml")
                accepted += 1
                XCTAssertLessThanOrEqual(spec.grid.taskCount, 50_000_000)
                XCTAssertTrue(spec.grid.N.allSatisfy { $0 >= 1 && $0 < spec.experiment.D && $0 <= spec.experiment.n })
                XCTAssertTrue(spec.grid.s.allSatisfy { $0 > 0 && $0.isFinite })
                XCTAssertTrue(spec.experiment.sigma.isFinite && spec.experiment.beta.isFinite)
                XCTAssertGreaterThan(spec.experiment.adamLR.count, 0)
                _ = spec.sha256
                _ = spec.experimentSHA256
                XCTAssertEqual(try SweepSpec.parse(spec.yaml), spec, "the spec's YAML reads back: \(text)")
            } catch let error as SpecError {
                refused += 1
                XCTAssertFalse(error.description.contains("\n"), "one line: \(error.description)")
            } catch {
                XCTFail("not a SpecError: \(error) for \(text)")
            }
        }
        print("spec fuzz: \(iterations) mutations, \(accepted) accepted, \(refused) refused, no trap")
        XCTAssertGreaterThan(refused, iterations / 4)
    }
}
