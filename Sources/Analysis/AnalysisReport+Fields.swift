import Foundation
import Numerics
import Vocabulary

/// A value in the flat, named-field view of a row shared by the JSON, CSV and columnar
/// renderers (so that the three agree on names and order).
public enum FieldValue: Equatable, Sendable {
    /// NaN renders as null (JSON), an empty field (CSV) and NaN (columns).
    case number(Double)
    case integer(Int)
    case bool(Bool)
    /// nil renders as null (JSON), an empty field (CSV) and "" (columns).
    case text(String?)
    /// Joined with "; " in CSV and columns.
    case texts([String])
}

extension AlphaRow {
    /// The row as ordered (name, value) pairs. The first names are the contract of
    /// shared/DESIGN.md (`optimizer`, `s`, `alpha`, `ci_low`, `ci_high`, `ci_low_percentile`,
    /// `ci_high_percentile`, `gap_vs_gd`, `alpha_theory`, `alpha_low_half`, `alpha_high_half`,
    /// `n_replicates`); the rest are extras.
    public var fields: [(name: String, value: FieldValue)] {
        let ci = alphaInterval, gap = gapInterval
        let lo = lowHalfInterval, hi = highHalfInterval, diff = halfDifferenceInterval
        let measured: [(name: String, value: FieldValue)] = [
            ("optimizer", .text(optimizer.rawValue)),
            ("s", .number(s)),
            ("alpha", .number(alpha)),
            ("ci_low", .number(ci?.low ?? .nan)),
            ("ci_high", .number(ci?.high ?? .nan)),
            ("ci_low_percentile", .number(ci?.percentileLow ?? .nan)),
            ("ci_high_percentile", .number(ci?.percentileHigh ?? .nan)),
            ("ci_method", .text(ci?.method.rawValue)),
            ("ci_low_bca", .number(ci?.bcaLow ?? .nan)),
            ("ci_high_bca", .number(ci?.bcaHigh ?? .nan)),
            ("alpha_bootstrap_se", .number(ci?.standardError ?? .nan)),
            ("bca_z0", .number(ci?.biasCorrection ?? .nan)),
            ("bca_acceleration", .number(ci?.acceleration ?? .nan)),
            ("gap_vs_gd", .number(gapVsGD)),
            ("gap_ci_low", .number(gap?.low ?? .nan)),
            ("gap_ci_high", .number(gap?.high ?? .nan)),
            ("gap_ci_low_percentile", .number(gap?.percentileLow ?? .nan)),
            ("gap_ci_high_percentile", .number(gap?.percentileHigh ?? .nan)),
            ("gap_ci_method", .text(gap?.method.rawValue)),
            ("gap_n_replicates", .integer(gapReplicates)),
            ("alpha_theory", .number(alphaTheory)),
            ("alpha_theory_low_half", .number(alphaTheoryLowHalf)),
            ("alpha_theory_high_half", .number(alphaTheoryHighHalf)),
            ("alpha_low_half", .number(alphaLowHalf)),
            ("alpha_low_half_ci_low", .number(lo?.low ?? .nan)),
            ("alpha_low_half_ci_high", .number(lo?.high ?? .nan)),
            ("alpha_high_half", .number(alphaHighHalf)),
            ("alpha_high_half_ci_low", .number(hi?.low ?? .nan)),
            ("alpha_high_half_ci_high", .number(hi?.high ?? .nan)),
            ("half_difference_ci_low", .number(diff?.low ?? .nan)),
            ("half_difference_ci_high", .number(diff?.high ?? .nan)),
            ("power_law_warning", .bool(powerLawWarning)),
            ("saturating_E", .number(saturating?.E ?? .nan)),
            ("saturating_A", .number(saturating?.A ?? .nan)),
            ("alpha_saturating", .number(saturating?.alpha ?? .nan)),
            ("saturating_rms_log_residual", .number(saturating?.rmsLogResidual ?? .nan)),
            ("fit_log_intercept", .number(fitLogIntercept)),
            ("n_replicates", .integer(nReplicates)),
            ("insufficient_replicates", .bool(insufficientReplicates)),
            ("excluded_diverged", .integer(excludedDiverged)),
            ("excluded_failed", .integer(excludedFailed)),
            ("excluded_bad_loss", .integer(excludedBadLoss)),
            ("missing_tasks", .integer(missingTasks)),
            ("incomplete_replicates", .integer(incompleteReplicates)),
            ("lr_at_grid_edge", .integer(lrAtGridEdge)),
            ("notes", .texts(notes)),
        ]
        return measured + Robustness.fields(robustness)
    }
}

extension LossCurvePoint {
    /// The point as ordered (name, value) pairs.
    public var fields: [(name: String, value: FieldValue)] {
        [
            ("optimizer", .text(optimizer.rawValue)),
            ("s", .number(s)),
            ("N", .integer(N)),
            ("n_replicates", .integer(count)),
            ("mean_loss", .number(meanLoss)),
            ("std_loss", .number(stdLoss)),
            ("mean_log_loss", .number(meanLogLoss)),
            ("std_log_loss", .number(stdLogLoss)),
            ("theory_loss", .number(theoryLoss)),
        ]
    }
}

/// Equal-length columns of a table, for storage as one-dimensional datasets (e.g. HDF5 under
/// `/analysis`). Numbers, integers and booleans (0/1) are numeric columns, NaN where missing;
/// text columns hold "" where missing and join lists with "; ".
public struct ReportColumns: Equatable, Sendable {
    /// Number of rows; every column has this length.
    public var rowCount: Int
    /// Column names in field order (numeric and text together).
    public var names: [String]
    public var numeric: [String: [Double]]
    public var text: [String: [String]]

    init(rows: [[(name: String, value: FieldValue)]], names: [String]) {
        rowCount = rows.count
        self.names = names
        numeric = [:]
        text = [:]
        for (k, name) in names.enumerated() {
            switch rows.first?[k].value ?? .number(.nan) {
            case .number, .integer, .bool:
                numeric[name] = rows.map { row in
                    switch row[k].value {
                    case .number(let v): return v
                    case .integer(let v): return Double(v)
                    case .bool(let v): return v ? 1 : 0
                    default: return .nan
                    }
                }
            case .text, .texts:
                text[name] = rows.map { row in
                    switch row[k].value {
                    case .text(let v): return v ?? ""
                    case .texts(let v): return v.joined(separator: "; ")
                    default: return ""
                    }
                }
            }
        }
    }
}

extension AnalysisReport {
    /// The names of the α table's fields, in order.
    public static var rowFieldNames: [String] {
        AlphaRow(optimizer: .gd, s: .nan).fields.map(\.name)
    }

    /// The names of the curve table's fields, in order.
    public static var curveFieldNames: [String] {
        LossCurvePoint(optimizer: .gd, s: 0, N: 1, count: 0, meanLoss: .nan, stdLoss: .nan,
                       meanLogLoss: .nan, stdLogLoss: .nan, theoryLoss: .nan).fields.map(\.name)
    }

    /// The α table as columns (one entry per row of `rows`), for `/analysis` datasets.
    public func columns() -> ReportColumns {
        ReportColumns(rows: rows.map(\.fields), names: Self.rowFieldNames)
    }

    /// The per-(optimizer, s, N) curves as columns (one entry per element of `curves`).
    public func curveColumns() -> ReportColumns {
        ReportColumns(rows: curves.map(\.fields), names: Self.curveFieldNames)
    }
}
