import CHDF5
import Foundation
import ResultsFile
import TestSupport
import Vocabulary
import XCTest

/// Damaged, foreign or missing files give a clear error naming the file, and are not changed.
final class DamagedFileTests: XCTestCase {
    private func bigFile() throws -> (dir: String, path: String) {
        let dir = Scratch.directory(self)
        let path = dir + "/run.h5"
        try writeResultsFile(path, records: SampleRecords.awkward(s: (1...20).map { Double($0) / 4 }, N: [16, 32, 64, 128, 256],
                                                            replicates: 10))
        return (dir, path)
    }

    /// Reads `path`, expects an error that names it, and checks the bytes on disk did not change.
    private func assertUnreadable(_ path: String, mentioning words: [String] = [],
                                  file: StaticString = #filePath, line: UInt = #line) {
        let before = Scratch.bytes(path)
        let error = expectResultsError({ _ = try ResultsReader.read(path: path) }, file: file, line: line)
        XCTAssertEqual(Scratch.bytes(path), before, "the file was modified", file: file, line: line)
        guard let error else { return }
        XCTAssertTrue(error.description.contains(path), "'\(error)' does not name the file", file: file, line: line)
        XCTAssertTrue(error.isBadInput, file: file, line: line)
        XCTAssertEqual(error.exitCode, 2, file: file, line: line)
        for word in words { XCTAssertTrue(error.description.contains(word), "'\(error)' lacks '\(word)'", file: file, line: line) }
    }

    func testTruncatedFile() throws {
        let (_, path) = try bigFile()
        let data = try XCTUnwrap(Scratch.bytes(path))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        assertUnreadable(path, mentioning: ["truncated"])
    }

    /// Damage anywhere in the file is either reported (naming the file) or harmless (the bytes
    /// were unused): never a silent misread.
    func testFlippedBytesAreReportedOrHarmless() throws {
        let (_, path) = try bigFile()
        let original = try XCTUnwrap(Scratch.bytes(path))
        let expected = try ResultsReader.read(path: path)
        var detected = 0, harmless = 0
        let offsets = [0, 12, 40] + (1..<60).map { original.count * $0 / 60 }
        for at in offsets {
            var damaged = original
            for i in at..<min(at + 8, damaged.count) { damaged[i] ^= 0xA5 }
            try damaged.write(to: URL(fileURLWithPath: path))
            do {
                let read = try ResultsReader.read(path: path)
                let same = read.records.count == expected.records.count
                    && zip(read.records, expected.records).allSatisfy { $0.hasSameResult(as: $1) && $0.outcome.message == $1.outcome.message
                        && $0.wallSeconds.bitPattern == $1.wallSeconds.bitPattern && $0.rank == $1.rank }
                    && read.specText == expected.specText && read.attributes == expected.attributes
                    && read.provenance == expected.provenance
                XCTAssertTrue(same, "bytes \(at)..<\(at + 8) of \(damaged.count) were misread silently")
                harmless += 1
            } catch let error as ResultsFileError {
                XCTAssertTrue(error.description.contains(path), "\(error)")
                detected += 1
            }
            XCTAssertEqual(Scratch.bytes(path), damaged, "reading changed the file")
        }
        XCTAssertGreaterThan(detected, offsets.count / 2, "\(detected) detected, \(harmless) harmless")
    }

    func testMissingEmptyAndForeignFiles() throws {
        let dir = Scratch.directory(self)
        let missing = dir + "/missing.h5"
        let error = expectResultsError { _ = try ResultsReader.read(path: missing) }
        XCTAssertEqual(error?.description, "\(missing): no such file")

        let empty = dir + "/empty.h5"
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        assertUnreadable(empty, mentioning: ["empty"])

        let text = dir + "/notes.h5"
        _ = FileManager.default.createFile(atPath: text, contents: Data("not HDF5 at all\n".utf8))
        assertUnreadable(text, mentioning: ["not an HDF5 file"])
    }

    func testJournalOfAnotherFormatVersionOrSpec() throws {
        let dir = Scratch.directory(self)
        let path = dir + "/run.h5"
        let writer = try ResultsWriter.create(path: path, specText: Fixture.specText, specSHA256: Fixture.sha,
                                              provenance: Fixture.provenance, policy: .manual)
        try writer.append(Array(SampleRecords.awkward().prefix(3)))
        try writer.flush()
        let journalPath = writer.journalPath
        let journal = try XCTUnwrap(Scratch.bytes(journalPath))

        var future = journal
        future[8] = 7  // format version 7, header checksum recomputed
        patchHeaderCRC(&future)
        try future.write(to: URL(fileURLWithPath: journalPath))
        var error = expectResultsError { _ = try ResultsReader.read(path: path) }
        XCTAssertTrue(error?.description.contains("written by an incompatible alphasweep format version 7") ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.description.contains(journalPath) ?? false)
        XCTAssertEqual(try ResultsReader.read(path: path, includeJournal: false).records.count, 0)

        var other = journal
        other.replaceSubrange(16..<80, with: Data(Fixture.otherSHA.utf8))
        patchHeaderCRC(&other)
        try other.write(to: URL(fileURLWithPath: journalPath))
        error = expectResultsError { _ = try ResultsReader.read(path: path) }
        XCTAssertTrue(error?.description.contains("different spec") ?? false, "\(String(describing: error))")

        var garbage = journal
        garbage[0] = 0x58
        try garbage.write(to: URL(fileURLWithPath: journalPath))
        error = expectResultsError { _ = try ResultsReader.read(path: path) }
        XCTAssertTrue(error?.description.contains("not an alphasweep journal") ?? false, "\(String(describing: error))")
        _ = writer
    }

    func testErrorsMapToExitCodes() {
        XCTAssertEqual(ResultsFileError.experimentMismatch(path: "a", differences: "sigma: archive 0.3, spec 0.25").exitCode, 2)
        XCTAssertEqual(ResultsFileError.inUse(path: "a", pid: 1, host: "h").exitCode, 2)
        XCTAssertEqual(ResultsFileError.noSpace(path: "a", detail: "").exitCode, 1)
        XCTAssertEqual(ResultsFileError.io(path: "a", operation: "writing", detail: "").exitCode, 1)
    }

    /// Recomputes the CRC-32 of a journal header (bytes 0..<80, stored little-endian at 80).
    private func patchHeaderCRC(_ data: inout Data) {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data.prefix(80) {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (0xEDB8_8320 ^ (crc >> 1)) : (crc >> 1) }
        }
        crc ^= 0xFFFF_FFFF
        for i in 0..<4 { data[80 + i] = UInt8((crc >> (8 * UInt32(i))) & 0xFF) }
    }
}

/// Files from another alphasweep format version (made here with the HDF5 C API, as a future
/// alphasweep would write them) are refused with a clear message.
final class FormatVersionTests: XCTestCase {
    func testOtherFormatVersionIsRefused() throws {
        let path = Scratch.directory(self) + "/future.h5"
        try writeResultsFile(path, records: Array(SampleRecords.awkward().prefix(3)))
        _ = alphasweep_h5_silence_errors()
        let file = H5Fopen(path, alphasweep_h5f_acc_rdwr(), alphasweep_h5p_default())
        XCTAssertGreaterThanOrEqual(file, 0)
        XCTAssertGreaterThanOrEqual(H5Adelete(file, "format_version"), 0)
        let space = H5Screate(H5S_SCALAR)
        let attribute = H5Acreate2(file, "format_version", alphasweep_h5t_std_i64le(), space,
                                   alphasweep_h5p_default(), alphasweep_h5p_default())
        var version: Int64 = 2
        XCTAssertGreaterThanOrEqual(H5Awrite(attribute, alphasweep_h5t_native_int64(), &version), 0)
        H5Aclose(attribute)
        H5Sclose(space)
        XCTAssertGreaterThanOrEqual(H5Fclose(file), 0)

        let error = expectResultsError { _ = try ResultsReader.read(path: path) }
        XCTAssertEqual(error?.description,
                       "\(path) was written by an incompatible alphasweep format version 2 (this alphasweep reads format version 1)")
        XCTAssertEqual(error?.exitCode, 2)
        XCTAssertNotNil(expectResultsError { _ = try ResultsWriter.resume(path: path, specSHA256: Fixture.sha, provenance: Fixture.provenance) })
    }
}
