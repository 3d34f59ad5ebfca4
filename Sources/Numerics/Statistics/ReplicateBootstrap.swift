import Foundation

/// The bootstrap that resamples whole replicates.
///
/// A *replicate* is one seed's complete row of observations (here: its losses at every N); a
/// resample draws n replicate indices with replacement, and a statistic sees the rows at those
/// indices, so the N values of a replicate always stay together. Paired comparisons pass one
/// statistic that reads both optimizers' rows at the same indices.
///
/// Resampling is deterministic: resample b (b = 0…B−1) draws its n indices in order, each as
/// `uniformIndex(below: n)` of the generator (Lemire's method on the raw 64-bit draws), from a
/// `SplitMix64(seed:)` unless a generator is passed in. Every call with the same seed and the
/// same n therefore uses the same B resampled index sets (common random numbers): α intervals
/// and the paired gap interval of one cell are built from identical resamples.
///
/// ```swift
/// let bootstrap = ReplicateBootstrap()                     // B = 4000, 95 %, fixed seed
/// let ci = bootstrap.interval(replicateCount: rows.count) { idx in
///     idx.map { rows[$0] }.reduce(0, +) / Double(idx.count) // the mean, say
/// }
/// print(ci.low, ci.high, ci.method)
/// ```
public struct ReplicateBootstrap: Sendable, Equatable {
    /// B ≥ 4000 by SPEC §6.
    public static let defaultResamples = 4000
    /// The fixed default seed (the bytes of "alphaswp" read as a big-endian integer).
    public static let defaultSeed: UInt64 = 0x616C_7068_6173_7770

    /// Number of resamples B.
    public var resamples: Int
    /// Two-sided confidence level c.
    public var confidence: Double
    /// Seed of the `SplitMix64` generator used when none is passed in.
    public var seed: UInt64

    public init(resamples: Int = ReplicateBootstrap.defaultResamples, confidence: Double = 0.95,
                seed: UInt64 = ReplicateBootstrap.defaultSeed) {
        precondition(resamples >= 1, "a bootstrap needs at least one resample")
        precondition(confidence > 0 && confidence < 1, "confidence must lie in (0, 1)")
        self.resamples = resamples
        self.confidence = confidence
        self.seed = seed
    }

    /// Intervals for several statistics computed on the same resamples.
    ///
    /// - Parameters:
    ///   - replicateCount: n ≥ 1, the number of replicates.
    ///   - statistics: maps a multiset of replicate indices (an array of indices in 0..<n, with
    ///     repeats; length n for resamples and the original data, n − 1 for the jackknife) to
    ///     the statistics; it must always return the same number of values.
    /// - Returns: one interval per statistic, in order.
    public func intervals(replicateCount: Int, statistics: ([Int]) -> [Double]) -> [BootstrapInterval] {
        var rng = SplitMix64(seed: seed)
        return intervals(replicateCount: replicateCount, using: &rng, statistics: statistics)
    }

    /// One statistic; see `intervals(replicateCount:statistics:)`.
    public func interval(replicateCount: Int, statistic: ([Int]) -> Double) -> BootstrapInterval {
        intervals(replicateCount: replicateCount) { [statistic($0)] }[0]
    }

    /// Intervals drawing the resamples from a caller's generator.
    public func intervals(replicateCount: Int, using rng: inout some RandomNumberGenerator,
                          statistics: ([Int]) -> [Double]) -> [BootstrapInterval] {
        precondition(replicateCount >= 1, "a bootstrap needs at least one replicate")
        let estimates = statistics(Array(0..<replicateCount))
        let distributions = Self.distributions(replicateCount: replicateCount, resamples: resamples,
                                               using: &rng, statistics: statistics)
        let jackknife = Self.jackknife(replicateCount: replicateCount, statistics: statistics)
        return estimates.indices.map { k in
            BootstrapInterval(estimate: estimates[k], distribution: distributions[k],
                              jackknife: jackknife.map { $0[k] }, confidence: confidence)
        }
    }

    /// The bootstrap distributions: `result[k][b]` is statistic k on resample b.
    public static func distributions(replicateCount n: Int, resamples: Int,
                                     using rng: inout some RandomNumberGenerator,
                                     statistics: ([Int]) -> [Double]) -> [[Double]] {
        precondition(n >= 1 && resamples >= 1)
        var result: [[Double]] = []
        var indices = [Int](repeating: 0, count: n)
        for b in 0..<resamples {
            for i in 0..<n { indices[i] = rng.uniformIndex(below: n) }
            let values = statistics(indices)
            if b == 0 {
                result = values.map { _ in
                    var column: [Double] = []
                    column.reserveCapacity(resamples)
                    return column
                }
            }
            precondition(values.count == result.count, "a statistic returned a varying number of values")
            for k in values.indices { result[k].append(values[k]) }
        }
        return result
    }

    /// The leave-one-replicate-out values: `result[i]` is the statistics without replicate i
    /// (empty when n < 2).
    public static func jackknife(replicateCount n: Int, statistics: ([Int]) -> [Double]) -> [[Double]] {
        guard n >= 2 else { return [] }
        return (0..<n).map { left in statistics((0..<n).filter { $0 != left }) }
    }
}
