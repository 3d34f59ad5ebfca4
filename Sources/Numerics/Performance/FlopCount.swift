/// The dense linear algebra one instance costs, in floating-point operations (a multiply and
/// an add count as two), for the performance harness. These are the operation counts of what
/// this implementation calls (leading terms), not a measurement.
public struct FlopCount: Sendable, Equatable {
    /// Drawing the instance: C (dsyrk), its Cholesky factor, the training Gram matrix.
    public var sampling: Double
    /// The eigendecomposition of F (dsytrd + dstedc, V kept factored) and B̃ = VᵀB, shared by
    /// GD, SqrtNG, NG and MatSign.
    public var eigendecomposition: Double
    /// Training and evaluating each optimizer (the lr grid included for Adam and MatSign).
    public var perOptimizer: [OptimizerKind: Double]

    /// Sampling + eigendecomposition + every optimizer in `perOptimizer`.
    public var total: Double { sampling + eigendecomposition + perOptimizer.values.reduce(0, +) }

    /// The counts for an instance with N features under `p`:
    /// - joint: (N+K)²·D (C) + (N+K)³/3 (dpotrf) + n·(N+K)² (dsyrk of Z) + 2(N+K)³ (two dtrmm);
    ///   direct: (N+K)²·D + 2n·D·(N+K) (x ↦ (φ, y)) + n·(N+K)²;
    /// - eigendecomposition: 8/3·N³ (dsytrd 4/3, divide and conquer ≈ 4/3; V = QZ is never
    ///   formed) + 4N²K (B̃ = Zᵀ(QᵀB): a dormtr and a product with Z, 2N² per column each);
    /// - GD, SqrtNG, NG: 4N²K (Θ = VΘ̃) + 2DNK (test loss) + 2N²K (train loss);
    /// - Adam: T·2N²·KG (FΘ each step) + 2DNKG + 2N²K, G = |adam grid|;
    /// - MatSign: T·G·(8NK² + 20K³) (thin SVD and UVᵀ per step) + 4N²KG (Θ = VΘ̃) + 2DNKG + 2N²K.
    public static func estimate(parameters p: ProblemParameters, N: Int) -> FlopCount {
        let n = Double(N), d = Double(p.D), k = Double(p.K), rows = Double(p.n), t = Double(p.T)
        let m = n + k
        let sampling: Double
        switch p.sampler {
        case .joint: sampling = m * m * d + m * m * m / 3 + rows * m * m + 2 * m * m * m
        case .direct: sampling = m * m * d + 2 * rows * d * m + rows * m * m
        }
        let eig = 8.0 / 3.0 * n * n * n + 4 * n * n * k
        let evaluate = { (groups: Double) in 2 * d * n * k * groups + 2 * n * n * k }
        let linear = 4 * n * n * k + evaluate(1)
        let gAdam = Double(p.adamLR.count), gSign = Double(p.matSignLR.count)
        var per: [OptimizerKind: Double] = [:]
        per[.gd] = linear
        per[.sqrtNG] = linear
        per[.ng] = linear
        per[.adam] = t * 2 * n * n * k * gAdam + evaluate(gAdam)
        per[.matSign] = t * gSign * (8 * n * k * k + 20 * k * k * k) + 4 * n * n * k * gSign + evaluate(gSign)
        return FlopCount(sampling: sampling, eigendecomposition: eig, perOptimizer: per)
    }
}

/// The useful flops of one instance with N features: sampling, the eigendecomposition and the
/// training of `optimizers` (all five by default). See `FlopCount.estimate`.
public func usefulFlops(_ parameters: ProblemParameters, N: Int,
                        optimizers: [OptimizerKind] = OptimizerKind.allCases) -> Double {
    let c = FlopCount.estimate(parameters: parameters, N: N)
    return c.sampling + c.eigendecomposition + optimizers.reduce(0) { $0 + (c.perOptimizer[$1] ?? 0) }
}
