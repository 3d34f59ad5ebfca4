import Foundation
import ResultsFile
import TestSupport
import Vocabulary
import XCTest

final class CrashSafetyTests: XCTestCase {
    func testFlushedRowsAreReadableWithoutClose() throws {
        let path = Scratch.directory(self) + "/run.h5"
        let records = SampleRecords.awkward()
        let writer = try ResultsWriter.create(path: path, specText: Fixture.specText, specSHA256: Fixture.sha,
                                              provenance: Fixture.provenance, policy: .manual)
        try writer.append(Array(records[0..<40]))
        try writer.flush()
        try writer.append(Array(records[40..<45]))  // not flushed

        let live = try ResultsReader.read(path: path)
        XCTAssertEqual(live.records.count, 40)
        XCTAssertEqual(live.journal.rows, 40)
        XCTAssertEqual(try ResultsReader.read(path: path, includeJournal: false).records.count, 0)
        try writer.close()
    }

    func testKilledWriterLosesOnlyUnflushedRowsAndResumes() throws {
        let dir = Scratch.directory(self)
        let path = dir + "/run.h5"
        let child = try ChildProcess.run(mode: "crash", path: path)
        XCTAssertEqual(child.terminationReason, .uncaughtSignal)
        XCTAssertEqual(child.terminationStatus, SIGKILL)

        let records = SampleRecords.awkward()
        let contents = try ResultsReader.read(path: path)
        assertSameRecords(contents.records, Array(records[0..<50]).sorted { $0.key < $1.key })
        XCTAssertEqual(contents.journal.rows, 50)

        let (writer, existing, journal) = try ResultsWriter.resume(path: path, specSHA256: Fixture.sha,
                                                                   provenance: Fixture.provenance)
        XCTAssertEqual(existing.count, 50)
        XCTAssertEqual(journal.rows, 50)
        try writer.append(Array(records[50...]))
        try writer.close()
        let final = try ResultsReader.read(path: path)
        assertSameRecords(final.records, records.sorted { $0.key < $1.key })
        XCTAssertEqual(final.provenance.map(\.event), ["run", "resume"])
        XCTAssertEqual(final.provenance.map(\.rows), [0, records.count - 50])
        XCTAssertEqual(Scratch.listing(dir), ["run.h5"])
    }

    func testTornJournalTailIsIgnoredAndReported() throws {
        let path = Scratch.directory(self) + "/run.h5"
        let records = SampleRecords.awkward()
        let writer = try ResultsWriter.create(path: path, specText: Fixture.specText, specSHA256: Fixture.sha,
                                              provenance: Fixture.provenance, policy: .manual)
        try writer.append(Array(records[0..<10]))
        try writer.flush()
        let journalPath = writer.journalPath
        let complete = try XCTUnwrap(Scratch.bytes(journalPath))
        try writer.append(Array(records[10..<11]))
        try writer.flush()
        let longer = try XCTUnwrap(Scratch.bytes(journalPath))

        // A crash mid-write: half of the 11th record.
        let torn = longer.prefix(complete.count + (longer.count - complete.count) / 2)
        try torn.write(to: URL(fileURLWithPath: journalPath))
        var contents = try ResultsReader.read(path: path)
        XCTAssertEqual(contents.records.count, 10)
        XCTAssertEqual(contents.journal.ignoredBytes, torn.count - complete.count)
        XCTAssertNotNil(contents.journal.problem)

        // A complete record with a flipped bit: its CRC fails, it is not misread.
        var flipped = longer
        flipped[complete.count + 20] ^= 0x10
        try flipped.write(to: URL(fileURLWithPath: journalPath))
        contents = try ResultsReader.read(path: path)
        XCTAssertEqual(contents.records.count, 10)
        XCTAssertTrue(contents.journal.problem?.contains("checksum") ?? false)
        _ = writer  // dropped without close: as after a crash
    }

    func testCrashBetweenSnapshotAndJournalResetCollapsesDuplicates() throws {
        let path = Scratch.directory(self) + "/run.h5"
        let records = SampleRecords.awkward()
        var writer: ResultsWriter? = try ResultsWriter.create(path: path, specText: Fixture.specText, specSHA256: Fixture.sha,
                                                              provenance: Fixture.provenance, policy: .manual)
        try writer!.append(records)
        try writer!.flush()
        let journalPath = writer!.journalPath
        let journal = try XCTUnwrap(Scratch.bytes(journalPath))
        try writer!.checkpoint()
        writer = nil  // "crash"
        try journal.write(to: URL(fileURLWithPath: journalPath))  // the journal reset never happened

        let contents = try ResultsReader.read(path: path)
        assertSameRecords(contents.records, records.sorted { $0.key < $1.key })
        XCTAssertEqual(contents.journal.rows, 0)
        XCTAssertEqual(contents.journal.duplicateRows, records.count)
    }

    func testAutomaticCheckpointsKeepTheSnapshotCurrent() throws {
        let path = Scratch.directory(self) + "/run.h5"
        let records = SampleRecords.awkward(s: [0.5, 1, 1.5, 2, 2.5], N: [16, 32, 64, 128], replicates: 40)
        let writer = try ResultsWriter.create(path: path, specText: Fixture.specText, specSHA256: Fixture.sha,
                                              provenance: Fixture.provenance)
        for start in stride(from: 0, to: records.count, by: 20) {
            try writer.append(Array(records[start..<min(start + 20, records.count)]))
            try writer.flush()
        }
        XCTAssertGreaterThan(writer.snapshotCount, 2, "the journal outgrew the snapshot: checkpoints happened")
        XCTAssertGreaterThan(try ResultsReader.read(path: path, includeJournal: false).records.count, 0)
        try writer.close()
        XCTAssertEqual(try ResultsReader.read(path: path).records.count, records.count)
    }

    func testDiskFullKeepsSnapshotAndFlushedRows() throws {
        let dir = Scratch.directory(self)
        let path = dir + "/run.h5"
        let child = try ChildProcess.run(mode: "disk-full", path: path)
        XCTAssertEqual(child.terminationStatus, 0)
        let report = ChildProcess.report(path)
        let flushed = try XCTUnwrap(report["flushedRows"] as? Int)
        let flushError = try XCTUnwrap(report["flush"] as? String)
        XCTAssertTrue(flushError.hasPrefix("No space left on device while writing \(path).journal"), flushError)
        XCTAssertEqual(report["flushExitCode"] as? Int, 1)
        let checkpointError = try XCTUnwrap(report["checkpoint"] as? String)
        XCTAssertTrue(checkpointError.hasPrefix("No space left on device while writing \(path) "), checkpointError)
        XCTAssertTrue((report["close"] as? String)?.hasPrefix("No space left on device") ?? false, "\(report)")

        XCTAssertEqual(try ResultsReader.read(path: path, includeJournal: false).records.count, 0, "old snapshot intact")
        let contents = try ResultsReader.read(path: path)
        XCTAssertEqual(contents.records.count, flushed, "every flushed row survives")
        XCTAssertEqual(Scratch.listing(dir).filter { !$0.hasSuffix(".report.json") }, ["run.h5", "run.h5.journal"],
                       "no temporaries, no lock left behind")
        let (writer, existing, _) = try ResultsWriter.resume(path: path, specSHA256: Fixture.sha, provenance: Fixture.provenance)
        XCTAssertEqual(existing.count, flushed)
        try writer.close()
    }
}
