import Foundation
import Vocabulary
import XCTest

public enum SampleRecords {
    /// A record with an ok outcome of test loss `loss`.
    public static func record(_ key: TaskKey, loss: Double, rank: Int32 = 1) -> TaskRecord {
        TaskRecord(key: key, outcome: TrainingOutcome(testLoss: loss, trainLoss: loss / 2, lr: 0.1, lrAtGridEdge: false,
                                                      status: .ok),
                   wallSeconds: 0.01, rank: rank)
    }

    /// Every task of a small grid, with awkward values: NaN and infinite losses, negative zero,
    /// subnormals, long and unicode messages. `seed` varies the numbers.
    public static func awkward(s: [Double] = [0.5, 1.0], N: [Int] = [16, 32], replicates: Int = 3,
                               seed: UInt64 = 1) -> [TaskRecord] {
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
}

/// Bitwise equality of records, every column (NaN == NaN when the bits agree), with a
/// readable failure.
public func assertSameRecords(_ a: [TaskRecord], _ b: [TaskRecord], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "row counts differ", file: file, line: line)
    for (x, y) in zip(a, b) {
        var xb = ByteWriter(), yb = ByteWriter()
        x.encode(into: &xb)
        y.encode(into: &yb)
        if xb.bytes != yb.bytes {
            XCTFail("rows differ: \(x) vs \(y)", file: file, line: line)
            return
        }
    }
}
