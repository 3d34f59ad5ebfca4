import Numerics
import Vocabulary

/// The spectral diagnostic (SPEC §7) over a sweep's grid, evaluated once per (s, N) and shared
/// by the optimizers it covers (GD, SqrtNG, NG, and the grid's Precond(p)).
public struct TheoryPredictions {
    /// GD, SqrtNG and NG per (s, N).
    public let table: [Double: [Int: SpectralDiagnostic]]
    /// The grid's Precond(p) per (s, N), in a diagnostic of their own, so that the standard
    /// three's numbers (and their quadrature) do not depend on which powers a grid holds.
    public let precondTable: [Double: [Int: SpectralDiagnostic]]

    public init(spec: SweepSpec) {
        table = Self.evaluate(spec: spec, filters: SpectralDiagnostic.Filter.standard)
        let precond = spec.grid.optimizers.filter { $0.family == .precond }.compactMap(SpectralDiagnostic.Filter.init)
        precondTable = precond.isEmpty ? [:] : Self.evaluate(spec: spec, filters: precond)
    }

    static func evaluate(spec: SweepSpec, filters: [SpectralDiagnostic.Filter]) -> [Double: [Int: SpectralDiagnostic]] {
        var table: [Double: [Int: SpectralDiagnostic]] = [:]
        for s in spec.grid.s {
            let results = SpectralDiagnostic.evaluate(experiment: spec.experiment, s: s, Ns: spec.grid.N, filters: filters)
            for (n, result) in zip(spec.grid.N, results) {
                if case .success(let diagnostic) = result { table[s, default: [:]][n] = diagnostic }
            }
        }
        return table
    }

    /// The predicted L(N) of `optimizer` at (s, N), or nil where the diagnostic has none.
    public var provider: TheoryProvider {
        let table = self.table, precondTable = self.precondTable
        return { optimizer, s, n in
            (optimizer.family == .precond ? precondTable : table)[s]?[n]?.prediction(for: optimizer)?.loss
        }
    }
}
