import Analysis
import Numerics
import Sweep

/// The spectral diagnostic (SPEC §7) over a sweep's grid, evaluated once per (s, N) and shared
/// by the optimizers it covers (GD, SqrtNG, NG).
struct TheoryPredictions {
    let table: [Double: [Int: SpectralDiagnostic]]

    init(spec: SweepSpec) {
        var table: [Double: [Int: SpectralDiagnostic]] = [:]
        for s in spec.s {
            let results = SpectralDiagnostic.evaluate(parameters: spec.problem, s: s, Ns: spec.N)
            for (n, result) in zip(spec.N, results) {
                if case .success(let diagnostic) = result { table[s, default: [:]][n] = diagnostic }
            }
        }
        self.table = table
    }

    var provider: TheoryProvider {
        let table = self.table
        return { optimizer, s, n in table[s]?[n]?.prediction(for: optimizer)?.loss }
    }
}
