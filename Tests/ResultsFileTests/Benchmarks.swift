import Foundation
import Numerics
import ResultsFile
import Sweep
import XCTest

/// Throughput of the results file; runs only with `ALPHASWEEP_RESULTS_BENCH=1` (prints rates).
final class ResultsFileBenchmarks: XCTestCase {
    private func tinyRecords(_ count: Int) -> [TaskRecord] {
        (0..<count).map { i in
            let key = TaskKey(optimizer: OptimizerKind.allCases[i % 5], s: Double(i / 5 % 100) / 10,
                              N: 16 << (i / 500 % 8), replicate: i / 4000)
            let outcome = TrainingOutcome(testLoss: Double(i) * 1e-3, trainLoss: Double(i) * 2e-3, lr: 0.1,
                                          lrAtGridEdge: false, status: .ok)
            return TaskRecord(key: key, outcome: outcome, wallSeconds: 1.5, rank: Int32(i % 64))
        }
    }

    private func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ProcessInfo.processInfo.systemUptime
        try body()
        return ProcessInfo.processInfo.systemUptime - start
    }

    func testThroughput() throws {
        guard ProcessInfo.processInfo.environment["ALPHASWEEP_RESULTS_BENCH"] == "1" else { return }
        let dir = Fixture.directory(self)
        let rows = tinyRecords(100_000)
        for (name, policy) in [("manual", ResultsWriter.CheckpointPolicy.manual), ("default", .default)] {
            let path = dir + "/journal-\(name).h5"
            var writer: ResultsWriter!
            let t = try seconds {
                writer = try ResultsWriter.create(path: path, specText: "", specSHA256: Fixture.sha, provenance: Fixture.provenance,
                                                  policy: policy)
                for start in stride(from: 0, to: rows.count, by: 1000) {
                    try writer.append(Array(rows[start..<start + 1000]))
                    try writer.flush()
                }
            }
            print("BENCH append+flush/1000, 1e5 rows, \(name) checkpoints (\(writer.snapshotCount) snapshots): "
                  + "\(Int(Double(rows.count) / t)) rows/s (\(t) s)")
            let c = try seconds { try writer.close() }
            print("BENCH close (final snapshot) 1e5 rows: \(c) s")
        }
        for count in [100_000, 1_000_000] {
            let records = count == rows.count ? rows : tinyRecords(count)
            let path = dir + "/snapshot-\(count).h5"
            let writer = try ResultsWriter.create(path: path, specText: "", specSHA256: Fixture.sha, provenance: Fixture.provenance,
                                                  policy: .manual)
            try writer.append(records)
            let t = try seconds { try writer.checkpoint() }
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            print("BENCH snapshot of \(count) rows: \(Int(Double(count) / t)) rows/s (\(t) s, \(size) bytes)")
            try writer.close()
            var read = 0
            let r = try seconds { read = try ResultsReader.read(path: path).records.count }
            print("BENCH read of \(read) rows: \(Int(Double(read) / r)) rows/s (\(r) s)")
        }
    }
}
