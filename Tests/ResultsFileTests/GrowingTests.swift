import CHDF5
import Foundation
import ResultsFile
import TestSupport
import Vocabulary
import XCTest

/// An archive grows: the experiment decides what may be mixed, the grid is recorded per run,
/// crashes and retries are counted.
final class GrowingTests: XCTestCase {
    let small = "N: 16 32\ns: 0.5 1.0\nreplicates: 0..2\noptimizers: GD Adam MatSign SqrtNG NG\n"
    let grown = "N: 16 32\ns: 0.5 1.0\nreplicates: 0..5\noptimizers: GD Adam MatSign SqrtNG NG\n"

    func testResumingWithAGrownGridKeepsEveryRowAndRecordsTheNewGrid() throws {
        let dir = Scratch.directory(self)
        let path = dir + "/archive.h5"
        let first = SampleRecords.awkward(replicates: 3)
        try writeResultsFile(path, records: first)
        let identity = Fixture.identity(specText: "grown spec", sha: Fixture.sha, grid: grown)
        let resumed = try ResultsWriter.resume(path: path, identity: identity, provenance: Fixture.provenance,
                                               identify: Fixture.identify)
        assertSameRecords(resumed.existing, first)
        let more = SampleRecords.awkward(replicates: 6, seed: 1).filter { $0.key.replicate >= 3 }
        try resumed.writer.append(more)
        try resumed.writer.close()

        let contents = try ResultsReader.read(path: path)
        assertSameRecords(Array(contents.records.filter { $0.key.replicate < 3 }), first)
        XCTAssertEqual(contents.records.count, first.count + more.count)
        XCTAssertEqual(contents.specText, "grown spec")
        XCTAssertEqual(contents.experiment?.sha256, Fixture.sha)
        XCTAssertEqual(contents.provenance.map(\.event), ["run", "resume"])
        XCTAssertEqual(contents.provenance.map(\.grid), [small, grown])
        XCTAssertEqual(contents.grids, [small, grown])
        XCTAssertEqual(contents.attributes["grid"], grown, "the hull of the runs' grids")
    }

    func testADifferentExperimentIsRefusedNamingTheSettingAndTouchesNothing() throws {
        let dir = Scratch.directory(self)
        let path = try writeResultsFile(dir + "/archive.h5", records: SampleRecords.awkward())
        let before = Scratch.bytes(path)
        var identity = Fixture.identity(sha: Fixture.otherSHA)
        identity.experimentText = "alphasweep-experiment 1\nsigma: 0.25\nT: 16\n"
        let error = expectResultsError {
            _ = try ResultsWriter.resume(path: path, identity: identity, provenance: Fixture.provenance, identify: Fixture.identify)
        }
        XCTAssertEqual(error?.description, "\(path) holds a different experiment: sha: archive \(Fixture.sha), spec (absent); "
                       + "T: archive (absent), spec 16; sigma: archive (absent), spec 0.25; refusing to mix their tasks")
        XCTAssertEqual(error?.exitCode, 2)
        XCTAssertEqual(Scratch.bytes(path), before)
        XCTAssertEqual(Scratch.listing(dir), ["archive.h5"])
    }

    /// Work noted as handed out and never finished counts as a crash at the next resume (and
    /// at close, for work abandoned unplanned); after `crashLimit` crashes the task is given up.
    func testWorkInFlightWhenTheWriterDiesCountsAsACrashUpToTheLimit() throws {
        let dir = Scratch.directory(self)
        let path = dir + "/run.h5"
        try writeResultsFile(path, records: [])
        let poison = WorkUnit(instance: InstanceKey(s: 1, N: 16, replicate: 0), optimizers: [.gd, .ng], cost: 1)
        let fine = WorkUnit(instance: InstanceKey(s: 1, N: 32, replicate: 0), optimizers: [.gd], cost: 1)
        for round in 1...3 {
            let resumed = try ResultsWriter.resume(path: path, identity: Fixture.identity(), provenance: Fixture.provenance,
                                                   identify: Fixture.identify, crashLimit: 3)
            XCTAssertEqual(resumed.crashed, round == 1 ? 0 : 2, "round \(round)")
            var writer: ResultsWriter? = resumed.writer
            try writer!.noteDispatched([poison, fine])
            try writer!.append(SampleRecords.record(TaskKey(optimizer: .gd, instance: fine.instance), loss: 1))
            try writer!.flush()
            writer = nil  // dies with the poison unit in flight
            if round > 1 {
                let contents = try ResultsReader.read(path: path)
                XCTAssertEqual(contents.attempts[TaskKey(optimizer: .gd, instance: poison.instance)],
                               TaskAttempts(attempts: round - 1, crashes: round - 1))
            }
        }
        let last = try ResultsWriter.resume(path: path, identity: Fixture.identity(), provenance: Fixture.provenance,
                                            identify: Fixture.identify, crashLimit: 3)
        XCTAssertEqual(last.crashed, 2)
        XCTAssertEqual(last.givenUp.map(\.key), poison.tasks)
        XCTAssertTrue(last.givenUp.allSatisfy { $0.outcome.status == .failed && $0.outcome.message == "crashed its worker 3 times" && $0.attempts == 3 })
        XCTAssertEqual(Set(last.existing.map(\.key)), Set(poison.tasks + fine.tasks))
        try last.writer.close()
        let contents = try ResultsReader.read(path: path)
        XCTAssertTrue(contents.attempts.isEmpty)

        // Retrying gives it another chance; its attempts carry on.
        let retry = try ResultsWriter.resume(path: path, identity: Fixture.identity(), provenance: Fixture.provenance,
                                             identify: Fixture.identify, retryFailed: true)
        XCTAssertEqual(retry.retried, 2)
        XCTAssertEqual(Set(retry.existing.map(\.key)), Set(fine.tasks))
        try retry.writer.append(poison.tasks.map { SampleRecords.record($0, loss: 0.5) })
        try retry.writer.close()
        let after = try ResultsReader.read(path: path).records.filter { poison.tasks.contains($0.key) }
        XCTAssertEqual(after.map(\.attempts), [4, 4])
        XCTAssertTrue(after.allSatisfy { $0.outcome.status == .ok })
    }

    func testAPlannedStopIsNotACrash() throws {
        let dir = Scratch.directory(self)
        let path = dir + "/run.h5"
        try writeResultsFile(path, records: [])
        let unit = WorkUnit(instance: InstanceKey(s: 1, N: 16, replicate: 0), optimizers: [.gd], cost: 1)
        var resumed = try ResultsWriter.resume(path: path, identity: Fixture.identity(), provenance: Fixture.provenance,
                                               identify: Fixture.identify)
        try resumed.writer.noteDispatched([unit])
        try resumed.writer.noteInterrupted([unit])
        try resumed.writer.close()
        XCTAssertTrue(try ResultsReader.read(path: path).attempts.isEmpty)
        // Abandoned without the note (SIGTERM, a lost rank): a crash, recorded at close.
        resumed = try ResultsWriter.resume(path: path, identity: Fixture.identity(), provenance: Fixture.provenance,
                                           identify: Fixture.identify)
        try resumed.writer.noteDispatched([unit])
        try resumed.writer.close()
        XCTAssertEqual(try ResultsReader.read(path: path).attempts, [unit.tasks[0]: TaskAttempts(attempts: 1, crashes: 1)])
    }

    /// A checkpoint resets the journal; the work still in flight is noted again in the new one.
    func testWorkInFlightSurvivesACheckpoint() throws {
        let dir = Scratch.directory(self)
        let path = dir + "/run.h5"
        let unit = WorkUnit(instance: InstanceKey(s: 1, N: 16, replicate: 0), optimizers: [.gd, .adam], cost: 1)
        var writer: ResultsWriter? = try ResultsWriter.create(path: path, identity: Fixture.identity(), provenance: Fixture.provenance)
        try writer!.noteDispatched([unit])
        try writer!.append(SampleRecords.record(unit.tasks[0], loss: 1))
        try writer!.checkpoint()
        writer = nil
        let resumed = try ResultsWriter.resume(path: path, identity: Fixture.identity(), provenance: Fixture.provenance,
                                               identify: Fixture.identify)
        XCTAssertEqual(resumed.crashed, 1, "only the unfinished Adam task")
        try resumed.writer.close()
        XCTAssertEqual(Array(try ResultsReader.read(path: path).attempts.keys), [unit.tasks[1]])
    }

    func testMergeAcrossGridsWritesTheUnionAndKeepsEachGrid() throws {
        let dir = Scratch.directory(self)
        let all = SampleRecords.awkward(replicates: 6)
        let a = dir + "/a.h5", b = dir + "/b.h5"
        let writerA = try ResultsWriter.create(path: a, identity: Fixture.identity(grid: small), provenance: Fixture.provenance)
        try writerA.append(all.filter { $0.key.replicate < 3 })
        try writerA.close()
        let writerB = try ResultsWriter.create(path: b, identity: Fixture.identity(grid: grown), provenance: Fixture.provenance)
        try writerB.append(all.filter { $0.key.replicate >= 2 })   // overlaps a in replicate 2
        try writerB.close()
        let report = try mergeResults(inputs: [a, b], output: dir + "/m.h5")
        let overlap = all.filter { $0.key.replicate == 2 }.count
        XCTAssertEqual(report.identicalDuplicates, overlap)
        let merged = try ResultsReader.read(path: dir + "/m.h5")
        assertSameRecords(merged.records, all)
        XCTAssertEqual(merged.provenance.map(\.grid), [small, grown, grown])
        XCTAssertEqual(merged.experiment?.sha256, Fixture.sha)
    }

    /// Files from before experiments were recorded: their experiment and grid come from /spec.
    func testAFileWithoutExperimentAttributesIsIdentifiedByItsSpec() throws {
        let dir = Scratch.directory(self)
        let path = dir + "/old.h5"
        try writeResultsFile(path, records: SampleRecords.awkward())
        _ = alphasweep_h5_silence_errors()
        let file = H5Fopen(path, alphasweep_h5f_acc_rdwr(), alphasweep_h5p_default())
        XCTAssertGreaterThanOrEqual(H5Adelete(file, "experiment_sha256"), 0)
        XCTAssertGreaterThanOrEqual(H5Adelete(file, "experiment"), 0)
        XCTAssertGreaterThanOrEqual(H5Fclose(file), 0)
        XCTAssertNil(try ResultsReader.read(path: path).experiment)
        let identify: IdentifySpec = { text in
            XCTAssertEqual(text, Fixture.specText)
            return Fixture.identity(grid: self.small)
        }
        let resumed = try ResultsWriter.resume(path: path, identity: Fixture.identity(grid: grown), provenance: Fixture.provenance,
                                               identify: identify)
        try resumed.writer.close()
        XCTAssertEqual(try ResultsReader.read(path: path).experiment?.sha256, Fixture.sha)
    }
}
