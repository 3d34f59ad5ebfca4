import Numerics
import Vocabulary

/// The spectral diagnostic (SPEC §7) over a sweep's grid, evaluated once per (s, N) and shared
/// by the optimizers it covers (GD, SqrtNG, NG).
public struct TheoryPredictions {
    public let table: [Double: [Int: SpectralDiagnostic]]

    public init(spec: SweepSpec) {
        var table: [Double: [Int: SpectralDiagnostic]] = [:]
        for s in spec.grid.s {
            let results = SpectralDiagnostic.evaluate(experiment: spec.experiment, s: s, Ns: spec.grid.N)
            for (n, result) in zip(spec.grid.N, results) {
                if case .success(let diagnostic) = result { table[s, default: [:]][n] = diagnostic }
            }
        }
        self.table = table
    }

    /// The predicted L(N) of `optimizer` at (s, N), or nil where the diagnostic has none.
    public var provider: TheoryProvider {
        let table = self.table
        return { optimizer, s, n in table[s]?[n]?.prediction(for: optimizer)?.loss }
    }
}
