import Foundation
import Vocabulary
import XCTest

/// The record schema declared once (`TaskRecord.columns`) and what follows from it.
final class TaskRecordTests: XCTestCase {
    func sample(_ optimizer: OptimizerKind = .matSign, loss: Double = 0.125, message: String = "") -> TaskRecord {
        TaskRecord(key: TaskKey(optimizer: optimizer, s: 1.25, N: 64, replicate: 3),
                   outcome: TrainingOutcome(testLoss: loss, trainLoss: -0.0, lr: 10, lrAtGridEdge: true,
                                            status: message.isEmpty ? .ok : .failed, message: message),
                   wallSeconds: 0.5, rank: -7)
    }

    func testTheColumnsAreTheResultsFileLayout() {
        XCTAssertEqual(TaskRecord.columns.map(\.name), ["optimizer", "s", "N", "replicate", "test_loss", "train_loss", "lr",
                                                         "lr_at_grid_edge", "status", "message", "wall_seconds", "rank", "attempts",
                                                         "host", "started_utc", "peak_rss_bytes"])
        XCTAssertEqual(TaskRecord.columns.filter { $0.part == .key }.map(\.name), ["optimizer", "s", "N", "replicate"])
        XCTAssertEqual(TaskRecord.columns.filter { $0.part == .context }.map(\.name),
                       ["message", "wall_seconds", "rank", "attempts", "host", "started_utc", "peak_rss_bytes"])
        XCTAssertEqual(TaskRecord.columns(layout: 1).count, 12)
        XCTAssertEqual(TaskRecord.columns(layout: 2).count, 13)
        XCTAssertEqual(TaskRecord.layout, 3)
    }

    /// The journal's payload format (format version 1), byte for byte: a record written by
    /// an earlier version must keep decoding.
    func testTheByteEncodingIsTheJournalPayloadOfFormatVersion1() throws {
        var writer = ByteWriter()
        sample(message: "é").encode(into: &writer, layout: 1)
        var expected: [UInt8] = [7] + Array("MatSign".utf8)
        func le<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { expected += $0 } }
        le((1.25).bitPattern); le(Int64(64)); le(Int64(3))
        le((0.125).bitPattern); le((-0.0).bitPattern); le((10.0).bitPattern)
        expected.append(1)
        expected += [6] + Array("failed".utf8)
        le(UInt32(2)); expected += Array("é".utf8)
        le((0.5).bitPattern); le(Int32(-7))
        XCTAssertEqual(writer.bytes, expected)
        var reader = ByteReader(writer.bytes)
        let back = try TaskRecord.decode(from: &reader, layout: 1)
        XCTAssertTrue(reader.isAtEnd)
        XCTAssertEqual(back, sample(message: "é"))
        // Layout 2 appends the attempts.
        var retried = sample(message: "é")
        retried.attempts = 3
        var second = ByteWriter()
        retried.encode(into: &second, layout: 2)
        XCTAssertEqual(second.bytes, expected + [3, 0, 0, 0])
        var secondReader = ByteReader(second.bytes)
        XCTAssertEqual(try TaskRecord.decode(from: &secondReader, layout: 2), retried)
        // Layout 3 appends the trace: host and start (1-byte lengths), peak RSS (i64).
        var traced = retried
        traced.host = "node-7"
        traced.startedUTC = "2026-05-01T12:34:56.789Z"
        traced.peakRSSBytes = 1 << 30
        var third = ByteWriter()
        traced.encode(into: &third)
        var tail: [UInt8] = [6] + Array("node-7".utf8) + [24] + Array("2026-05-01T12:34:56.789Z".utf8)
        withUnsafeBytes(of: Int64(1 << 30).littleEndian) { tail += $0 }
        XCTAssertEqual(third.bytes, expected + [3, 0, 0, 0] + tail)
        var thirdReader = ByteReader(third.bytes)
        XCTAssertEqual(try TaskRecord.decode(from: &thirdReader), traced)
    }

    func testDecodingRefusesValuesNoRecordHolds() {
        func bytes(_ edit: (inout TaskRecord) -> Void) -> [UInt8] {
            var record = sample()
            edit(&record)
            var writer = ByteWriter()
            record.encode(into: &writer)
            return writer.bytes
        }
        for (label, raw) in [("NaN s", bytes { $0.key.instance.s = .nan }), ("zero N", bytes { $0.key.instance.N = 0 }),
                             ("negative replicate", bytes { $0.key.instance.replicate = -1 }),
                             ("negative s", bytes { $0.key.instance.s = -1 })] {
            var reader = ByteReader(raw)
            XCTAssertThrowsError(try TaskRecord.decode(from: &reader), label)
        }
        var unknown = ByteWriter()
        unknown.put("Lion", lengthBytes: 1)
        var reader = ByteReader(unknown.bytes)
        XCTAssertThrowsError(try TaskRecord.decode(from: &reader)) { error in
            XCTAssertEqual("\(error)", "optimizer: unknown optimizer 'Lion'")
        }
        var truncated = ByteReader(Array(bytes { _ in }.dropLast()))
        XCTAssertThrowsError(try TaskRecord.decode(from: &truncated))
    }

    func testEqualityIsBitwiseOverKeyAndResultColumnsOnly() {
        let a = sample()
        var b = a
        b.wallSeconds = 99
        b.rank = 3
        b.outcome.message = "another remark"
        XCTAssertTrue(a.hasSameResult(as: b), "context columns do not count")
        b.outcome.trainLoss = 0.0  // +0 against −0: different bits
        XCTAssertFalse(a.hasSameResult(as: b))
        XCTAssertEqual(a.resultDifference(b), "train_loss -0.0 (0x8000000000000000) vs 0.0 (0x0)")
        var nan1 = a, nan2 = a
        nan1.outcome.testLoss = .nan
        nan2.outcome.testLoss = .nan
        XCTAssertTrue(nan1.hasSameResult(as: nan2), "NaN equals NaN when the bits agree")
        var other = a
        other.key.instance.replicate = 4
        XCTAssertFalse(a.hasSameResult(as: other))
    }

    func testColumnsAndTablesRoundTrip() throws {
        let records = [sample(.gd), sample(.ng, loss: .infinity, message: "x")]
        var table: [String: ColumnValues] = [:]
        for column in TaskRecord.columns {
            // As HDF5 reads them back: integers widened to int64.
            switch column.values(records) {
            case .int32(let v): table[column.name] = .int64(v.map(Int64.init))
            case .int8(let v): table[column.name] = .int64(v.map(Int64.init))
            case let values: table[column.name] = values
            }
        }
        XCTAssertEqual(try TaskRecord.records(from: table), records)
        table["status"] = .text(["ok", "maybe"])
        XCTAssertThrowsError(try TaskRecord.records(from: table)) { error in
            XCTAssertEqual("\(error)", "row 1: status: unknown status 'maybe'")
        }
        table["N"] = .text(["a", "b"])
        XCTAssertThrowsError(try TaskRecord.records(from: table)) { error in
            XCTAssertEqual("\(error)", "N is not an integer dataset")
        }
    }

    func testTheCanonicalOrderIsInstanceThenOptimizer() {
        let keys = [TaskKey(optimizer: .ng, s: 0.5, N: 16, replicate: 1), TaskKey(optimizer: .gd, s: 0.5, N: 32, replicate: 0),
                    TaskKey(optimizer: .gd, s: 0.5, N: 16, replicate: 1), TaskKey(optimizer: .adam, s: 0.25, N: 1024, replicate: 9)]
        XCTAssertEqual(keys.sorted(), [keys[3], keys[2], keys[0], keys[1]])
        XCTAssertEqual(OptimizerKind.allCases.map(\.canonicalIndex), Array(0..<5))
        XCTAssertEqual(OptimizerKind.allCases.sorted(), OptimizerKind.allCases)
    }

    func testStringsAreCutAtACharacterBoundaryToFitTheirLength() throws {
        var writer = ByteWriter()
        writer.put(String(repeating: "é", count: 200), lengthBytes: 1)  // 400 bytes into at most 255
        var reader = ByteReader(writer.bytes)
        let back = try reader.readString(lengthBytes: 1)
        XCTAssertEqual(back, String(repeating: "é", count: 127))
    }
}

final class SweepGridTests: XCTestCase {
    func testAGridListsItsInstancesAndTasksInCanonicalOrder() {
        let grid = SweepGrid(N: [16, 32], s: [0.5, 1], replicates: 4..<6, optimizers: [.gd, .ng])
        XCTAssertEqual(grid.instanceCount, 8)
        XCTAssertEqual(grid.taskCount, 16)
        XCTAssertEqual(grid.instances.first, InstanceKey(s: 0.5, N: 16, replicate: 4))
        XCTAssertEqual(grid.tasks, grid.tasks.sorted())
        XCTAssertTrue(grid.contains(TaskKey(optimizer: .ng, s: 1, N: 32, replicate: 5)))
        XCTAssertFalse(grid.contains(TaskKey(optimizer: .ng, s: 1, N: 32, replicate: 3)))
        XCTAssertFalse(grid.contains(TaskKey(optimizer: .adam, s: 1, N: 32, replicate: 5)))
    }
}
