import Foundation
import ResultsFile
import TestSupport
import Vocabulary
import XCTest

final class MergeTests: XCTestCase {
    private func shardProvenance(_ shard: String, host: String) -> Provenance {
        var p = Fixture.provenance
        p.shard = shard
        p.hostnames = [host]
        return p
    }

    func testDisjointShardsMergeToTheSingleRunFile() throws {
        let dir = Scratch.directory(self)
        let records = SampleRecords.awkward()
        let single = try writeResultsFile(dir + "/single.h5", records: records)
        var shards: [[TaskRecord]] = [[], [], []]
        for (i, r) in records.shuffled().enumerated() { shards[i % 3].append(r) }
        var inputs: [String] = []
        for (i, rows) in shards.enumerated() {
            inputs.append(try writeResultsFile(dir + "/shard-\(i + 1).h5", records: rows,
                                               provenance: shardProvenance("\(i + 1)/3", host: "node\(i + 1)")))
        }
        let output = dir + "/merged.h5"
        let report = try mergeResults(inputs: inputs, output: output, provenance: Fixture.provenance)
        XCTAssertEqual(report.outputRows, records.count)
        XCTAssertEqual(report.identicalDuplicates, 0)
        XCTAssertEqual(report.inputRows, shards.map(\.count))

        let merged = try ResultsReader.read(path: output)
        assertSameRecords(merged.records, try ResultsReader.read(path: single).records)
        XCTAssertEqual(merged.provenance.map(\.event), ["run", "run", "run", "merge"])
        XCTAssertEqual(merged.provenance.map(\.sourceFile), ["shard-1.h5", "shard-2.h5", "shard-3.h5", "shard-1.h5,shard-2.h5,shard-3.h5"])
        XCTAssertEqual(merged.provenance.map(\.provenance.shard), ["1/3", "2/3", "3/3", ""])
        XCTAssertEqual(merged.attributes["hostnames"], "node1,node2,node3")
        XCTAssertEqual(merged.attributes["shard"], "1/3,2/3,3/3")
        XCTAssertEqual(merged.specText, Fixture.specText)
    }

    func testIdenticalDuplicatesCollapseAndJournalsOfKilledShardsCount() throws {
        let dir = Scratch.directory(self)
        let records = SampleRecords.awkward()
        let a = try writeResultsFile(dir + "/a.h5", records: Array(records[0..<40]))
        var b = Array(records[30...])
        for i in b.indices { b[i].wallSeconds = 1; b[i].rank = 9 }  // timing differs, results identical
        // b: a shard killed after a flush, its rows only in its journal.
        var writer: ResultsWriter? = try ResultsWriter.create(path: dir + "/b.h5", specText: Fixture.specText,
                                                              specSHA256: Fixture.sha, provenance: Fixture.provenance, policy: .manual)
        try writer!.append(b)
        try writer!.flush()
        writer = nil

        let report = try mergeResults(inputs: [a, dir + "/b.h5"], output: dir + "/merged.h5")
        XCTAssertEqual(report.identicalDuplicates, 10)
        XCTAssertEqual(report.journalRows, b.count)
        XCTAssertEqual(report.outputRows, records.count)
        let merged = try ResultsReader.read(path: dir + "/merged.h5").records
        assertSameRecords(merged, records.sorted { $0.key < $1.key }.map { r in
            records[0..<40].contains { $0.key == r.key } ? r : b.first { $0.key == r.key }!
        })
    }

    func testConflictingDuplicatesAreRefusedNamingTaskAndFiles() throws {
        let dir = Scratch.directory(self)
        let records = SampleRecords.awkward()
        var changed = records[7]
        changed.outcome.testLoss = changed.outcome.testLoss.nextUp
        let a = try writeResultsFile(dir + "/a.h5", records: Array(records[0..<10]))
        let b = try writeResultsFile(dir + "/b.h5", records: [changed])
        let error = expectResultsError { try mergeResults(inputs: [a, b], output: dir + "/m.h5") }
        let text = error?.description ?? ""
        XCTAssertTrue(text.contains(changed.key.description) && text.contains(a) && text.contains(b) && text.contains("test_loss"), text)
        XCTAssertEqual(error?.exitCode, 2)
        XCTAssertFalse(Scratch.exists(dir + "/m.h5"))
    }

    func testMismatchedSpecAndBadOutputsAreRefused() throws {
        let dir = Scratch.directory(self)
        let records = SampleRecords.awkward()
        let a = try writeResultsFile(dir + "/a.h5", records: Array(records[0..<10]))
        let b = try writeResultsFile(dir + "/b.h5", records: Array(records[10..<20]), sha: Fixture.otherSHA)
        let spec = expectResultsError { try mergeResults(inputs: [a, b], output: dir + "/m.h5") }
        XCTAssertEqual(spec?.description, "\(b) holds a different experiment: sha: \(a) \(Fixture.sha), \(b) \(Fixture.otherSHA); refusing to mix their tasks")

        let same = expectResultsError { try mergeResults(inputs: [a], output: a) }
        XCTAssertTrue(same?.description.contains("is also an input") ?? false, "\(String(describing: same))")
        let existing = try writeResultsFile(dir + "/existing.h5", records: [])
        let before = Scratch.bytes(existing)
        let exists = expectResultsError { try mergeResults(inputs: [a], output: existing) }
        XCTAssertTrue(exists?.description.contains("already exists") ?? false)
        XCTAssertEqual(Scratch.bytes(existing), before)
    }

    func testInputInUseIsRefused() throws {
        let dir = Scratch.directory(self)
        let running = try ResultsWriter.create(path: dir + "/a.h5", specText: Fixture.specText, specSHA256: Fixture.sha,
                                               provenance: Fixture.provenance)
        let error = expectResultsError { try mergeResults(inputs: [dir + "/a.h5"], output: dir + "/m.h5") }
        XCTAssertTrue(error?.description.contains("in use") ?? false)
        try running.close()
    }
}
