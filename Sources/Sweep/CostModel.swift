import Vocabulary

/// The expected cost of an instance and its tasks: the one model `plan`, the scheduler, the
/// shards and `bench` use.
///
/// Costs are floating-point operations of dense linear algebra (a multiply and an add count as
/// two), the leading terms of what the implementation calls, per phase:
/// - sampling, joint: (N+K)²·D (the covariance C, dsyrk) + (N+K)³/3 (dpotrf) + n·(N+K)² (the
///   Gram matrix of the rows, dsyrk) + 2(N+K)³ (two dtrmm); direct: (N+K)²·D + 2n·D·(N+K)
///   (x ↦ (φ, y)) + n·(N+K)²; wishart: (N+K)²·D + (N+K)³/3 (dpotrf) + (N+K)³/3 (dtrmm of two
///   triangles) + (N+K)³ (dsyrk);
/// - eigendecomposition: 8/3·N³ (dsytrd 4/3, divide and conquer ≈ 4/3; V = QZ is never formed)
///   + 4N²K (B̃ = Zᵀ(QᵀB));
/// - GD, SqrtNG, NG: 4N²K (Θ = VΘ̃) + 2DNK (test loss) + 2N²K (train loss);
/// - Adam: T·2N²·KG (FΘ each step) + 2DNKG + 2N²K, G = |adam grid|;
/// - MatSign: T·G·(8NK² + 20K³) (thin SVD and UVᵀ per step) + 4N²KG + 2DNKG + 2N²K.
///
/// Drawing the random numbers is not a flop but takes time: the scheduler's cost adds
/// `normalCost` flop-equivalents per standard normal drawn (W and the rows of the data).
public struct CostModel: Sendable {
    public var experiment: Experiment

    /// What one standard normal costs the scheduler, in flops (the ziggurat and Philox take
    /// about as long as 20 flops of DGEMM).
    public static let normalCost = 20.0

    public init(experiment: Experiment) { self.experiment = experiment }

    /// Useful flops of an instance with N features, by phase.
    public struct Phases: Sendable, Equatable {
        public var sampling: Double
        public var eigendecomposition: Double
        /// Per optimizer of SPEC §4's table; a `Precond(p)` costs what GD does (one spectral filter).
        public var perOptimizer: [OptimizerKind: Double]
        /// Standard normals drawn.
        public var normals: Double

        /// Sampling, the eigendecomposition and every optimizer of `optimizers`.
        public func flops(_ optimizers: [OptimizerKind] = OptimizerKind.allCases) -> Double {
            sampling + eigendecomposition + optimizers.reduce(0) { $0 + (perOptimizer[$1] ?? perOptimizer[$1.isSpectralFilter ? .gd : $1] ?? 0) }
        }
    }

    public func phases(N: Int) -> Phases {
        let p = experiment
        let n = Double(N), d = Double(p.D), k = Double(p.K), rows = Double(p.n), t = Double(p.T)
        let m = n + k
        let sampling: Double, normals: Double
        switch p.sampler {
        case .joint:
            sampling = m * m * d + m * m * m / 3 + rows * m * m + 2 * m * m * m
            normals = n * d + d * k + rows * m
        case .direct:
            sampling = m * m * d + 2 * rows * d * m + rows * m * m
            normals = n * d + d * k + rows * (d + k)
        case .wishart:
            sampling = m * m * d + m * m * m / 3 + m * m * m / 3 + m * m * m
            normals = n * d + d * k + m * (m - 1) / 2 + 2 * m
        }
        let eigendecomposition = 8.0 / 3.0 * n * n * n + 4 * n * n * k
        let evaluate = { (groups: Double) in 2 * d * n * k * groups + 2 * n * n * k }
        let linear = 4 * n * n * k + evaluate(1)
        let adam = Double(p.adamLR.count), sign = Double(p.matSignLR.count)
        var per: [OptimizerKind: Double] = [:]
        per[.gd] = linear
        per[.sqrtNG] = linear
        per[.ng] = linear
        per[.adam] = t * 2 * n * n * k * adam + evaluate(adam)
        per[.matSign] = t * sign * (8 * n * k * k + 20 * k * k * k) + 4 * n * n * k * sign + evaluate(sign)
        return Phases(sampling: sampling, eigendecomposition: eigendecomposition, perOptimizer: per, normals: normals)
    }

    /// The scheduler's cost of running `optimizers` on an instance with N features: useful
    /// flops plus the normals' flop-equivalents.
    public func cost(N: Int, optimizers: [OptimizerKind]) -> Double {
        let phases = phases(N: N)
        return phases.flops(optimizers) + Self.normalCost * phases.normals
    }
}
