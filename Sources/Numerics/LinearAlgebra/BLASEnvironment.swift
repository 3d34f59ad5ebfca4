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

    /// Buffers mapped per process and BLAS thread: one for the thread that loads OpenBLAS
    /// and one for the thread that computes (measured: two 128 MiB maps in a one-rank run).
    public static let buffersPerThread = 2.0

    /// Makes OpenBLAS map this thread's buffer now, by one small product, and ends the
    /// process with exit 1 and one line if that takes longer than `seconds`: OpenBLAS 0.3's
    /// allocator retries a failed mmap forever (at 100 % CPU), which under a tight
    /// `ulimit -v` would otherwise be a silent hang. After this the buffer is reused, so
    /// later products map nothing.
    public static func reserveBuffer(within seconds: UInt32 = 20) {
        signal(SIGALRM) { _ in
            let line: StaticString = "alphasweep: OpenBLAS could not map its buffer: the address-space limit (ulimit -v) is too low for this run; raise the limit\n"
            _ = write(2, line.utf8Start, line.utf8CodeUnitCount)
            _exit(1)
        }
        alarm(seconds)
        var a = [Double](repeating: 1, count: 64 * 64), c = [Double](repeating: 0, count: 64 * 64)
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, 64, 64, 64, 1, &a, 64, &a, 64, 0, &c, 64)
        alarm(0)
        signal(SIGALRM, SIG_DFL)
    }

    /// Sets the number of OpenBLAS threads (at least 1).
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }

    /// One BLAS thread per process (one per MPI rank), unless the user chose otherwise through
    /// OPENBLAS_NUM_THREADS: ranks already fill the cores, and a fixed thread count keeps
    /// results bitwise reproducible.
    public static func useOneThreadUnlessConfigured() {
        if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil { setThreads(1) }
    }
}
