import Foundation
import ResultsFile
import TestSupport
import Vocabulary
import XCTest

/// What the results-file tests share: a spec text and hashes, a provenance row.
enum Fixture {
    static let specText = "# sweep\nN: [16, 32]\ns: [0.5, 1.0]\nseeds: 3\n"
    static let sha = String(repeating: "ab", count: 32)
    static let otherSHA = String(repeating: "cd", count: 32)
    static let provenance = Provenance(alphasweepVersion: "test", created: "2026-05-01T00:00:00Z",
                                       hostnames: ["node1", "node2"], ranks: 4, shard: "", mpiLibrary: "Open MPI 4.1",
                                       blasCore: "Haswell", commandLine: "alphasweep run test.yaml")
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

extension Fixture {
    /// A run's identity in these tests: the experiment is named by the spec hash, so a
    /// different `sha` is a different experiment.
    static func identity(specText: String = Fixture.specText, sha: String = Fixture.sha,
                         grid: String = "N: 16 32\ns: 0.5 1.0\nreplicates: 0..2\noptimizers: GD Adam MatSign SqrtNG NG\n") -> SweepIdentity {
        SweepIdentity(specText: specText, specSHA256: sha, experimentText: "alphasweep-experiment 1\nsha: \(sha)\n",
                      experimentSHA256: sha, gridText: grid)
    }

    /// These tests write no file without its experiment: reading one from a spec text is a bug.
    static let identify: IdentifySpec = { _ in
        throw ResultsFileError.invalidArgument("a test file without experiment attributes")
    }
}

/// The writer and merge with the tests' identities.
extension ResultsWriter {
    static func create(path: String, specText: String, specSHA256: String, provenance: Provenance,
                       policy: CheckpointPolicy = .default) throws -> ResultsWriter {
        try create(path: path, identity: Fixture.identity(specText: specText, sha: specSHA256), provenance: provenance,
                   policy: policy)
    }

    static func resume(path: String, specSHA256: String, provenance: Provenance, policy: CheckpointPolicy = .default)
        throws -> (writer: ResultsWriter, existing: [TaskRecord], journal: JournalReport) {
        let r = try resume(path: path, identity: Fixture.identity(sha: specSHA256), provenance: provenance,
                           identify: Fixture.identify, policy: policy)
        return (r.writer, r.existing, r.journal)
    }
}

@discardableResult
func mergeResults(inputs: [String], output: String, provenance: Provenance = Provenance()) throws -> MergeReport {
    try ResultsFile.mergeResults(inputs: inputs, output: output, provenance: provenance, identify: Fixture.identify)
}
