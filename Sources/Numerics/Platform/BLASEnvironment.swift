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

    /// Sets the number of OpenBLAS threads (at least 1).
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }

    /// One BLAS thread per process (one per MPI rank), unless the user chose otherwise through
    /// OPENBLAS_NUM_THREADS: ranks already fill the cores, and a fixed thread count keeps
    /// results bitwise reproducible.
    public static func useOneThreadUnlessConfigured() {
        if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil { setThreads(1) }
    }

    /// The strongest OpenBLAS x86-64 kernel family this CPU supports, from /proc/cpuinfo flags.
    public static var strongestSupportedCore: String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(line.split(separator: " ").map(String.init))
        if flags.contains("avx512f") && flags.contains("avx512vl") && flags.contains("avx512bw") { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        if flags.contains("avx") { return "Sandybridge" }
        return nil
    }

    /// The vector ISA level of OpenBLAS's x86-64 kernel sets (its core names, case-insensitive):
    /// 0 SSE2/SSE3, 1 AVX, 2 AVX2+FMA, 3 AVX-512, 4 AVX-512 BF16, 5 AMX.
    static let level: [String: Int] = [
        "katmai": 0, "coppermine": 0, "northwood": 0, "prescott": 0, "banias": 0, "atom": 0, "core2": 0,
        "penryn": 0, "dunnington": 0, "nehalem": 0, "athlon": 0, "opteron": 0, "opteron_sse3": 0,
        "barcelona": 0, "bobcat": 0, "nano": 0,
        "sandybridge": 1, "bulldozer": 1, "piledriver": 1, "steamroller": 1, "excavator": 1,
        "haswell": 2, "zen": 2, "skylakex": 3, "cooperlake": 4, "sapphirerapids": 5,
    ]

    /// A warning when OPENBLAS_CORETYPE forces a kernel weaker than the CPU supports, else nil.
    public static var forcedCoreWarning: String? {
        forcedCoreWarning(forced: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], inUse: coreName,
                          supported: strongestSupportedCore)
    }

    /// The warning for OPENBLAS_CORETYPE = `forced` (nil: not set) when OpenBLAS runs the
    /// `inUse` kernels and the CPU supports `supported`: given when the kernels in use (or,
    /// if OpenBLAS did not report them, the ones asked for) are of a weaker ISA level.
    /// Unknown names give no warning.
    public static func forcedCoreWarning(forced: String?, inUse: String, supported: String?) -> String? {
        guard let forced, !forced.isEmpty, let supported,
              let best = level[supported.lowercased()] else { return nil }
        guard let used = level[inUse.lowercased()] ?? level[forced.lowercased()], used < best else { return nil }
        return "OPENBLAS_CORETYPE=\(forced) forces \(inUse) kernels although this CPU supports \(supported); "
            + "unset it for faster BLAS if your OpenBLAS is recent enough to be correct there"
    }

    /// Floating-point operations per second of DGEMM (n×n by n×n) through this OpenBLAS with
    /// its current thread count, measured for about `seconds`: the yardstick of the benchmarks.
    /// With `cpuTime`, the rate per CPU second of this thread (one BLAS thread: robust to other
    /// load on the machine); otherwise per wall-clock second.
    public static func dgemmRate(n: Int, seconds: Double, cpuTime: Bool = false) -> Double {
        let a = (0..<n * n).map { Double($0 % 7) - 3 }
        var c = [Double](repeating: 0, count: n * n)
        let n32 = Int32(n)
        func now() -> Double {
            if cpuTime {
                var ts = timespec()
                clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
                return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
            }
            return Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        }
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n32, n32, n32, 1, a, n32, a, n32, 0, &c, n32)
        var repetitions = 0
        let start = now()
        var elapsed = 0.0
        while elapsed < seconds || repetitions < 2 {
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n32, n32, n32, 1, a, n32, a, n32, 0, &c, n32)
            repetitions += 1
            elapsed = now() - start
        }
        return 2 * Double(n * n * n) * Double(repetitions) / elapsed
    }
}
