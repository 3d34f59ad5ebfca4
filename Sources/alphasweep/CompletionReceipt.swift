import Foundation

/// `run --receipt PATH`: rank 0 writes one line to PATH when every task of the run is in the
/// results file, and nothing otherwise. The batch scripts make PATH (mktemp) before they
/// launch and read it after: a launcher that exits 0 without having run the sweep (a step
/// launch Slurm refused) is then told from a finished run, and a run that finished before an
/// abort (ranks lost at the very end) from one that did not.
///
/// PATH must already exist as a regular file: it is never created, and never followed if it
/// is a symbolic link (a shared directory must not let anyone point it at another file).
struct CompletionReceipt {
    let path: String

    /// Checks PATH before any work is done.
    /// - Throws: `BadInput` (exit 2) for a missing file, a link, or anything but a regular file.
    init(path: String) throws {
        self.path = path
        let fd = try Self.open(path)
        close(fd)
    }

    /// Replaces PATH's content with `line`.
    func write(_ line: String) throws {
        let fd = try Self.open(path)
        defer { close(fd) }
        let bytes = Array((line + "\n").utf8)
        guard ftruncate(fd, 0) == 0, bytes.withUnsafeBytes({ Foundation.write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw BadInput("--receipt: cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
    }

    private static func open(_ path: String) throws -> Int32 {
        let fd = Foundation.open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let why = errno == ELOOP ? "it is a symbolic link" : String(cString: strerror(errno))
            throw BadInput("--receipt: cannot open '\(path)' for writing (\(why)): give an existing regular file")
        }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw BadInput("--receipt: '\(path)' is not a regular file")
        }
        return fd
    }
}
