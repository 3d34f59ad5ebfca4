/// The exact test loss (SPEC §3) and the training loss.
extension ProblemInstance {
    /// L = (1/K) Σ_o (Wᵀθ_o/√D − w*_o)ᵀ Λ (Wᵀθ_o/√D − w*_o) for Θ (N×K).
    public func testLoss(_ theta: Matrix) -> Double {
        precondition(theta.columns == K, "Θ must have K columns")
        return testLosses(theta)[0]
    }

    /// The test losses of G readouts at once: Θ is N×(K·G), readout g in columns g·K..<(g+1)·K.
    /// One dgemm forms R = WᵀΘ/√D − [W* … W*] (D×K·G); then L_g = (1/K) Σ_o Σ_k λ_k R_k,gK+o².
    public func testLosses(_ theta: Matrix) -> [Double] {
        precondition(theta.rows == N && theta.columns % K == 0, "Θ must be N×(K·G)")
        let groups = theta.columns / K
        guard groups > 0 else { return [] }
        let D = self.D, K = self.K, N = self.N
        var r = [Double](repeating: 0, count: D * K * groups)
        r.withUnsafeMutableBufferPointer { pr in
            teacher.elements.withUnsafeBufferPointer { pt in
                for g in 0..<groups {
                    (pr.baseAddress! + g * D * K).update(from: pt.baseAddress!, count: D * K)
                }
            }
            features.elements.withUnsafeBufferPointer { pw in
                theta.elements.withUnsafeBufferPointer { pth in
                    gemm(transA: true, m: D, n: K * groups, k: N, alpha: 1 / Double(D).squareRoot(),
                         pw.baseAddress!, lda: N, pth.baseAddress!, ldb: N, beta: -1, pr.baseAddress!, ldc: D)
                }
            }
        }
        return r.withUnsafeBufferPointer { pr in
            (0..<groups).map { g in
                Self.weightedLoss(pr.baseAddress! + g * D * K, lambda: lambda, D: D, K: K)
            }
        }
    }

    /// (1/K) Σ_o Σ_k λ_k r_ko² for a D×K column-major residual (o outer, k inner: a fixed order).
    static func weightedLoss(_ r: UnsafePointer<Double>, lambda: [Double], D: Int, K: Int) -> Double {
        var total = 0.0
        for o in 0..<K {
            var column = 0.0
            for k in 0..<D {
                let x = r[k + o * D]
                column += lambda[k] * (x * x)
            }
            total += column
        }
        return total / Double(K)
    }

    /// The training loss (1/2nK)‖ΦΘ − Y‖²_F = (1/2K)[tr(ΘᵀFΘ) − 2 tr(ΘᵀB) + tr(YᵀY/n)].
    public func trainLoss(_ theta: Matrix) -> Double {
        precondition(theta.rows == N && theta.columns == K, "Θ must be N×K")
        let ftheta = Matrix.product(F, theta)
        var quadratic = 0.0, linear = 0.0
        for i in theta.elements.indices {
            quadratic += theta.elements[i] * ftheta.elements[i]
            linear += theta.elements[i] * B.elements[i]
        }
        return (quadratic - 2 * linear + labelGram.trace) / (2 * Double(K))
    }
}
