import Foundation
import Platform
import ResultsFile
import TestSupport
import Vocabulary
import XCTest

/// create/resume refusals, the writer lock, spec checks.
final class WriterLifecycleTests: XCTestCase {
    func testCreateRefusesExistingFileAndBadDirectories() throws {
        let dir = Scratch.directory(self)
        let path = try writeResultsFile(dir + "/run.h5", records: [])
        let before = Scratch.bytes(path)
        let error = expectResultsError {
            _ = try ResultsWriter.create(path: path, specText: "", specSHA256: Fixture.sha, provenance: Fixture.provenance)
        }
        XCTAssertTrue(error?.description.contains("\(path) already exists; use --resume") ?? false, "\(String(describing: error))")
        XCTAssertEqual(Scratch.bytes(path), before)

        let missingDir = dir + "/nope"
        let dirError = expectResultsError {
            _ = try ResultsWriter.create(path: missingDir + "/run.h5", specText: "", specSHA256: Fixture.sha, provenance: Fixture.provenance)
        }
        XCTAssertTrue(dirError?.description.contains(missingDir) ?? false, "\(String(describing: dirError))")
        XCTAssertEqual(dirError?.exitCode, 2)

        if getuid() != 0 {  // root ignores permissions
            let readOnly = dir + "/ro"
            try FileManager.default.createDirectory(atPath: readOnly, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o555])
            let roError = expectResultsError {
                _ = try ResultsWriter.create(path: readOnly + "/run.h5", specText: "", specSHA256: Fixture.sha, provenance: Fixture.provenance)
            }
            XCTAssertTrue(roError?.description.contains("not writable") ?? false, "\(String(describing: roError))")
        }
        XCTAssertNotNil(expectResultsError {
            _ = try ResultsWriter.create(path: dir + "/x.h5", specText: "", specSHA256: "abc", provenance: Fixture.provenance)
        })
    }

    func testSecondWriterIsRefusedWhileTheFirstHoldsTheLock() throws {
        let dir = Scratch.directory(self)
        let path = dir + "/run.h5"
        let first = try ResultsWriter.create(path: path, specText: Fixture.specText, specSHA256: Fixture.sha,
                                             provenance: Fixture.provenance)
        try first.append(Array(SampleRecords.awkward().prefix(5)))
        try first.flush()
        let listing = Scratch.listing(dir)
        let snapshot = Scratch.bytes(path), journal = Scratch.bytes(first.journalPath)

        let error = expectResultsError { _ = try ResultsWriter.resume(path: path, specSHA256: Fixture.sha, provenance: Fixture.provenance) }
        XCTAssertEqual(error?.description, "\(path) is in use by another alphasweep run (pid \(getpid()) on host \(HostName.current))")
        XCTAssertNotNil(expectResultsError { try writeAnalysis(to: path, numericColumns: [:], stringColumns: [:], attributes: [:]) })
        XCTAssertEqual(Scratch.listing(dir), listing)
        XCTAssertEqual(Scratch.bytes(path), snapshot)
        XCTAssertEqual(Scratch.bytes(first.journalPath), journal)
        try first.close()
    }

    func testLockHeldByAnotherProcessVanishesWhenItIsKilled() throws {
        let dir = Scratch.directory(self)
        let path = dir + "/run.h5"
        let child = try ChildProcess.start(mode: "hold-lock", path: path)
        defer { if child.isRunning { kill(child.processIdentifier, SIGKILL) } }
        XCTAssertTrue(ChildProcess.waitFor(path + ".ready"))

        let error = expectResultsError { _ = try ResultsWriter.resume(path: path, specSHA256: Fixture.sha, provenance: Fixture.provenance) }
        XCTAssertTrue(error?.description.contains("is in use by another alphasweep run (pid \(child.processIdentifier) on host") ?? false,
                      "\(String(describing: error))")
        let createError = expectResultsError {
            _ = try ResultsWriter.create(path: path, specText: "", specSHA256: Fixture.sha, provenance: Fixture.provenance)
        }
        XCTAssertTrue(createError?.description.contains("in use") ?? false)

        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        let (writer, existing, _) = try ResultsWriter.resume(path: path, specSHA256: Fixture.sha, provenance: Fixture.provenance)
        XCTAssertEqual(existing.count, 20)
        try writer.close()
    }

    func testResumeWithAnotherSpecIsRefusedAndTouchesNothing() throws {
        let dir = Scratch.directory(self)
        let path = dir + "/run.h5"
        var writer: ResultsWriter? = try ResultsWriter.create(path: path, specText: Fixture.specText, specSHA256: Fixture.sha,
                                                              provenance: Fixture.provenance, policy: .manual)
        try writer!.append(Array(SampleRecords.awkward().prefix(5)))
        try writer!.checkpoint()
        try writer!.append(Array(SampleRecords.awkward()[5..<8]))
        try writer!.flush()
        let journalPath = writer!.journalPath
        writer = nil  // as after a crash: snapshot and journal on disk, lock gone
        let listing = Scratch.listing(dir)
        let snapshot = Scratch.bytes(path), journal = Scratch.bytes(journalPath)

        let error = expectResultsError { _ = try ResultsWriter.resume(path: path, specSHA256: Fixture.otherSHA, provenance: Fixture.provenance) }
        XCTAssertEqual(error?.description,
                       "\(path) holds a different experiment: sha: archive \(Fixture.sha), spec \(Fixture.otherSHA); refusing to mix their tasks")
        XCTAssertEqual(error?.exitCode, 2)
        XCTAssertEqual(Scratch.bytes(path), snapshot)
        XCTAssertEqual(Scratch.bytes(journalPath), journal)
        XCTAssertEqual(Scratch.listing(dir), listing)

        let missing = expectResultsError { _ = try ResultsWriter.resume(path: dir + "/none.h5", specSHA256: Fixture.sha, provenance: Fixture.provenance) }
        XCTAssertEqual(missing?.exitCode, 2)
    }

    func testOperationsAfterCloseAreRefused() throws {
        let path = Scratch.directory(self) + "/run.h5"
        let writer = try ResultsWriter.create(path: path, specText: "", specSHA256: Fixture.sha, provenance: Fixture.provenance)
        try writer.close()
        XCTAssertTrue(writer.isClosed)
        XCTAssertNotNil(expectResultsError { try writer.append(SampleRecords.awkward()[0]) })
    }
}
