import Foundation
import Numerics
import ResultsFile
import Sweep
import XCTest

/// Shared fixtures: a scratch directory per test, sample records, spec hashes, file bytes.
enum Fixture {
    static let specText = "# sweep\nN: [16, 32]\ns: [0.5, 1.0]\nseeds: 3\n"
    static let sha = String(repeating: "ab", count: 32)
    static let otherSHA = String(repeating: "cd", count: 32)
    static let provenance = Provenance(alphasweepVersion: "test", created: "2026-05-01T00:00:00Z",
                                       hostnames: ["node1", "node2"], ranks: 4, shard: "", mpiLibrary: "Open MPI 4.1",
                                       blasCore: "Haswell", commandLine: "alphasweep run test.yaml")

    /// A fresh empty directory, removed when the test ends.
    static func directory(_ test: XCTestCase) -> String {
        let dir = NSTemporaryDirectory() + "alphasweep-results-\(getpid())-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// Every task of a small grid, with awkward values: NaN and infinite losses, negative zero,
    /// subnormals, long and unicode messages. `seed` varies the numbers.
    static func records(s: [Double] = [0.5, 1.0], N: [Int] = [16, 32], replicates: Int = 3, seed: UInt64 = 1) -> [TaskRecord] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        var out: [TaskRecord] = []
        for sv in s {
            for nv in N {
                for r in 0..<replicates {
                    for (k, optimizer) in OptimizerKind.allCases.enumerated() {
                        let i = out.count
                        var outcome = TrainingOutcome(testLoss: next(), trainLoss: next() * 1e-300, lr: pow(10, next() * 4 - 2),
                                                      lrAtGridEdge: i % 7 == 0, status: .ok)
                        switch i % 11 {
                        case 3: outcome.testLoss = .nan; outcome.status = .diverged; outcome.message = "loss became NaN at step 12"
                        case 5: outcome.testLoss = .infinity; outcome.status = .failed; outcome.message = "Cholesky échoué — ∞ 🚀 (σ=0.3)"
                        case 7: outcome.testLoss = -0.0; outcome.trainLoss = .leastNonzeroMagnitude
                        case 9: outcome.status = .failed; outcome.message = String(repeating: "x", count: 300)
                        default: break
                        }
                        out.append(TaskRecord(key: TaskKey(optimizer: optimizer, s: sv, N: nv, replicate: r), outcome: outcome,
                                              wallSeconds: next() * 100, rank: Int32((i + k) % 5)))
                    }
                }
            }
        }
        return out
    }

    static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Files in `dir`, sorted.
    static func listing(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }
}

/// Bitwise equality of records (NaN == NaN when the bits agree), with a readable failure.
func assertSameRecords(_ a: [TaskRecord], _ b: [TaskRecord], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "row counts differ", file: file, line: line)
    for (x, y) in zip(a, b) {
        let same = x.key == y.key && x.hasSameResult(as: y) && x.outcome.message == y.outcome.message
            && x.wallSeconds.bitPattern == y.wallSeconds.bitPattern && x.rank == y.rank
        if !same {
            XCTFail("rows differ: \(x) vs \(y)", file: file, line: line)
            return
        }
    }
}

/// Runs `body`, which must throw a ``ResultsFileError``; returns it.
func expectResultsError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> ResultsFileError? {
    do {
        try body()
        XCTFail("expected a ResultsFileError, nothing was thrown", file: file, line: line)
    } catch let error as ResultsFileError {
        return error
    } catch {
        XCTFail("expected a ResultsFileError, got \(error)", file: file, line: line)
    }
    return nil
}

/// Writes a closed results file with `records` and returns its path.
@discardableResult
func writeResultsFile(_ path: String, records: [TaskRecord], sha: String = Fixture.sha,
                      provenance: Provenance = Fixture.provenance) throws -> String {
    let writer = try ResultsWriter.create(path: path, specText: Fixture.specText, specSHA256: sha, provenance: provenance)
    try writer.append(records)
    try writer.flush()
    try writer.close()
    return path
}
