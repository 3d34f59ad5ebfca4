import Numerics
import Sweep

/// The journal `FILE.h5.journal`: an append-only binary log of finished tasks that have not yet
/// been folded into the snapshot `FILE.h5`.
///
/// Layout (integers little-endian):
///
///     header  (84 bytes)  magic "ASWEEPJ\n" · u32 format version · u32 header size (84)
///                         · spec sha256 (64 ASCII hex bytes) · u32 CRC-32 of the 80 bytes before
///     record  (repeated)  u32 payload length L · payload (L bytes) · u32 CRC-32 of (length, payload)
///     payload             u8 n + optimizer (UTF-8) · s (f64 bits) · N (i64) · replicate (i64)
///                         · test_loss, train_loss, lr (f64 bits) · lr_at_grid_edge (u8)
///                         · u8 n + status (UTF-8) · u32 n + message (UTF-8) · wall_seconds (f64 bits)
///                         · rank (i32)
///
/// A record is valid only when it is complete and its CRC matches; the first record that is
/// not ends the journal (a torn tail from a crash mid-write), and the bytes from it on are
/// ignored and reported, never misread.
enum JournalFormat {
    static let magic: [UInt8] = Array("ASWEEPJ\n".utf8)
    static let version: UInt32 = 1
    static let headerSize = 84
    /// Longer payloads are taken as corruption (messages are capped far below this).
    static let maxPayload = 1 << 20

    static func path(for resultsPath: String) -> String { resultsPath + ".journal" }

    static func header(specSHA256: String) -> [UInt8] {
        var bytes = magic
        bytes.appendLE(version)
        bytes.appendLE(UInt32(headerSize))
        let sha = Array(specSHA256.utf8)
        precondition(sha.count == 64, "spec sha256 must be 64 hex digits")
        bytes += sha
        bytes.appendLE(CRC32.checksum(bytes[...]))
        return bytes
    }

    /// Appends one framed record to `out`.
    static func appendRecord(_ r: TaskRecord, to out: inout [UInt8]) {
        let start = out.count
        out.appendLE(UInt32(0))  // length, patched below
        out.appendShortString(r.key.optimizer.rawValue)
        out.appendLE(r.key.s.bitPattern)
        out.appendLE(Int64(r.key.N))
        out.appendLE(Int64(r.key.replicate))
        out.appendLE(r.outcome.testLoss.bitPattern)
        out.appendLE(r.outcome.trainLoss.bitPattern)
        out.appendLE(r.outcome.lr.bitPattern)
        out.append(r.outcome.lrAtGridEdge ? 1 : 0)
        out.appendShortString(r.outcome.status.rawValue)
        let message = Array(r.outcome.message.utf8)
        out.appendLE(UInt32(message.count))
        out += message
        out.appendLE(r.wallSeconds.bitPattern)
        out.appendLE(r.rank)
        let length = UInt32(out.count - start - 4)
        withUnsafeBytes(of: length.littleEndian) { raw in
            for i in 0..<4 { out[start + i] = raw[i] }
        }
        out.appendLE(CRC32.checksum(out[start...]))
    }

    /// What a journal holds: its spec hash, its valid records in file order, and what was ignored.
    struct Contents {
        var specSHA256: String
        var records: [TaskRecord]
        /// Bytes after the last valid record (a torn or corrupt tail), ignored.
        var ignoredBytes: Int
        /// Why the tail was ignored, for the report; nil when the journal ends cleanly.
        var tailProblem: String?
        /// Length of the header plus all valid records.
        var validLength: Int
    }

    /// Parses a whole journal file image. Throws for a file that is not a journal of this
    /// format; tolerates (and reports) a torn header from a crash during creation and a torn
    /// or corrupt tail.
    static func parse(_ bytes: [UInt8], path: String) throws -> Contents {
        let prefixLength = Swift.min(bytes.count, magic.count)
        guard Array(bytes.prefix(prefixLength)) == Array(magic.prefix(prefixLength)) else {
            throw ResultsFileError.corrupt(path: path, detail: "not an alphasweep journal (bad magic)")
        }
        if bytes.count < headerSize {
            return Contents(specSHA256: "", records: [], ignoredBytes: bytes.count,
                            tailProblem: bytes.isEmpty ? nil : "torn header (\(bytes.count) bytes) ignored",
                            validLength: 0)
        }
        var header = ByteReader(bytes: bytes[0..<headerSize])
        header.offset = magic.count
        let version: UInt32 = header.readLE()!
        guard version == Self.version else {
            throw ResultsFileError.incompatibleFormat(path: path, found: Int(version), supported: Int(Self.version))
        }
        let declaredSize: UInt32 = header.readLE()!
        let sha = String(decoding: bytes[16..<80], as: UTF8.self)
        var crcReader = ByteReader(bytes: bytes[80..<84])
        let crc: UInt32 = crcReader.readLE()!
        guard declaredSize == UInt32(headerSize), crc == CRC32.checksum(bytes[0..<80]) else {
            throw ResultsFileError.corrupt(path: path, detail: "journal header fails its checksum")
        }

        var records: [TaskRecord] = []
        var offset = headerSize
        var problem: String?
        while offset < bytes.count {
            let remaining = bytes.count - offset
            guard remaining >= 8 else { problem = "torn record at byte \(offset)"; break }
            var lengthReader = ByteReader(bytes: bytes[offset..<offset + 4])
            let length = Int(lengthReader.readLE()! as UInt32)
            guard length <= maxPayload else { problem = "implausible record length at byte \(offset)"; break }
            guard remaining >= 8 + length else { problem = "torn record at byte \(offset)"; break }
            var crcReader = ByteReader(bytes: bytes[offset + 4 + length..<offset + 8 + length])
            let stored: UInt32 = crcReader.readLE()!
            guard stored == CRC32.checksum(bytes[offset..<offset + 4 + length]) else {
                problem = "record at byte \(offset) fails its checksum"; break
            }
            guard let record = decodePayload(bytes[offset + 4..<offset + 4 + length]) else {
                throw ResultsFileError.corrupt(path: path, detail: "record at byte \(offset) has a valid checksum but cannot be decoded")
            }
            records.append(record)
            offset += 8 + length
        }
        return Contents(specSHA256: sha, records: records, ignoredBytes: bytes.count - offset,
                        tailProblem: problem, validLength: offset)
    }

    private static func decodePayload(_ payload: ArraySlice<UInt8>) -> TaskRecord? {
        var r = ByteReader(bytes: payload)
        guard let optimizerName = r.readShortString(), let optimizer = OptimizerKind(rawValue: optimizerName),
              let sBits: UInt64 = r.readLE(), let n: Int64 = r.readLE(), let replicate: Int64 = r.readLE(),
              let test: UInt64 = r.readLE(), let train: UInt64 = r.readLE(), let lr: UInt64 = r.readLE(),
              let edge = r.readByte(),
              let statusName = r.readShortString(), let status = TrainingOutcome.Status(rawValue: statusName),
              let messageLength: UInt32 = r.readLE(), let message = r.readString(count: Int(messageLength)),
              let wall: UInt64 = r.readLE(), let rank: Int32 = r.readLE(), r.isAtEnd
        else { return nil }
        return TaskRecord(
            key: TaskKey(optimizer: optimizer, s: Double(bitPattern: sBits), N: Int(n), replicate: Int(replicate)),
            outcome: TrainingOutcome(testLoss: Double(bitPattern: test), trainLoss: Double(bitPattern: train),
                                     lr: Double(bitPattern: lr), lrAtGridEdge: edge != 0,
                                     status: status, message: message),
            wallSeconds: Double(bitPattern: wall), rank: rank)
    }
}

/// Bounds-checked little-endian reads from a byte slice.
struct ByteReader {
    let bytes: ArraySlice<UInt8>
    var offset: Int

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.offset = 0
    }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func readLE<T: FixedWidthInteger>() -> T? {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else { return nil }
        var value: T = 0
        let base = bytes.startIndex + offset
        for i in 0..<size { value |= T(truncatingIfNeeded: bytes[base + i]) << (8 * i) }
        offset += size
        return value
    }

    mutating func readByte() -> UInt8? { readLE() as UInt8? }

    mutating func readString(count: Int) -> String? {
        guard count >= 0, offset + count <= bytes.count else { return nil }
        let base = bytes.startIndex + offset
        offset += count
        return String(decoding: bytes[base..<base + count], as: UTF8.self)
    }

    mutating func readShortString() -> String? {
        guard let n = readByte() else { return nil }
        return readString(count: Int(n))
    }
}

extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// A string of at most 255 UTF-8 bytes (optimizer and status names) with a one-byte length.
    mutating func appendShortString(_ s: String) {
        let utf8 = Array(s.utf8.prefix(255))
        append(UInt8(utf8.count))
        append(contentsOf: utf8)
    }
}
