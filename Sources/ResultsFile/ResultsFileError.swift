import Foundation

/// Everything that can go wrong with a results file, each naming the file concerned.
///
/// The CLI maps ``isBadInput`` to exit code 2 (the user gave a bad spec, argument or file)
/// and everything else to exit code 1; ``exitCode`` does exactly that.
public enum ResultsFileError: Error, CustomStringConvertible, LocalizedError, Sendable {
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file exists but is not an HDF5 file at all.
    case notHDF5(path: String)
    /// The file is an HDF5 file (or a journal) that cannot be read: truncated, corrupted, or
    /// missing a part of the schema. `detail` says what was wrong.
    case corrupt(path: String, detail: String)
    /// The file was written by a format version this build cannot read.
    case incompatibleFormat(path: String, found: Int, supported: Int)
    /// A spec (or another file) of a different experiment than the file's: `differences`
    /// names each differing setting with both values ("sigma: archive 0.3, spec 0.25").
    case experimentMismatch(path: String, differences: String)
    /// `create` (or merge) refused to overwrite an existing file.
    case alreadyExists(path: String, hint: String)
    /// Another alphasweep process holds the writer lock of this results file.
    case inUse(path: String, pid: Int32?, host: String?)
    /// The directory that should hold the file is missing, not a directory or not writable.
    case unusableDirectory(path: String, reason: String)
    /// The path cannot name a file at all (too long, a component that is not a directory).
    case unusablePath(path: String, reason: String)
    /// Two rows for the same task disagree (bitwise losses, learning rate, edge flag or status).
    case conflictingDuplicate(key: String, firstPath: String, secondPath: String, detail: String)
    /// A caller passed something this module cannot store (e.g. an invalid column name).
    case invalidArgument(String)
    /// A results file, journal, lock or temporary file to be written is a symbolic link or
    /// not a regular file: alphasweep never writes through one.
    case notARegularFile(path: String, role: String, what: String)
    /// The device is full or a file-size limit was hit (ENOSPC, EDQUOT, EFBIG).
    case noSpace(path: String, detail: String)
    /// Any other I/O failure (errno-level or inside HDF5) while writing or syncing a file.
    case io(path: String, operation: String, detail: String)

    /// True for errors caused by the user's input (spec, arguments, files): exit code 2.
    public var isBadInput: Bool {
        switch self {
        case .fileNotFound, .notHDF5, .corrupt, .incompatibleFormat,
             .experimentMismatch, .alreadyExists, .inUse, .unusableDirectory, .unusablePath,
             .conflictingDuplicate, .invalidArgument, .notARegularFile:
            return true
        case .noSpace, .io:
            return false
        }
    }

    /// The process exit code of the CLI contract: 2 for bad input, 1 for anything else.
    public var exitCode: Int32 { isBadInput ? 2 : 1 }

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file"
        case .notHDF5(let path):
            return "\(path) is not an HDF5 file"
        case .corrupt(let path, let detail):
            return "\(path) is damaged or not an alphasweep results file: \(detail)"
        case .incompatibleFormat(let path, let found, let supported):
            return "\(path) was written by an incompatible alphasweep format version \(found) "
                + "(this alphasweep reads format version \(supported))"
        case .experimentMismatch(let path, let differences):
            return "\(path) holds a different experiment: \(differences); refusing to mix their tasks"
        case .alreadyExists(let path, let hint):
            return "\(path) already exists; \(hint)"
        case .inUse(let path, let pid, let host):
            let who = [pid.map { "pid \($0)" }, host.map { "on host \($0)" }].compactMap { $0 }.joined(separator: " ")
            return "\(path) is in use by another alphasweep run" + (who.isEmpty ? "" : " (\(who))")
        case .unusableDirectory(let path, let reason):
            return "cannot write in directory \(path): \(reason)"
        case .unusablePath(let path, let reason):
            return "\(path): \(reason)"
        case .conflictingDuplicate(let key, let first, let second, let detail):
            return "conflicting results for task \(key) in \(first) and \(second): \(detail)"
        case .invalidArgument(let message):
            return message
        case .notARegularFile(let path, let role, let what):
            return "\(path) is \(what); alphasweep writes \(role) only as a regular file it owns, never through a link "
                + "(refusing; point at the real file, or remove it)"
        case .noSpace(let path, let detail):
            return "No space left on device while writing \(path) (\(detail))"
        case .io(let path, let operation, let detail):
            return "I/O error while \(operation) \(path): \(detail)"
        }
    }

    public var errorDescription: String? { description }
}
