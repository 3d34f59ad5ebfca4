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

    /// One BLAS thread per process (one per MPI rank), unless the user chose otherwise through
    /// OPENBLAS_NUM_THREADS: ranks already fill the cores, and a fixed thread count keeps
    /// results bitwise reproducible.
    public static func useOneThreadUnlessConfigured() {
        if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil {
            openblas_set_num_threads(1)
        }
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

    static let strength = ["Prescott": 0, "Core2": 1, "Nehalem": 2, "Sandybridge": 3, "Haswell": 4, "Zen": 4,
                           "SkylakeX": 5, "Cooperlake": 6, "SapphireRapids": 7]

    /// A warning when OPENBLAS_CORETYPE forces a kernel weaker than the CPU supports, else nil.
    public static var forcedCoreWarning: String? {
        guard let forced = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"],
              let best = strongestSupportedCore,
              let forcedRank = strength.first(where: { $0.key.lowercased() == forced.lowercased() })?.value,
              let bestRank = strength[best],
              forcedRank < bestRank else { return nil }
        return "OPENBLAS_CORETYPE=\(forced) forces \(coreName) kernels although this CPU supports \(best); "
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
