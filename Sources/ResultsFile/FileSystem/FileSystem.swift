import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The POSIX operations the crash-safety design rests on: full writes, fsync of files and
/// directories, atomic replacement by rename, and errno → ``ResultsFileError``.
enum FileSystem {
    static func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// ENOSPC (device full), EDQUOT (quota) and EFBIG (file-size limit) all mean "no room".
    static func isNoSpace(_ code: Int32) -> Bool { code == ENOSPC || code == EDQUOT || code == EFBIG }

    /// The error for a failed system call on `path`.
    static func error(_ code: Int32, path: String, operation: String) -> ResultsFileError {
        if isNoSpace(code) {
            return .noSpace(path: path, detail: "\(operation): \(errnoText(code))")
        }
        // The name itself is unusable: bad input, not a failure of the machine.
        if code == ENAMETOOLONG || code == ENOTDIR || code == ELOOP {
            return .unusablePath(path: path, reason: errnoText(code))
        }
        return .io(path: path, operation: operation, detail: errnoText(code))
    }

    /// close(2), callable from types that have a `close()` of their own.
    static func closeDescriptor(_ fd: Int32) { _ = close(fd) }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// Throws unless `path` is absent or a regular file itself (not a symbolic link, a FIFO, a
    /// device, a directory): the rule for every file alphasweep writes or replaces (`role`
    /// names it in the message: "results files", "journals", "lock files").
    static func requireWritableKind(_ path: String, role: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFLNK: throw ResultsFileError.notARegularFile(path: path, role: role, what: "a symbolic link")
        case S_IFDIR: throw ResultsFileError.notARegularFile(path: path, role: role, what: "a directory")
        default: throw ResultsFileError.notARegularFile(path: path, role: role, what: "not a regular file")
        }
    }

    /// The kind checks for a results file about to be written and its journal and lock.
    static func requireWritableKinds(resultsPath path: String) throws {
        try requireWritableKind(path, role: "results files")
        try requireWritableKind(path + ".journal", role: "journals")
        try requireWritableKind(path + ".lock", role: "lock files")
    }

    static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    static func size(_ path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : nil
    }

    /// The directory holding `path` ("." for a bare file name).
    static func directory(of path: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        return dir.isEmpty ? "." : dir
    }

    /// The temporary sibling a snapshot is written to before it replaces `path`.
    static func temporaryPath(for path: String) -> String { "\(path).tmp-\(getpid())" }

    /// Throws unless the directory that would hold `path` exists, is a directory and is writable.
    static func requireWritableDirectory(for path: String) throws {
        let dir = directory(of: path)
        var st = stat()
        guard stat(dir, &st) == 0 else {
            throw ResultsFileError.unusableDirectory(path: dir, reason: errnoText(errno))
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            throw ResultsFileError.unusableDirectory(path: dir, reason: "not a directory")
        }
        guard access(dir, W_OK | X_OK) == 0 else {
            throw ResultsFileError.unusableDirectory(path: dir, reason: "not writable (\(errnoText(errno)))")
        }
    }

    /// Writes every byte (retrying short writes and EINTR).
    static func writeAll(fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw error(errno, path: path, operation: "write")
            }
            offset += n
        }
    }

    static func syncFile(fd: Int32, path: String) throws {
        while true {
            if fsync(fd) == 0 { return }
            if errno == EINTR { continue }
            throw error(errno, path: path, operation: "fsync")
        }
    }

    /// fsync of the directory holding `path`, so that a rename or unlink in it is durable.
    /// File systems that cannot sync directories (EINVAL) are tolerated.
    static func fsyncDirectory(of path: String) throws {
        let dir = directory(of: path)
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw error(errno, path: dir, operation: "open directory for fsync") }
        defer { close(fd) }
        if fsync(fd) != 0 && errno != EINVAL && errno != EROFS {
            throw error(errno, path: dir, operation: "fsync directory")
        }
    }

    /// Creates `path` (which must not exist) with `bytes`, fsynced. Errors name `reportedAs`
    /// (the file the user knows; `path` is its temporary sibling).
    static func writeNewFile(_ path: String, _ bytes: [UInt8], mode: mode_t, reportedAs: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw error(errno, path: reportedAs, operation: "create \(path)") }
        defer { close(fd) }
        _ = fchmod(fd, mode)
        try bytes.withUnsafeBytes { try writeAll(fd: fd, $0, path: reportedAs) }
        try syncFile(fd: fd, path: reportedAs)
    }

    /// The atomic replace: rename the (already fsynced) `temporary` over `path`, fsync the
    /// directory. Readers see either the old or the new file, never a mix, also after a crash.
    static func atomicReplace(temporary: String, path: String) throws {
        guard rename(temporary, path) == 0 else {
            throw error(errno, path: path, operation: "rename \(temporary) to")
        }
        try fsyncDirectory(of: path)
    }

    /// Removes `path` if it exists, durably (directory fsync); missing files are fine.
    static func removeDurably(_ path: String) throws {
        if unlink(path) != 0 {
            if errno == ENOENT { return }
            throw error(errno, path: path, operation: "remove")
        }
        try fsyncDirectory(of: path)
    }

    /// Permission bits of an existing file, to give a rewritten snapshot the same mode.
    static func mode(of path: String) -> mode_t? {
        var st = stat()
        return stat(path, &st) == 0 ? (st.st_mode & 0o7777) : nil
    }

    /// Device and inode of a file: two paths name the same file when these agree.
    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
    }

    static func identity(_ path: String) -> Identity? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Identity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    /// The whole content of a side file (a journal), or nil when it does not exist. A link or
    /// anything but a regular file is refused (it could name a device that never ends).
    static func readAll(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            if errno == ELOOP { try requireWritableKind(path, role: "journals") }
            throw error(errno, path: path, operation: "open")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw ResultsFileError.notARegularFile(path: path, role: "journals", what: "not a regular file")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw error(errno, path: path, operation: "read")
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    /// Removes temporaries left by crashed writers of `path` (`path.tmp-<pid>`,
    /// `path.journal.tmp-<pid>`). Only the holder of the writer lock may call this: every
    /// other writer of these names is dead.
    static func removeStaleTemporaries(of path: String) {
        let dir = directory(of: path)
        let base = (path as NSString).lastPathComponent
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for name in names {
            for prefix in [base + ".tmp-", base + ".journal.tmp-"] where name.hasPrefix(prefix) {
                let suffix = name.dropFirst(prefix.count)
                if !suffix.isEmpty && suffix.allSatisfy(\.isNumber) {
                    unlink((dir as NSString).appendingPathComponent(name))
                }
            }
        }
    }
}
