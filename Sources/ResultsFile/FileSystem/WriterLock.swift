import Foundation
import Platform
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The writer lock of a results file: `FILE.h5.lock`, held with `flock(LOCK_EX | LOCK_NB)` for
/// the lifetime of the one process that may replace `FILE.h5` and its journal.
///
/// flock locks belong to the open file and vanish when the process dies, so `kill -9` never
/// leaves a stale lock. The lock file holds "pid=N host=H" for the error message of a second
/// writer; it is removed on release (after which a process that had opened the old file
/// notices that the path now names another inode, and retries).
final class WriterLock {
    /// The results file this lock protects.
    let resultsPath: String
    /// `resultsPath + ".lock"`.
    let path: String
    private var fd: Int32

    static func path(for resultsPath: String) -> String { resultsPath + ".lock" }

    private init(resultsPath: String, path: String, fd: Int32) {
        self.resultsPath = resultsPath
        self.path = path
        self.fd = fd
    }

    deinit { release() }

    /// Takes the lock or throws ``ResultsFileError/inUse(path:pid:host:)`` without touching
    /// anything else.
    static func acquire(for resultsPath: String) throws -> WriterLock {
        let lockPath = path(for: resultsPath)
        for _ in 0..<16 {
            // O_NOFOLLOW: a lock "file" that is a link to someone else's file is never opened
            // for writing (and so never truncated); O_NONBLOCK: a FIFO does not hang the open.
            let fd = open(lockPath, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                let code = errno
                if code == ELOOP || code == ENXIO || code == EISDIR { try FileSystem.requireWritableKind(lockPath, role: "lock files") }
                if code == EACCES || code == EROFS {
                    throw ResultsFileError.unusableDirectory(path: FileSystem.directory(of: lockPath),
                                                             reason: "cannot create \(lockPath): \(FileSystem.errnoText(code))")
                }
                throw FileSystem.error(code, path: lockPath, operation: "create lock file")
            }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                if code == EWOULDBLOCK || code == EAGAIN {
                    let holder = Self.readHolder(fd: fd)
                    close(fd)
                    throw ResultsFileError.inUse(path: resultsPath, pid: holder.pid, host: holder.host)
                }
                close(fd)
                if code == EINTR { continue }
                throw ResultsFileError.io(path: lockPath, operation: "locking",
                                          detail: FileSystem.errnoText(code)
                                            + " (the file system does not support flock; on Lustre mount with -o flock)")
            }
            var kind = stat()
            if fstat(fd, &kind) != 0 || (kind.st_mode & S_IFMT) != S_IFREG {
                close(fd)
                throw ResultsFileError.notARegularFile(path: lockPath, role: "lock files", what: "not a regular file")
            }
            // The holder before us may have unlinked the file we opened: lock the file the path names now.
            var opened = stat(), named = stat()
            if fstat(fd, &opened) != 0 || lstat(lockPath, &named) != 0
                || opened.st_ino != named.st_ino || opened.st_dev != named.st_dev {
                close(fd)
                continue
            }
            let text = "pid=\(getpid()) host=\(HostName.current)\n"
            _ = ftruncate(fd, 0)
            _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
            return WriterLock(resultsPath: resultsPath, path: lockPath, fd: fd)
        }
        throw ResultsFileError.io(path: lockPath, operation: "locking", detail: "the lock file kept changing under us")
    }

    /// Who holds the writer lock of `resultsPath`, or nil when nobody does. Never creates files.
    static func holder(of resultsPath: String) -> (pid: Int32?, host: String?)? {
        let fd = open(path(for: resultsPath), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            _ = flock(fd, LOCK_UN)
            return nil
        }
        return errno == EWOULDBLOCK || errno == EAGAIN ? readHolder(fd: fd) : nil
    }

    /// What the lock file of `resultsPath` says ("pid=N host=H"), read without locking it, so
    /// that a watcher can never make a starting writer see the lock as taken; nil when there is
    /// no lock file (no writer, or one that released it). A writer killed with -9 leaves the
    /// file behind: callers check the pid.
    static func recordedHolder(of resultsPath: String) -> (pid: Int32?, host: String?)? {
        let fd = open(path(for: resultsPath), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var kind = stat()
        guard fstat(fd, &kind) == 0, (kind.st_mode & S_IFMT) == S_IFREG else { return nil }
        return readHolder(fd: fd)
    }

    /// Unlinks the lock file, then drops the lock (idempotent).
    func release() {
        guard fd >= 0 else { return }
        unlink(path)
        close(fd)
        fd = -1
    }

    private static func readHolder(fd: Int32) -> (pid: Int32?, host: String?) {
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return (nil, nil) }
        let text = String(decoding: buffer[0..<n], as: UTF8.self)
        var pid: Int32?
        var host: String?
        for field in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            if field.hasPrefix("pid=") { pid = Int32(field.dropFirst(4)) }
            if field.hasPrefix("host=") { host = String(field.dropFirst(5)) }
        }
        return (pid, host)
    }
}
