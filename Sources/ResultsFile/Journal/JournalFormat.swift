import Vocabulary

/// The journal `FILE.h5.journal`: an append-only binary log of what happened since the
/// snapshot `FILE.h5` was written: finished tasks, and the work handed out (so that a crash
/// can be told from a clean stop, and a task that keeps crashing its worker can be given up on).
///
/// Layout (integers little-endian):
///
///     header  (84 bytes)  magic "ASWEEPJ\n" · u32 format version · u32 header size (84)
///                         · spec sha256 (64 ASCII hex bytes) · u32 CRC-32 of the 80 bytes before
///     record  (repeated)  u32 payload length L · payload (L bytes) · u32 CRC-32 of (length, payload)
///
/// Version 1 payload: a task record of layout 1 (`TaskRecord.encode(into:layout: 1)`:
/// optimizer (u8 length + UTF-8) · s (f64 bits) · N (i64) · replicate (i64) · test_loss,
/// train_loss, lr (f64 bits) · lr_at_grid_edge (u8) · status (u8 length + UTF-8) · message
/// (u32 length + UTF-8) · wall_seconds (f64 bits) · rank (i32)).
/// Version 2 payload: u8 entry kind, then
///     1  a task record of layout 2 (layout 1 · attempts (i32))
///     2  work handed out: a work unit (`WorkUnit.encode`)
///     3  work interrupted by a planned stop (a work unit): not a crash
/// Version 3 payload: as version 2, but kind 1 is a task record of layout 3 (layout 2 · host
/// (u8 length + UTF-8) · started_utc (u8 length + UTF-8) · peak_rss_bytes (i64)).
///
/// A record is valid only when it is complete and its CRC matches; the first record that is
/// not ends the journal (a torn tail from a crash mid-write), and the bytes from it on are
/// ignored and reported, never misread.
enum JournalFormat {
    static let magic: [UInt8] = Array("ASWEEPJ\n".utf8)
    /// The version this build writes; it reads 1, 2 and 3.
    static let version: UInt32 = 3
    static let headerSize = 84
    /// Longer payloads are taken as corruption (messages are capped far below this).
    static let maxPayload = 1 << 20

    /// What one record says.
    enum Entry {
        case result(TaskRecord)
        case dispatched(WorkUnit)
        case interrupted(WorkUnit)

        var kind: UInt8 {
            switch self {
            case .result: return 1
            case .dispatched: return 2
            case .interrupted: return 3
            }
        }
    }

    static func path(for resultsPath: String) -> String { resultsPath + ".journal" }

    static func header(specSHA256: String) -> [UInt8] {
        var writer = ByteWriter()
        writer.append(magic)
        writer.put(version)
        writer.put(UInt32(headerSize))
        let sha = Array(specSHA256.utf8)
        precondition(sha.count == 64, "spec sha256 must be 64 hex digits")
        writer.append(sha)
        writer.put(CRC32.checksum(writer.bytes[...]))
        return writer.bytes
    }

    /// Appends one framed record to `writer`.
    static func append(_ entry: Entry, to writer: inout ByteWriter) {
        let start = writer.bytes.count
        writer.put(UInt32(0))  // the payload's length, patched below
        writer.put(entry.kind)
        switch entry {
        case .result(let record): record.encode(into: &writer, layout: 3)
        case .dispatched(let unit), .interrupted(let unit): unit.encode(into: &writer)
        }
        writer.patch(UInt32(writer.bytes.count - start - 4), at: start)
        writer.put(CRC32.checksum(writer.bytes[start...]))
    }

    /// What a journal holds: its spec hash, its valid entries in file order, and what was ignored.
    struct Contents {
        var specSHA256: String
        var entries: [Entry]
        /// Bytes after the last valid record (a torn or corrupt tail), ignored.
        var ignoredBytes: Int
        /// Why the tail was ignored, for the report; nil when the journal ends cleanly.
        var tailProblem: String?
        /// Length of the header plus all valid records.
        var validLength: Int

        var records: [TaskRecord] {
            entries.compactMap { if case .result(let record) = $0 { return record } else { return nil } }
        }

        /// Tasks handed out and neither finished nor interrupted by a planned stop: work in
        /// flight when the writer died.
        var unfinished: Set<TaskKey> {
            var open = Set<TaskKey>()
            for entry in entries {
                switch entry {
                case .dispatched(let unit): open.formUnion(unit.tasks)
                case .interrupted(let unit): open.subtract(unit.tasks)
                case .result(let record): open.remove(record.key)
                }
            }
            return open
        }
    }

    /// Parses a whole journal file image. Throws for a file that is not a journal of a known
    /// version; tolerates (and reports) a torn header from a crash during creation and a torn
    /// or corrupt tail.
    static func parse(_ bytes: [UInt8], path: String) throws -> Contents {
        let prefixLength = Swift.min(bytes.count, magic.count)
        guard Array(bytes.prefix(prefixLength)) == Array(magic.prefix(prefixLength)) else {
            throw ResultsFileError.corrupt(path: path, detail: "not an alphasweep journal (bad magic)")
        }
        if bytes.count < headerSize {
            return Contents(specSHA256: "", entries: [], ignoredBytes: bytes.count,
                            tailProblem: bytes.isEmpty ? nil : "torn header (\(bytes.count) bytes) ignored",
                            validLength: 0)
        }
        var header = ByteReader(bytes[magic.count..<headerSize])
        let version = try header.read(UInt32.self)
        guard (1...3).contains(version) else {
            throw ResultsFileError.incompatibleFormat(path: path, found: Int(version), supported: Int(Self.version))
        }
        let declaredSize = try header.read(UInt32.self)
        let sha = String(decoding: try header.readBytes(64), as: UTF8.self)
        let crc = try header.read(UInt32.self)
        guard declaredSize == UInt32(headerSize), crc == CRC32.checksum(bytes[0..<80]) else {
            throw ResultsFileError.corrupt(path: path, detail: "journal header fails its checksum")
        }

        var entries: [Entry] = []
        var offset = headerSize
        var problem: String?
        while offset < bytes.count {
            let remaining = bytes.count - offset
            guard remaining >= 8 else { problem = "torn record at byte \(offset)"; break }
            var lengthReader = ByteReader(bytes[offset..<offset + 4])
            let length = Int(try lengthReader.read(UInt32.self))
            guard length <= maxPayload else { problem = "implausible record length at byte \(offset)"; break }
            guard remaining >= 8 + length else { problem = "torn record at byte \(offset)"; break }
            var crcReader = ByteReader(bytes[offset + 4 + length..<offset + 8 + length])
            let stored = try crcReader.read(UInt32.self)
            guard stored == CRC32.checksum(bytes[offset..<offset + 4 + length]) else {
                problem = "record at byte \(offset) fails its checksum"; break
            }
            var payload = ByteReader(bytes[offset + 4..<offset + 4 + length])
            guard let entry = try? decode(&payload, version: version), payload.isAtEnd else {
                throw ResultsFileError.corrupt(path: path, detail: "record at byte \(offset) has a valid checksum but cannot be decoded")
            }
            entries.append(entry)
            offset += 8 + length
        }
        return Contents(specSHA256: sha, entries: entries, ignoredBytes: bytes.count - offset,
                        tailProblem: problem, validLength: offset)
    }

    private static func decode(_ payload: inout ByteReader, version: UInt32) throws -> Entry {
        guard version >= 2 else { return .result(try TaskRecord.decode(from: &payload, layout: 1)) }
        switch try payload.read(UInt8.self) {
        case 1: return .result(try TaskRecord.decode(from: &payload, layout: version == 2 ? 2 : 3))
        case 2: return .dispatched(try WorkUnit.decode(from: &payload))
        case 3: return .interrupted(try WorkUnit.decode(from: &payload))
        case let kind: throw RecordDecodingError(column: "entry", problem: "unknown kind \(kind)")
        }
    }
}
