import Numerics

/// Expected cost of an instance's tasks, in floating-point operations of dense linear algebra.
///
/// The scheduler only needs costs that rank instances correctly and add up roughly; the terms
/// follow what a worker does: draw W (N×D), form the covariance (N²D), accumulate the Gram
/// matrix of n rows (n(N+K)²), eigendecompose F (~9N³), run the lr grids of Adam (T GEMMs of
/// N×N by N×K per lr) and MatSign, and evaluate exact losses (2NDK per weight matrix).
public struct CostModel: Sendable {
    public var problem: ProblemParameters

    public init(problem: ProblemParameters) { self.problem = problem }

    public func flops(N: Int, optimizers: [OptimizerKind]) -> Double {
        let n = Double(problem.n), d = Double(problem.D), k = Double(problem.K), t = Double(problem.T)
        let f = Double(N), m = f + k
        let normals = n * m + f * d
        var total = f * f * d + n * m * m + 2 * m * m * m + 9 * f * f * f + 20 * normals
        for optimizer in optimizers {
            switch optimizer {
            case .adam:
                let grid = Double(problem.adamLR.count)
                total += grid * (t * 2 * f * f * k + 2 * f * d * k)
            case .matSign:
                let grid = Double(problem.matSignLR.count)
                total += grid * (t * (12 * f * k * k + 4 * f * k) + 2 * f * d * k)
            case .gd, .sqrtNG, .ng:
                total += 2 * f * f * k + 2 * f * d * k
            }
        }
        return total
    }
}
