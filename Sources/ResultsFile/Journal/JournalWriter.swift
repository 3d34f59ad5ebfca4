import Foundation
import Vocabulary
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends entries to a journal: ``append(_:)`` buffers in memory, ``flush()`` writes the
/// buffer after the last durable record and fsyncs.
///
/// A failed write (ENOSPC, EFBIG, …) may leave part of a record on disk; the next flush first
/// truncates the file back to the last durable record, so a later success never follows a
/// torn record (which would hide everything after it from readers).
final class JournalWriter {
    let path: String
    private var fd: Int32
    private var buffer = ByteWriter()
    /// Bytes of the file known to be complete, fsynced records (header included).
    private var durableLength: Int
    private var mayHaveTornTail = false

    private init(path: String, fd: Int32, durableLength: Int) {
        self.path = path
        self.fd = fd
        self.durableLength = durableLength
    }

    deinit { close() }

    /// Bytes buffered and not yet written.
    var bufferedBytes: Int { buffer.bytes.count }

    /// Creates an empty journal (header only) atomically, replacing any journal at `path`:
    /// readers see the old journal or the new one, never a torn header.
    static func create(path: String, specSHA256: String) throws -> JournalWriter {
        let temporary = FileSystem.temporaryPath(for: path)
        try FileSystem.requireWritableKind(path, role: "journals")
        unlink(temporary)  // a leftover of a crashed process with our pid (or a planted link: unlink does not follow)
        let fd = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystem.error(errno, path: path, operation: "create") }
        do {
            let header = JournalFormat.header(specSHA256: specSHA256)
            try header.withUnsafeBytes { try FileSystem.writeAll(fd: fd, $0, path: path) }
            try FileSystem.syncFile(fd: fd, path: path)
            guard rename(temporary, path) == 0 else { throw FileSystem.error(errno, path: path, operation: "rename") }
            try FileSystem.fsyncDirectory(of: path)
            return JournalWriter(path: path, fd: fd, durableLength: header.count)
        } catch {
            FileSystem.closeDescriptor(fd)
            unlink(temporary)
            throw error
        }
    }

    func append(_ entry: JournalFormat.Entry) {
        JournalFormat.append(entry, to: &buffer)
    }

    /// Makes every buffered record durable. On failure the buffer is kept, so a later flush
    /// (after space was freed) can retry; the records already durable stay readable.
    func flush() throws {
        guard fd >= 0 else { throw ResultsFileError.io(path: path, operation: "writing", detail: "journal is closed") }
        guard !buffer.bytes.isEmpty || mayHaveTornTail else { return }
        if mayHaveTornTail {
            guard ftruncate(fd, off_t(durableLength)) == 0 else {
                throw FileSystem.error(errno, path: path, operation: "truncate torn tail")
            }
        }
        mayHaveTornTail = true
        try buffer.bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = pwrite(fd, raw.baseAddress! + offset, raw.count - offset, off_t(durableLength + offset))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileSystem.error(errno, path: path, operation: "write")
                }
                offset += n
            }
        }
        try FileSystem.syncFile(fd: fd, path: path)
        mayHaveTornTail = false
        durableLength += buffer.bytes.count
        buffer = ByteWriter()
    }

    /// Forgets buffered records (after a snapshot made them durable).
    func discardBuffer() {
        buffer = ByteWriter()
    }

    func close() {
        guard fd >= 0 else { return }
        FileSystem.closeDescriptor(fd)
        fd = -1
    }
}
