import Foundation
import Numerics
import Vocabulary

/// The optimizers of SPEC §4 run literally, step by step, in the feature basis, with
/// factorizations independent of the production paths: what the closed forms and the
/// eigenbasis MatSign are checked against.
extension InstanceTrainer {
    /// GD, SqrtNG or NG for T steps from Θ = 0: GD θ ← θ − ηg; SqrtNG θ ← θ − η(F + εI)^(−1/2)g
    /// with the root formed explicitly (from a dsyevr eigendecomposition of F + εI, independent
    /// of the dsytrd + dstedc one used by the filters); NG θ ← θ − (F + εI)^(−1)g by Cholesky
    /// solves; Precond(p) θ ← θ − η(F + εI)^(−p)g with the power formed explicitly from the
    /// same dsyevr eigendecomposition. g = FΘ − B.
    func literalIteration(_ kind: OptimizerKind) throws -> Matrix {
        let filter = self.filter(for: kind)!
        let F = instance.F, B = instance.B, N = instance.N, T = instance.experiment.T
        var shifted = F
        for i in 0..<N { shifted[i, i] += epsilon }
        var theta = Matrix(rows: N, columns: instance.K)
        switch kind.family {
        case .gd:
            for _ in 0..<T { theta = theta - filter.stepSize * (Matrix.product(F, theta) - B) }
        case .sqrtNG:
            let e = try LAPACK.symmetricEigen(shifted, algorithm: .relativelyRobust)
            precondition(e.values.allSatisfy { $0 > 0 }, "F + εI is not positive definite")
            var scaledQ = e.vectors
            for j in 0..<N { for i in 0..<N { scaledQ[i, j] /= e.values[j].squareRoot() } }
            let inverseRoot = Matrix.product(scaledQ, e.vectors, transposeB: true)
            for _ in 0..<T {
                theta = theta - filter.stepSize * Matrix.product(inverseRoot, Matrix.product(F, theta) - B)
            }
        case .ng:
            let factor = try LAPACK.cholesky(shifted)
            for _ in 0..<T {
                theta = theta - (try LAPACK.choleskySolve(factor: factor, Matrix.product(F, theta) - B))
            }
        case .precond:
            let e = try LAPACK.symmetricEigen(shifted, algorithm: .relativelyRobust)
            precondition(e.values.allSatisfy { $0 > 0 }, "F + εI is not positive definite")
            var scaledQ = e.vectors
            for j in 0..<N { for i in 0..<N { scaledQ[i, j] *= Foundation.pow(e.values[j], -kind.power) } }
            let inversePower = Matrix.product(scaledQ, e.vectors, transposeB: true)
            for _ in 0..<T {
                theta = theta - filter.stepSize * Matrix.product(inversePower, Matrix.product(F, theta) - B)
            }
        case .adam, .matSign:
            preconditionFailure("\(kind.rawValue) is not a linear iteration")
        }
        return theta
    }

    /// Nesterov MatSign for T steps from Θ = 0 in the feature basis (G = FΘ − B by dgemm,
    /// msign(A) = UVᵀ from LAPACK's thin SVD), every peak lr: N×(K·G), readout g in columns
    /// g·K..<(g+1)·K.
    func literalMatSign(peakLearningRates lrs: [Double]) throws -> Matrix {
        let F = instance.F, B = instance.B, N = instance.N, K = instance.K, T = instance.experiment.T
        let beta = InstanceTrainer.matSignMomentum
        var all: [Double] = []
        for peak in lrs {
            var theta = Matrix(rows: N, columns: K), momentum = Matrix(rows: N, columns: K)
            for t in 0..<T {
                let lr = peak * (1 - Double(t) / Double(T))
                let g = Matrix.product(F, theta) - B
                momentum = beta * momentum + g
                let direction = beta * momentum + g
                let svd = try LAPACK.thinSVD(direction)
                let cutoff = Double(max(N, K)) * Double.ulpOfOne * (svd.singularValues.first ?? 0)
                let kept = svd.singularValues.prefix { $0 > cutoff }.count
                let sign = Matrix.product(svd.u.columns(0..<kept), svd.vt.transposed.columns(0..<kept), transposeB: true)
                theta = theta - lr * sign
            }
            all += theta.elements
        }
        return Matrix(rows: N, columns: K * lrs.count, elements: all)
    }
}
