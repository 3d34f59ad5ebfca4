import CBLAS
import Platform

/// The yardstick of `doctor` and `bench`: DGEMM's rate through this OpenBLAS.
enum DGEMMRate {
    /// Floating-point operations per second of DGEMM (n×n by n×n) with the current thread
    /// count, measured for about `seconds`. With `cpuTime`, per CPU second of this thread (one
    /// BLAS thread: robust to other load on the machine); otherwise per wall-clock second.
    static func measure(n: Int, seconds: Double, cpuTime: Bool = false) -> Double {
        let a = (0..<n * n).map { Double($0 % 7) - 3 }
        var c = [Double](repeating: 0, count: n * n)
        let n32 = Int32(n)
        let now = cpuTime ? Clock.threadCPUSeconds : Clock.monotonicSeconds
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
