import CBLAS
import Foundation

/// What BLAS this process computes with: results are bitwise reproducible only for one
/// kernel set and one thread count, so runs record both.
public enum BLASEnvironment {
    /// The OpenBLAS kernel set in use, e.g. "Haswell" or "SkylakeX".
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// OpenBLAS's build configuration line.
    public static var configuration: String {
        guard let config = openblas_get_config() else { return "unknown" }
        return String(cString: config).trimmingCharacters(in: .whitespaces)
    }

    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// The address space OpenBLAS maps for each thread that calls it (its BUFFER_SIZE on
    /// x86-64, 32 << 22 bytes): reserved, mostly never touched, but counted by `ulimit -v`.
    public static let bufferBytesPerThread = Double(32 << 22)

    /// Sets the number of OpenBLAS threads (at least 1).
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }

    /// One BLAS thread per process (one per MPI rank), unless the user chose otherwise through
    /// OPENBLAS_NUM_THREADS: ranks already fill the cores, and a fixed thread count keeps
    /// results bitwise reproducible.
    public static func useOneThreadUnlessConfigured() {
        if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil { setThreads(1) }
    }
}
