import Foundation
import Vocabulary

/// Trains every optimizer of SPEC §4 (the Precond(p) family included) on one problem instance.
///
/// Created once per instance: it computes the eigendecomposition F = V diag(μ) Vᵀ (the steps
/// of dsyevd, with V kept factored as Q Z: `LAPACK.FactoredSymmetricEigen`) and B̃ = VᵀB once,
/// which GD, SqrtNG, NG (exact spectral filters) and MatSign (run in the eigenbasis) share. Adam runs in the feature basis. Nothing here draws random numbers:
/// an outcome is a pure function of the instance.
///
/// ```swift
/// let instance = try ProblemInstance.sample(experiment: p, key: key)
/// let trainer = try InstanceTrainer(instance: instance)
/// let outcome = trainer.train(.matSign)
/// ```
public final class InstanceTrainer: Sendable {
    public let instance: ProblemInstance
    /// The eigendecomposition of F (eigenvalues ascending), V in factored form.
    public let eigen: LAPACK.FactoredSymmetricEigen
    /// μ_max, the largest eigenvalue of F.
    public let muMax: Double
    /// ε = 1e-6·μ_max.
    public let epsilon: Double
    /// B̃ = VᵀB (N×K).
    public let rotatedB: Matrix

    /// Adam's constants (SPEC §4).
    public static let adamBeta1 = 0.9, adamBeta2 = 0.999, adamEpsilon = 1e-12
    /// MatSign's (Nesterov) momentum.
    public static let matSignMomentum = 0.9

    /// - Throws: `LinearAlgebraError` when the eigendecomposition fails or F's spectrum is unusable.
    public init(instance: ProblemInstance) throws {
        self.instance = instance
        // A large W is not needed until the first loss: its memory goes back for the
        // eigendecomposition's peak (W + 4N² otherwise) and W is drawn again after.
        if instance.N * instance.D * 8 >= ProblemInstance.featureReleaseBytes { instance.releaseFeatures() }
        let eig = try LAPACK.factoredSymmetricEigen(instance.F)
        guard let top = eig.values.last, top.isFinite, top > 0, eig.values.allSatisfy(\.isFinite) else {
            throw LinearAlgebraError(routine: "dstedc", info: 0, detail: "largest eigenvalue of F is not positive and finite")
        }
        self.eigen = eig
        self.muMax = top
        self.epsilon = 1e-6 * top
        self.rotatedB = eig.applyVT(instance.B)
    }

    var N: Int { instance.N }
    var K: Int { instance.K }
    var T: Int { instance.experiment.T }

    // MARK: - Training

    /// Trains `kind` and reports its outcome. Never throws: a LAPACK failure gives status
    /// `failed`, a non-finite loss `diverged` (for Adam and MatSign: every lr of the grid).
    public func train(_ kind: OptimizerKind) -> TrainingOutcome {
        do {
            switch kind.family {
            case .gd, .sqrtNG, .ng, .precond:
                let filter = SpectralFilter(optimizer: kind, muMax: muMax, steps: T)!
                let theta = spectralReadout(filter)
                return outcome(theta: theta, testLoss: instance.testLoss(theta), lr: filter.stepSize, atEdge: false)
            case .adam, .matSign:
                let grid = kind == .adam ? instance.experiment.adamLR.values : instance.experiment.matSignLR.values
                return try searchOutcome(kind, grid: grid)
            }
        } catch {
            return .failure(error)
        }
    }

    /// The oracle search over `grid` for Adam or MatSign, with its outcome.
    public func searchOutcome(_ kind: OptimizerKind, grid: [Double]) throws -> TrainingOutcome {
        guard !grid.isEmpty else {
            return TrainingOutcome(testLoss: .nan, trainLoss: .nan, lr: .nan, lrAtGridEdge: false,
                                   status: .failed, message: "empty learning-rate grid for \(kind.rawValue)")
        }
        let thetas = try readouts(kind, peakLearningRates: grid)
        let search = LearningRateSearch(learningRates: grid, testLosses: instance.testLosses(thetas))
        guard let g = search.chosenIndex else {
            return TrainingOutcome(testLoss: .nan, trainLoss: .nan, lr: .nan, lrAtGridEdge: false,
                                   status: .diverged, message: "every learning rate of the grid gave a non-finite test loss")
        }
        return outcome(theta: thetas.columns((g * K)..<((g + 1) * K)), testLoss: search.testLosses[g],
                       lr: grid[g], atEdge: search.atGridEdge)
    }

    /// The learning-rate search of Adam or MatSign over `grid` (losses of every lr).
    public func learningRateSearch(_ kind: OptimizerKind, grid: [Double]) throws -> LearningRateSearch {
        LearningRateSearch(learningRates: grid, testLosses: instance.testLosses(try readouts(kind, peakLearningRates: grid)))
    }

    func outcome(theta: Matrix, testLoss: Double, lr: Double, atEdge: Bool) -> TrainingOutcome {
        let train = instance.trainLoss(theta)
        guard testLoss.isFinite, train.isFinite else {
            return TrainingOutcome(testLoss: testLoss.isFinite ? testLoss : .nan, trainLoss: train.isFinite ? train : .nan,
                                   lr: lr, lrAtGridEdge: atEdge, status: .diverged, message: "non-finite loss")
        }
        return TrainingOutcome(testLoss: testLoss, trainLoss: train, lr: lr, lrAtGridEdge: atEdge, status: .ok)
    }

    /// The final readouts of Adam or MatSign for each peak learning rate, as one N×(K·G) matrix
    /// (readout g in columns g·K..<(g+1)·K).
    public func readouts(_ kind: OptimizerKind, peakLearningRates lrs: [Double]) throws -> Matrix {
        switch kind.family {
        case .adam: return adamReadouts(peakLearningRates: lrs)
        case .matSign: return try matSignReadouts(peakLearningRates: lrs)
        case .gd, .sqrtNG, .ng, .precond: throw InvalidProblemError("\(kind.rawValue) has no learning-rate grid")
        }
    }

    // MARK: - Spectral filters (GD, SqrtNG, NG, Precond(p))

    /// Θ_T = V diag(f(μ)/μ) VᵀB for `filter`.
    public func spectralReadout(_ filter: SpectralFilter) -> Matrix {
        var scaled = rotatedB
        for i in 0..<N {
            let g = filter.gain(eigen.values[i])
            for o in 0..<K { scaled[i, o] *= g }
        }
        return eigen.applyV(scaled)
    }

    /// The filter of SPEC §4 for `kind` on this instance; nil for Adam and MatSign.
    public func filter(for kind: OptimizerKind) -> SpectralFilter? {
        SpectralFilter(optimizer: kind, muMax: muMax, steps: T)
    }

    // MARK: - Adam (feature basis)

    /// Bias-corrected Adam in the feature basis, every peak lr at once: Θ, the moments and the
    /// gradient are N×(K·G) matrices, and each step's G = FΘ − B is one dgemm.
    /// The lr at step t is peak·(1 − t/T); the bias corrections use step count t+1.
    public func adamReadouts(peakLearningRates lrs: [Double]) -> Matrix {
        let N = self.N, K = self.K, T = self.T, groups = lrs.count
        let cols = K * groups
        var theta = Matrix(rows: N, columns: cols)
        guard groups > 0 else { return theta }
        var m = [Double](repeating: 0, count: N * cols)
        var v = [Double](repeating: 0, count: N * cols)
        var grad = [Double](repeating: 0, count: N * cols)
        let b1 = Self.adamBeta1, b2 = Self.adamBeta2, epsA = Self.adamEpsilon
        let F = instance.F, B = instance.B
        for t in 0..<T {
            let decay = 1 - Double(t) / Double(T)
            let c1 = 1 - pow(b1, Double(t + 1)), c2 = 1 - pow(b2, Double(t + 1))
            grad.withUnsafeMutableBufferPointer { pg in
                // Θ = 0 at the first step, so G = −B: the same bits as the dgemm (B scaled by −1,
                // then products that are all zero added), without its 2N²·K·G flops.
                B.elements.withUnsafeBufferPointer { pb in
                    for g in 0..<groups {
                        let block = pg.baseAddress! + g * N * K
                        if t == 0 {
                            for idx in 0..<(N * K) { block[idx] = -pb[idx] }
                        } else {
                            block.update(from: pb.baseAddress!, count: N * K)
                        }
                    }
                }
                if t == 0 { return }
                F.elements.withUnsafeBufferPointer { pf in
                    theta.elements.withUnsafeBufferPointer { pt in
                        gemm(m: N, n: cols, k: N, alpha: 1, pf.baseAddress!, lda: N, pt.baseAddress!, ldb: N,
                             beta: -1, pg.baseAddress!, ldc: N)
                    }
                }
            }
            theta.elements.withUnsafeMutableBufferPointer { pt in
                m.withUnsafeMutableBufferPointer { pm in
                    v.withUnsafeMutableBufferPointer { pv in
                        grad.withUnsafeBufferPointer { pg in
                            for g in 0..<groups {
                                let lr = lrs[g] * decay
                                for idx in (g * N * K)..<((g + 1) * N * K) {
                                    let gi = pg[idx]
                                    let mi = b1 * pm[idx] + (1 - b1) * gi
                                    let vi = b2 * pv[idx] + (1 - b2) * (gi * gi)
                                    pm[idx] = mi
                                    pv[idx] = vi
                                    pt[idx] -= lr * (mi / c1) / ((vi / c2).squareRoot() + epsA)
                                }
                            }
                        }
                    }
                }
            }
        }
        return theta
    }

    // MARK: - MatSign (Muon proxy)

    /// MatSign run in F's eigenbasis (SPEC §4: msign commutes with rotations): with Θ̃ = VᵀΘ,
    /// G̃ = diag(μ)Θ̃ − B̃; M ← βM + G̃; Θ̃ ← Θ̃ − η_t msign(βM + G̃). Returns Θ = VΘ̃ for every
    /// peak lr (N×(K·G)).
    public func matSignReadouts(peakLearningRates lrs: [Double]) throws -> Matrix {
        let N = self.N, K = self.K
        var all = Matrix(rows: N, columns: K * lrs.count)
        let mu = eigen.values
        let workspace = MatrixSignWorkspace(rows: N, columns: K)
        try rotatedB.elements.withUnsafeBufferPointer { pb in
            try all.elements.withUnsafeMutableBufferPointer { pall in
                for (g, peak) in lrs.enumerated() {
                    try matSign(peak: peak, workspace: workspace, into: pall.baseAddress! + g * N * K) { theta, grad in
                        for o in 0..<K {
                            for i in 0..<N { grad[i + o * N] = mu[i] * theta[i + o * N] - pb[i + o * N] }
                        }
                    }
                }
            }
        }
        return eigen.applyV(all)
    }

    /// T steps of Nesterov MatSign from Θ = 0 with the gradient map `gradient(Θ, G)` (writes
    /// G for Θ, both N×K); the final Θ goes to `result`. Allocates nothing per step.
    func matSign(peak: Double, workspace: MatrixSignWorkspace, into result: UnsafeMutablePointer<Double>,
                 gradient: (UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void) throws {
        let beta = Self.matSignMomentum
        let count = N * K
        let buffer = UnsafeMutablePointer<Double>.allocate(capacity: 3 * count)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 0, count: 3 * count)
        let momentum = buffer, g = buffer + count, direction = buffer + 2 * count
        let theta = result
        theta.update(repeating: 0, count: count)
        for t in 0..<T {
            let lr = peak * (1 - Double(t) / Double(T))
            gradient(theta, g)
            for i in 0..<count {
                momentum[i] = beta * momentum[i] + g[i]
                direction[i] = beta * momentum[i] + g[i]
            }
            try workspace.sign(direction, into: g)
            for i in 0..<count { theta[i] -= lr * g[i] }
        }
    }
}
