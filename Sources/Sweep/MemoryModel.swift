import Vocabulary

/// The peak memory of one instance (the cost model's sibling): what a worker holds while it
/// samples and trains an instance with N features, in bytes, from the matrices the code
/// allocates (doubles, 8 bytes each), m = N + K. The peak is the largest of the phases, each
/// the matrices alive at once:
/// - covariance: W (N×D) and W*, the (N+K)×D factor G and C = GGᵀ (m²);
/// - joint: W, C's factor L (C's own storage), S = ZᵀZ/n (m², becomes the Gram matrix in
///   place) and a block of 256 rows; wishart: W, L and A (m² each; A becomes LA and then the
///   Gram matrix in place; a third m² only when dpotrf fails, not modelled); direct: W, the Gram matrix and blocks of 256 rows of x (D) and (φ, y) (m);
/// - the instance's F, B, YᵀY copied out of the Gram matrix (N², while it is alive);
/// - the eigendecomposition: F, dsytrd's reflectors, the tridiagonal eigenvectors and dstedc's
///   workspace (N² each, the workspace 1 + 4N + N² doubles), and W unless it is at least
///   `featureReleaseBytes` (then released and drawn again after, `ProblemInstance.releaseFeatures`);
/// - the optimizers: W, F, reflectors and eigenvectors, the lr grids' readouts and moments
///   (4 × N·K·G for Adam), residuals (D·K·G) for the test losses.
/// Checked against the peak RSS of `alphasweep bench` (README, Performance).
public struct MemoryModel: Sendable {
    public var experiment: Experiment

    /// What the process needs besides its instance (runtime, libraries, buffers).
    public static let baseBytes = 64.0 * 1024 * 1024
    /// `ProblemInstance.featureReleaseBytes` (Numerics; a test checks that they agree).
    public static let featureReleaseBytes = 64 << 20

    public init(experiment: Experiment) { self.experiment = experiment }

    /// The share of a node's memory that instances may fill; the rest is left to the system,
    /// rank 0 and the libraries.
    public static let usableShareOfNode = 0.8

    /// How many instances of `instanceBytes` fit in a node (or a rank's part) of `nodeBytes`.
    public static func instancesThatFit(_ instanceBytes: Double, in nodeBytes: Double) -> Int {
        Int(usableShareOfNode * nodeBytes / instanceBytes)
    }

    public func peakBytes(N: Int) -> Double {
        let p = experiment
        let n = Double(N), d = Double(p.D), k = Double(p.K), m = n + k
        let grid = Double(max(p.adamLR.count, p.matSignLR.count))
        let w = n * d + d * k
        let covariance = w + m * d + m * m
        let sampling: Double
        switch p.sampler {
        case .joint: sampling = w + 2 * m * m + 256 * m
        case .wishart: sampling = w + 2 * m * m
        case .direct: sampling = w + m * m + 256 * (d + m)
        }
        let copies = w + m * m + n * n + n * k
        let released = N * p.D * 8 >= Self.featureReleaseBytes
        let eigen = (released ? d * k : w) + 4 * n * n + 4 * n + n * k
        let optimizers = w + 3 * n * n + 4 * n * k * grid + d * k * grid
        let doubles = [p.sampler == .direct ? 0 : covariance, sampling, copies, eigen, optimizers].max()!
        return 8 * doubles + Self.baseBytes
    }

    /// The largest single matrix of an instance (W, N×D, or G, (N+K)×D), in bytes: the yardstick
    /// of "memory per rank ≤ 3× its largest matrix".
    public func largestMatrixBytes(N: Int) -> Double {
        let p = experiment
        let m = Double(N + p.K)
        return 8 * max(Double(N) * Double(p.D), p.sampler == .direct ? 0 : m * Double(p.D), m * m)
    }
}
