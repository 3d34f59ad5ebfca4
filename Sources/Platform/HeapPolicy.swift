#if canImport(Glibc)
import CMalloc
#endif

/// How the process's heap treats the matrices of consecutive instances.
///
/// By default glibc maps each large allocation freshly (mmap) and returns freed memory at the
/// top of the heap to the kernel past 128 KiB, so every instance's matrices are page-faulted
/// and zeroed by the kernel again: at N = 1024 a quarter of an instance's CPU time was system
/// time. Keeping freed memory in the heap (allocations up to 32 MiB from it, no trimming below
/// 1 GiB free) makes the next instance reuse the pages. Results do not depend on it: matrices
/// then land wherever the heap's history puts them, but always 16-byte aligned, and every
/// BLAS/LAPACK routine of the hot paths gives the same bits for placements that agree modulo
/// 16 bytes, on every kernel set this project runs (AlignmentIndependenceTests, run with
/// OpenBLAS's Haswell and AVX-512 Cooperlake kernels; README, Performance).
public enum HeapPolicy {
    /// Allocations at or below this come from the heap and are reused (glibc's largest setting).
    public static let mmapThresholdBytes: Int32 = 32 << 20
    /// Free memory at the top of the heap kept before any is returned to the kernel.
    public static let trimThresholdBytes: Int32 = 1 << 30

    /// Applies the policy; call once at start, before large allocations. No-op off glibc.
    public static func keepFreedMatricesInTheHeap() {
        #if canImport(Glibc)
        _ = mallopt(M_MMAP_THRESHOLD, mmapThresholdBytes)
        _ = mallopt(M_TRIM_THRESHOLD, trimThresholdBytes)
        #endif
    }
}
