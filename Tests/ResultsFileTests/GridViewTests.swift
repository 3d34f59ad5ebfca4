import CHDF5
import Foundation
import ResultsFile
import TestSupport
import Vocabulary
import XCTest

/// `/grid`, the rows as labelled arrays for xarray (the end-to-end checks with xarray,
/// h5netcdf and netCDF4 are in Tests/python/test_xarray_grid.py): when it is written, and
/// what it costs the snapshot.
final class GridViewTests: XCTestCase {
    /// The default sweep's rows: 5 optimizers × 6 s × 7 N × 16 replicates.
    static func defaultSweepRecords(replicateOf: (Int) -> Int = { $0 }) -> [TaskRecord] {
        var records: [TaskRecord] = []
        var i = 0
        for s in [0.5, 0.75, 1.0, 1.25, 1.5, 2.0] {
            for N in [16, 32, 64, 128, 256, 512, 1024] {
                for replicate in 0..<16 {
                    for optimizer in OptimizerKind.allCases {
                        records.append(SampleRecords.record(TaskKey(optimizer: optimizer, s: s, N: N, replicate: replicateOf(replicate + 16 * i)),
                                                            loss: 1 / Double(records.count + 1)))
                    }
                }
                i += 1
            }
        }
        return records
    }

    func hasGrid(_ path: String) -> Bool {
        let file = H5Fopen(path, alphasweep_h5f_acc_rdonly(), alphasweep_h5p_default())
        defer { H5Fclose(file) }
        return H5Lexists(file, "grid", alphasweep_h5p_default()) > 0
    }

    func testADenseGridIsWrittenAndAMostlyEmptyHullIsNot() throws {
        let dir = Scratch.directory(self)
        try writeResultsFile(dir + "/dense.h5", records: Self.defaultSweepRecords(replicateOf: { $0 % 16 }))
        XCTAssertTrue(hasGrid(dir + "/dense.h5"))
        // Every row its own replicate: 3360 rows on a hull of 5·6·7·672 cells, 42 per row.
        try writeResultsFile(dir + "/sparse.h5", records: Self.defaultSweepRecords())
        XCTAssertFalse(hasGrid(dir + "/sparse.h5"), "a view of mostly empty cells is left out")
        XCTAssertEqual(try ResultsReader.read(path: dir + "/sparse.h5").records.count, 3360)
    }

    /// Benchmark (prints, asserts nothing about time): a snapshot of the default sweep's 3360
    /// rows with /grid against the same rows without it (sparse keys, so no view).
    func testCostOfTheGridViewInADefaultSizeSnapshot() throws {
        let dir = Scratch.directory(self)
        let dense = Self.defaultSweepRecords(replicateOf: { $0 % 16 }), sparse = Self.defaultSweepRecords()
        func best(_ records: [TaskRecord], _ name: String) throws -> (seconds: Double, bytes: Int) {
            var fastest = Double.infinity
            for k in 0..<7 {
                let path = dir + "/\(name)-\(k).h5"
                let start = Date()
                try writeResultsFile(path, records: records)
                fastest = min(fastest, Date().timeIntervalSince(start))
            }
            let size = (try FileManager.default.attributesOfItem(atPath: dir + "/\(name)-0.h5")[.size] as? Int) ?? 0
            return (fastest, size)
        }
        let with = try best(dense, "with"), without = try best(sparse, "without")
        print(String(format: "grid view cost: default sweep (3360 rows) written in %.1f ms with /grid (%d bytes), %.1f ms without (%d bytes): +%.1f ms, +%d bytes",
                     with.seconds * 1000, with.bytes, without.seconds * 1000, without.bytes,
                     (with.seconds - without.seconds) * 1000, with.bytes - without.bytes))
    }
}
