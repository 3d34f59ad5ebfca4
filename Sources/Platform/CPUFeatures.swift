import Foundation

/// The CPU's vector instructions, as OpenBLAS's x86-64 kernel families name them.
public enum CPUFeatures {
    /// The strongest OpenBLAS x86-64 kernel family this CPU supports (from /proc/cpuinfo's
    /// flags), nil when unknown.
    public static var strongestSupportedCore: String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        return strongestCore(flags: Set(line.split(separator: " ").map(String.init)))
    }

    public static func strongestCore(flags: Set<String>) -> String? {
        let avx512 = flags.contains("avx512f") && flags.contains("avx512vl") && flags.contains("avx512bw")
        if avx512 && flags.contains("avx512_bf16") { return "Cooperlake" }
        if avx512 { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        if flags.contains("avx") { return "Sandybridge" }
        return nil
    }

    /// The vector ISA level of OpenBLAS's x86-64 kernel sets (core names, case-insensitive):
    /// 0 SSE2/SSE3, 1 AVX, 2 AVX2+FMA, 3 AVX-512, 4 AVX-512 BF16, 5 AMX.
    static let level: [String: Int] = [
        "katmai": 0, "coppermine": 0, "northwood": 0, "prescott": 0, "banias": 0, "atom": 0, "core2": 0,
        "penryn": 0, "dunnington": 0, "nehalem": 0, "athlon": 0, "opteron": 0, "opteron_sse3": 0,
        "barcelona": 0, "bobcat": 0, "nano": 0,
        "sandybridge": 1, "bulldozer": 1, "piledriver": 1, "steamroller": 1, "excavator": 1,
        "haswell": 2, "zen": 2, "skylakex": 3, "cooperlake": 4, "sapphirerapids": 5,
    ]

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
}
