import Foundation
import Numerics
import XCTest

/// Timings at the default sizes (D = 2048, n = 8192, K = 8, T = 16), one OpenBLAS thread.
/// Skipped unless ALPHASWEEP_NUMERICS_BENCH=1 (they take about a minute):
/// `ALPHASWEEP_NUMERICS_BENCH=1 swift test -c release --filter BenchmarkTests`.
final class BenchmarkTests: NumericsTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["ALPHASWEEP_NUMERICS_BENCH"] == "1",
                          "set ALPHASWEEP_NUMERICS_BENCH=1 to run the benchmarks")
    }

    /// CPU seconds of this thread (robust to other load on the machine; OpenBLAS runs on one
    /// thread here, so this is the work done).
    func seconds(_ body: () throws -> Void) rethrows -> Double {
        func now() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
        }
        let start = now()
        try body()
        return now() - start
    }

    func testNormalsPerSecond() {
        var g = RandomStream(masterSeed: 1, s: 1, N: 1024, replicate: 0, stream: .data)
        var buffer = [Double](repeating: 0, count: 8_454_144)
        var best = Double.infinity
        for _ in 0..<3 {
            best = min(best, seconds { buffer.withUnsafeMutableBufferPointer { g.fillStandardNormals($0) } })
        }
        print(String(format: "BENCH normals/s: %.3g (%d normals in %.3f CPU s)", Double(buffer.count) / best, buffer.count, best))
    }

    func testInstanceTimings() throws {
        print("BENCH OpenBLAS core \(BLASEnvironment.coreName), threads \(BLASEnvironment.threads)")
        let p = ProblemParameters()
        for N in [64, 256, 1024] {
            let key = InstanceKey(s: 1.0, N: N, replicate: 0)
            var instance: ProblemInstance!
            var trainer: InstanceTrainer!
            let tSample = try seconds { instance = try ProblemInstance.sample(parameters: p, key: key) }
            let tEig = try seconds { trainer = try InstanceTrainer(instance: instance) }
            let tAdam = seconds { _ = trainer.train(.adam) }
            let tSign = seconds { _ = trainer.train(.matSign) }
            let tRest = seconds { for k in [OptimizerKind.gd, .sqrtNG, .ng] { _ = trainer.train(k) } }
            let total = tSample + tEig + tAdam + tSign + tRest
            let flops = usefulFlops(p, N: N)
            print(String(format: "BENCH N=%4d total %.3f CPU s | sampling %.3f eig %.3f Adam %.3f MatSign %.3f rest %.3f | %.2f GFlop, %.2f GFlop/s",
                         N, total, tSample, tEig, tAdam, tSign, tRest, flops / 1e9, flops / 1e9 / total))
        }
    }

    func testSanityLossesAtDefaultSizes() {
        let p = ProblemParameters()
        var sums: [OptimizerKind: [Double]] = [:]
        for r in 0..<4 {
            let out = InstanceTrainer.outcomes(parameters: p, key: InstanceKey(s: 1.0, N: 64, replicate: r))
            for (k, o) in out { sums[k, default: []].append(o.testLoss) }
            print("BENCH replicate \(r): " + OptimizerKind.allCases.map {
                String(format: "%@ %.4f (lr %.3g%@)", $0.rawValue, out[$0]!.testLoss, out[$0]!.lr, out[$0]!.lrAtGridEdge ? ", edge" : "")
            }.joined(separator: ", "))
        }
        print("BENCH mean test loss s=1 N=64: " + OptimizerKind.allCases.map {
            String(format: "%@ %.4f", $0.rawValue, sums[$0]!.reduce(0, +) / Double(sums[$0]!.count))
        }.joined(separator: ", "))
    }
}
