import Foundation
import Slurm
import TestSupport
import XCTest

/// The scripts the binary carries are the ones in jobs/, and the scripts are valid bash.
final class BatchScriptsTests: XCTestCase {
    func jobFile(_ name: String) throws -> String {
        try String(contentsOf: Repository.root.appendingPathComponent("jobs/" + name), encoding: .utf8)
    }

    func testEmbeddedScriptsEqualTheJobsFiles() throws {
        XCTAssertEqual(BatchScripts.array, try jobFile("array.sbatch"),
                       "jobs/array.sbatch changed: paste it into Sources/Slurm/BatchScripts.swift")
        XCTAssertEqual(BatchScripts.mergeAnalyze, try jobFile("merge-analyze.sbatch"),
                       "jobs/merge-analyze.sbatch changed: paste it into Sources/Slurm/BatchScripts.swift")
    }

    /// sweep.sbatch and array.sbatch share the launch/trap/wait block verbatim.
    func testRunBlockIsTheSameInBothScripts() throws {
        func block(_ text: String) -> Substring? {
            guard let start = text.range(of: "# ---- begin: the run"), let end = text.range(of: "# ---- end: the run ----") else { return nil }
            return text[start.lowerBound..<end.upperBound]
        }
        let sweep = try XCTUnwrap(block(try jobFile("sweep.sbatch")))
        let array = try XCTUnwrap(block(try jobFile("array.sbatch")))
        XCTAssertEqual(sweep, array)
    }

    func testScriptsParseAsBash() throws {
        for name in ["sweep.sbatch", "array.sbatch", "merge-analyze.sbatch"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-n", Repository.root.appendingPathComponent("jobs/" + name).path]
            try process.run()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, name)
        }
    }
}
