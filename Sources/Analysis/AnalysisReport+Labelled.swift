import Numerics
import ResultsFile
import Vocabulary

extension AnalysisReport {
    /// Descriptions of the main fields, as netCDF `long_name` attributes.
    static let longNames: [String: String] = [
        "alpha": "scaling exponent α of L(N) ∝ N^-α (OLS of mean log L on log N)",
        "ci_low": "lower bound of the bootstrap CI of α", "ci_high": "upper bound of the bootstrap CI of α",
        "gap_vs_gd": "α_optimizer − α_GD (paired over replicates)",
        "gap_ci_low": "lower bound of the paired CI of the gap", "gap_ci_high": "upper bound of the paired CI of the gap",
        "alpha_theory": "α of the spectral theory's L(N) over the same N grid",
        "alpha_low_half": "α on the lower half of the N grid", "alpha_high_half": "α on the upper half of the N grid",
        "alpha_saturating": "α of the saturating fit L = E + A·N^-α",
        "n_replicates": "complete replicates used for α",
        "curve_mean_loss": "mean test loss over replicates", "curve_mean_log_loss": "mean log test loss over replicates",
        "curve_theory_loss": "theory's L(N)",
    ]

    /// The α table as 2-D arrays over (optimizer, s) and the curves as 3-D arrays over
    /// (optimizer, s, N), named like the CSV/JSON fields (curves prefixed `curve_`); cells
    /// without a row hold NaN or "". Booleans are 0/1.
    public func labelledArrays() -> LabelledArrays {
        let S = sValues.count, M = N.count
        let optimizerIndex = Dictionary(uniqueKeysWithValues: optimizers.enumerated().map { ($1, $0) })
        let sIndex = Dictionary(uniqueKeysWithValues: sValues.enumerated().map { ($1, $0) })
        let nIndex = Dictionary(uniqueKeysWithValues: N.enumerated().map { ($1, $0) })
        var arrays = LabelledArrays(dimensions: [
            .init(name: "optimizer", values: .text(optimizers.map(\.rawValue)), attributes: ["long_name": "optimizer"]),
            .init(name: "s", values: .float64(sValues), attributes: ["long_name": "spectral decay exponent s", "units": "1"]),
            .init(name: "N", values: .int64(N.map(Int64.init)), attributes: ["long_name": "number of random features N", "units": "1"]),
        ])

        func variables(named names: [String], prefix: String, dimensions: [String], count: Int,
                       entries: [(cell: Int, fields: [(name: String, value: FieldValue)])]) {
            let coordinates = Set(dimensions)
            for (k, name) in names.enumerated() where !coordinates.contains(name) {
                let isText: Bool
                switch entries.first?.fields[k].value {
                case .text?, .texts?: isText = true
                default: isText = false
                }
                var numbers = [Double](repeating: .nan, count: isText ? 0 : count)
                var texts = [String](repeating: "", count: isText ? count : 0)
                for entry in entries {
                    switch entry.fields[k].value {
                    case .number(let v): numbers[entry.cell] = v
                    case .integer(let v): numbers[entry.cell] = Double(v)
                    case .bool(let v): numbers[entry.cell] = v ? 1 : 0
                    case .text(let v): texts[entry.cell] = v ?? ""
                    case .texts(let v): texts[entry.cell] = v.joined(separator: "; ")
                    }
                }
                let full = prefix + name
                arrays.variables.append(.init(name: full, dimensions: dimensions,
                                              values: isText ? .text(texts) : .float64(numbers),
                                              attributes: Self.longNames[full].map { ["long_name": $0] } ?? [:]))
            }
        }
        let rowEntries = rows.compactMap { row -> (cell: Int, fields: [(name: String, value: FieldValue)])? in
            guard let o = optimizerIndex[row.optimizer], let si = sIndex[row.s] else { return nil }
            return (o * S + si, row.fields)
        }
        variables(named: Self.rowFieldNames, prefix: "", dimensions: ["optimizer", "s"], count: optimizers.count * S,
                  entries: rowEntries)
        let curveEntries = curves.compactMap { point -> (cell: Int, fields: [(name: String, value: FieldValue)])? in
            guard let o = optimizerIndex[point.optimizer], let si = sIndex[point.s], let ni = nIndex[point.N] else { return nil }
            return ((o * S + si) * M + ni, point.fields)
        }
        // The curves' own coordinate fields are the dimensions; the rest get the prefix.
        variables(named: Self.curveFieldNames, prefix: "curve_",
                  dimensions: ["optimizer", "s", "N"], count: optimizers.count * S * M, entries: curveEntries)
        return arrays
    }
}
