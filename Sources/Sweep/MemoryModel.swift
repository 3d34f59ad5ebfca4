import Vocabulary

/// The peak memory of one instance (the cost model's sibling): what a worker holds while it
/// samples and trains an instance with N features, in bytes, from the matrices the code
/// allocates (doubles, 8 bytes each), the largest at once:
/// - W (N×D), kept for the test loss, and during sampling the (N+K)×D factor of the covariance;
/// - the covariance, its Cholesky factor and the Gram matrix ((N+K)² each), a block of rows
///   (256 × (N+K), or 256 × D for the direct sampler);
/// - F, the eigendecomposition's reflectors and tridiagonal eigenvectors (N² each);
/// - the lr grids' readouts and moments (4 × N·K·G for Adam) and residuals (D·K·G).
public struct MemoryModel: Sendable {
    public var experiment: Experiment

    /// What the process needs besides its instance (runtime, libraries, buffers).
    public static let baseBytes = 64.0 * 1024 * 1024

    public init(experiment: Experiment) { self.experiment = experiment }

    public func peakBytes(N: Int) -> Double {
        let p = experiment
        let n = Double(N), d = Double(p.D), k = Double(p.K), m = n + k
        let grid = Double(max(p.adamLR.count, p.matSignLR.count))
        let rows = p.sampler == .direct ? 256 * (d + m) : 256 * m
        let doubles = n * d + m * d + 3 * m * m + rows + 3 * n * n + 4 * n * k * grid + d * k * grid + 2 * d * k + 2 * d
        return 8 * doubles + Self.baseBytes
    }
}
