import Foundation
import ResultsFile
import TestSupport
import Vocabulary
import XCTest

final class RoundTripTests: XCTestCase {
    func testRecordsRoundTripBitwiseInCanonicalOrder() throws {
        let dir = Scratch.directory(self)
        let path = dir + "/run.h5"
        let records = SampleRecords.awkward()
        try writeResultsFile(path, records: records.shuffled())

        let contents = try ResultsReader.read(path: path)
        assertSameRecords(contents.records, records.sorted { $0.key < $1.key })
        XCTAssertTrue(contents.records.contains { $0.outcome.testLoss.isNaN })
        XCTAssertTrue(contents.records.contains { $0.outcome.message == "Cholesky échoué — ∞ 🚀 (σ=0.3)" })
        XCTAssertTrue(contents.records.contains { $0.outcome.testLoss.bitPattern == (-0.0).bitPattern })
        XCTAssertEqual(contents.specText, Fixture.specText)
        XCTAssertEqual(contents.specSHA256, Fixture.sha)
        XCTAssertEqual(contents.formatVersion, 1)
        XCTAssertEqual(contents.journal, .none)
        XCTAssertEqual(Scratch.listing(dir), ["run.h5"], "a closed writer leaves only the results file")
    }

    func testRootAttributesAndProvenance() throws {
        let path = Scratch.directory(self) + "/run.h5"
        try writeResultsFile(path, records: SampleRecords.awkward())
        let contents = try ResultsReader.read(path: path)
        let a = contents.attributes
        XCTAssertEqual(a["spec_sha256"], Fixture.sha)
        XCTAssertEqual(a["format_version"], "1")
        XCTAssertEqual(a["alphasweep_version"], "test")
        XCTAssertEqual(a["created"], "2026-05-01T00:00:00Z")
        XCTAssertEqual(a["hostnames"], "node1,node2")
        XCTAssertEqual(a["ranks"], "4")
        XCTAssertEqual(a["mpi_library"], "Open MPI 4.1")
        XCTAssertEqual(a["blas_core"], "Haswell")
        XCTAssertEqual(a["rows"], String(contents.records.count))
        XCTAssertTrue(a["hdf5_version"]?.hasPrefix("1.") ?? false)
        XCTAssertEqual(contents.provenance.count, 1)
        XCTAssertEqual(contents.provenance[0].event, "run")
        XCTAssertEqual(contents.provenance[0].provenance, Fixture.provenance)
        XCTAssertEqual(contents.provenance[0].sourceFile, "run.h5")
        XCTAssertEqual(contents.provenance[0].rows, contents.records.count)
    }

    func testEmptyFileAndEmptySpec() throws {
        let path = Scratch.directory(self) + "/empty.h5"
        let writer = try ResultsWriter.create(path: path, specText: "", specSHA256: Fixture.sha, provenance: Fixture.provenance)
        try writer.close()
        let contents = try ResultsReader.read(path: path)
        XCTAssertEqual(contents.records.count, 0)
        XCTAssertEqual(contents.specText, "")
    }

    func testLongMessagesAreCappedAndNulDropped() throws {
        let path = Scratch.directory(self) + "/run.h5"
        var records = Array(SampleRecords.awkward().prefix(2))
        records[0].outcome.message = String(repeating: "é", count: 2000)
        records[1].outcome.message = "a\0b"
        try writeResultsFile(path, records: records)
        let read = try ResultsReader.read(path: path).records
        XCTAssertLessThanOrEqual(read[0].outcome.message.utf8.count, ResultsWriter.maxMessageBytes)
        XCTAssertTrue(read[0].outcome.message.hasSuffix("…"))
        XCTAssertEqual(read[1].outcome.message, "ab")
    }

    func testDuplicateAppendsAreSkippedAndConflictsRefused() throws {
        let path = Scratch.directory(self) + "/run.h5"
        let records = SampleRecords.awkward()
        let writer = try ResultsWriter.create(path: path, specText: Fixture.specText, specSHA256: Fixture.sha,
                                              provenance: Fixture.provenance)
        try writer.append(records)
        var again = records[3]
        again.wallSeconds += 1  // timing differs: the same result
        try writer.append(again)
        XCTAssertEqual(writer.rowCount, records.count)
        var conflicting = records[4]
        conflicting.outcome.testLoss = 42
        let error = expectResultsError { try writer.append([records[0], conflicting]) }
        XCTAssertTrue(error?.description.contains(conflicting.key.description) ?? false, "\(String(describing: error))")
        try writer.close()
        XCTAssertEqual(try ResultsReader.read(path: path).records.count, records.count)
    }

    func testWriteAnalysisKeepsRowsAndReplacesTheGroup() throws {
        let path = Scratch.directory(self) + "/run.h5"
        let records = SampleRecords.awkward()
        try writeResultsFile(path, records: records)
        try writeAnalysis(to: path, numericColumns: ["alpha": [0.5, .nan], "s": [0.5, 1.0]],
                          stringColumns: ["optimizer": ["GD", "Adam"]], attributes: ["note": "first"])
        try writeAnalysis(to: path, numericColumns: ["alpha": [0.25, 0.75]],
                          stringColumns: ["optimizer": ["GD", "NG"]], attributes: ["note": "second ✓"])
        let contents = try ResultsReader.read(path: path)
        assertSameRecords(contents.records, records.sorted { $0.key < $1.key })
        let analysis = try XCTUnwrap(contents.analysis)
        XCTAssertEqual(analysis.numericColumns["alpha"], [0.25, 0.75])
        XCTAssertNil(analysis.numericColumns["s"], "the group is replaced, not extended")
        XCTAssertEqual(analysis.stringColumns["optimizer"], ["GD", "NG"])
        XCTAssertEqual(analysis.attributes["note"], "second ✓")
        XCTAssertEqual(try ResultsReader.readAnalysis(path: path)?.numericColumns["alpha"], [0.25, 0.75])
        XCTAssertEqual(contents.provenance.count, 1)
        XCTAssertNotNil(expectResultsError { try writeAnalysis(to: path, numericColumns: ["a/b": []], stringColumns: [:], attributes: [:]) })
    }

    /// Labelled arrays (netCDF-4 dimensions) in /analysis come back with their dimensions,
    /// values and attributes; inconsistent ones are refused before anything is written.
    func testLabelledAnalysisArraysRoundTrip() throws {
        let path = Scratch.directory(self) + "/run.h5"
        try writeResultsFile(path, records: SampleRecords.awkward())
        let arrays = LabelledArrays(
            dimensions: [.init(name: "optimizer", values: .text(["GD", "NG"]), attributes: ["long_name": "optimizer"]),
                         .init(name: "s", values: .float64([0.5, 1.0, 2.0]))],
            variables: [.init(name: "alpha", dimensions: ["optimizer", "s"], values: .float64([0.1, 0.2, .nan, 0.4, 0.5, 0.6]),
                              attributes: ["long_name": "α"]),
                        .init(name: "ci_method", dimensions: ["optimizer", "s"], values: .text(["BCa", "", "percentile", "BCa", "BCa", "é"]))])
        try writeAnalysis(to: path, numericColumns: [:], stringColumns: [:], attributes: ["Conventions": "CF-1.8"], labelled: arrays)
        let back = try XCTUnwrap(try ResultsReader.read(path: path).analysis)
        XCTAssertEqual(back.labelled.dimensions, arrays.dimensions)
        XCTAssertEqual(back.labelled.variables.map(\.name), ["alpha", "ci_method"])
        let alpha = back.labelled.variables[0]
        XCTAssertEqual(alpha.dimensions, ["optimizer", "s"])
        XCTAssertEqual(alpha.attributes, ["long_name": "α"])
        guard case .float64(let values) = alpha.values else { return XCTFail("alpha is not float64") }
        XCTAssertEqual(values.map(\.bitPattern), [0.1, 0.2, .nan, 0.4, 0.5, 0.6].map(\.bitPattern))
        XCTAssertEqual(back.labelled.variables[1].values, arrays.variables[1].values)
        XCTAssertTrue(back.numericColumns.isEmpty && back.stringColumns.isEmpty)

        let before = Scratch.bytes(path)
        var wrongCount = arrays
        wrongCount.variables[0].values = .float64([1, 2])
        XCTAssertNotNil(expectResultsError { try writeAnalysis(to: path, numericColumns: [:], stringColumns: [:], attributes: [:], labelled: wrongCount) })
        var undeclared = arrays
        undeclared.variables[0].dimensions = ["optimizer", "N"]
        XCTAssertNotNil(expectResultsError { try writeAnalysis(to: path, numericColumns: [:], stringColumns: [:], attributes: [:], labelled: undeclared) })
        XCTAssertNotNil(expectResultsError { try writeAnalysis(to: path, numericColumns: ["alpha": [1]], stringColumns: [:], attributes: [:], labelled: arrays) })
        XCTAssertEqual(Scratch.bytes(path), before, "refused before anything was written")
    }

    /// Rows of record layout 3 carry their trace (host, start, peak RSS) through the journal
    /// and the snapshot, and each run's provenance row gets its ranks' peak RSS and Slurm ids.
    func testTraceColumnsAndRunProvenanceRoundTrip() throws {
        let path = Scratch.directory(self) + "/run.h5"
        var records = SampleRecords.awkward()
        for i in records.indices {
            records[i].host = "node-\(i % 3)"
            records[i].startedUTC = "2026-05-01T12:00:\(String(format: "%02d", i % 60)).125Z"
            records[i].peakRSSBytes = Int64(100 + i) << 20
            records[i].rank = Int32(1 + i % 2)
        }
        var provenance = Provenance(alphasweepVersion: "test", ranks: 3)
        provenance.slurm = SlurmIDs.current(["SLURM_JOB_ID": "812", "SLURM_ARRAY_JOB_ID": "810", "SLURM_ARRAY_TASK_ID": "2",
                                             "SLURM_STEP_ID": "0"])
        let writer = try ResultsWriter.create(path: path, specText: Fixture.specText, specSHA256: Fixture.sha, provenance: provenance)
        try writer.append(records)
        try writer.flush()
        // Before close: the rows are in the journal only, and read back with their trace.
        let journaled = try ResultsReader.read(path: path)
        XCTAssertEqual(journaled.records.map(\.host).sorted(), records.map(\.host).sorted())
        try writer.close()
        let contents = try ResultsReader.read(path: path)
        let byKey = Dictionary(uniqueKeysWithValues: contents.records.map { ($0.key, $0) })
        for record in records {
            let back = try XCTUnwrap(byKey[record.key])
            XCTAssertEqual([back.host, back.startedUTC], [record.host, record.startedUTC])
            XCTAssertEqual(back.peakRSSBytes, record.peakRSSBytes)
        }
        let row = try XCTUnwrap(contents.provenance.last)
        XCTAssertEqual(row.provenance.slurm, SlurmIDs(job: "812", arrayJob: "810", arrayTask: "2", step: "0"))
        let peaks = records.reduce(into: [Int32: Int64]()) { $0[$1.rank] = max($0[$1.rank] ?? 0, $1.peakRSSBytes) }
        XCTAssertEqual(row.peakRSSByRank, ProvenanceRecord.peakRSSText(peaks))
        XCTAssert(row.peakRSSByRank.hasPrefix("1="), row.peakRSSByRank)
    }
}
