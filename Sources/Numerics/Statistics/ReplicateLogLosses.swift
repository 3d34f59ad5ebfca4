import Foundation

/// The scaling exponent α of L(N) ∝ N^(−α) (SPEC §6): minus the OLS slope of the
/// mean-over-replicates log L against log N.
///
/// Because the OLS slope is linear in y, α of the mean curve equals the mean of the
/// per-replicate slopes; a replicate bootstrap of α is thus a bootstrap of a mean, for which
/// BCa is well behaved.
public struct ReplicateLogLosses: Equatable, Sendable {
    /// log N over the grid (natural log), ascending.
    public let logN: [Double]
    /// `rows[r][j]` = log L of replicate r at the j-th N. Every row is complete.
    public let rows: [[Double]]

    /// - Parameters:
    ///   - N: the feature counts (positive, ascending).
    ///   - losses: `losses[r][j]`, the loss of replicate r at `N[j]`; every row has `N.count`
    ///     positive finite values (the caller excludes incomplete replicates).
    public init(N: [Int], losses: [[Double]]) {
        precondition(losses.allSatisfy { $0.count == N.count }, "every replicate needs every N")
        precondition(N.allSatisfy { $0 > 0 }, "N must be positive")
        logN = N.map { log(Double($0)) }
        rows = losses.map { $0.map { log($0) } }
    }

    /// From log-losses directly.
    public init(logN: [Double], logLosses: [[Double]]) {
        precondition(logLosses.allSatisfy { $0.count == logN.count }, "every replicate needs every N")
        self.logN = logN
        rows = logLosses
    }

    public var replicateCount: Int { rows.count }

    /// The mean over the given replicates (with multiplicity) of log L at each N of `window`.
    public func meanLogLoss(replicates: [Int], window: Range<Int>) -> [Double] {
        var mean = [Double](repeating: 0, count: window.count)
        for r in replicates {
            let row = rows[r]
            for (k, j) in window.enumerated() { mean[k] += row[j] }
        }
        let scale = 1 / Double(replicates.count)
        return mean.map { $0 * scale }
    }

    /// The mean log L at every N over all replicates.
    public var meanLogLoss: [Double] { meanLogLoss(replicates: Array(rows.indices), window: logN.indices) }

    /// α = −slope of OLS of the mean log L (over `replicates`, with multiplicity) on log N,
    /// restricted to the N indices of `window`. NaN when the window has < 2 points.
    public func alpha(replicates: [Int], window: Range<Int>) -> Double {
        guard replicates.count > 0,
              let weights = LinearFit.slopeWeights(Array(logN[window])) else { return .nan }
        let y = meanLogLoss(replicates: replicates, window: window)
        var slope = 0.0
        for k in weights.indices { slope += weights[k] * y[k] }
        return -slope
    }

    /// The OLS fit of the mean log L over all replicates on log N in `window`.
    public func fit(window: Range<Int>? = nil) -> LinearFit? {
        let w = window ?? logN.indices
        return LinearFit(x: Array(logN[w]), y: meanLogLoss(replicates: Array(rows.indices), window: w))
    }

    /// The two halves of an N grid of `count` points on which local exponents are fitted.
    ///
    /// Each half has k = ⌈count/2⌉ points, k = (count + 1)/2: the lower half is the first k
    /// points and the upper half the last k. For an odd count the halves share the middle point
    /// (7 points: indices 0…3 and 3…6, i.e. N = 16…128 and 128…1024): each half keeps 4 points
    /// and its own OLS residual degrees of freedom, and both are anchored at the same middle
    /// value. For an even count the halves are disjoint. Nil when count < 3 (a half would have
    /// fewer than two points).
    public static func halves(count: Int) -> (lower: Range<Int>, upper: Range<Int>)? {
        guard count >= 3 else { return nil }
        let k = (count + 1) / 2
        return (0..<k, (count - k)..<count)
    }
}
