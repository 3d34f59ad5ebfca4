import Foundation
import Numerics
import Vocabulary

/// Output formats of `alphasweep analyze --format`.
public enum ReportFormat: String, CaseIterable, Sendable {
    case table, csv, json
}

extension AnalysisReport {
    /// The report in the given format.
    public func render(_ format: ReportFormat) throws -> String {
        switch format {
        case .table: return renderTable()
        case .csv: return renderCSV()
        case .json: return try renderJSON()
        }
    }

    // MARK: - JSON

    /// The α table as a JSON array with one object per (optimizer, s), keys in field order,
    /// NaN and missing values as null.
    public func renderJSON() throws -> String {
        try jsonArray(rows.map(\.fields))
    }

    /// Objects with keys in field order. `JSONEncoder` encodes every key and value (escaping,
    /// shortest round-trip doubles); the objects are assembled here because keyed containers
    /// do not keep insertion order, and a stable, readable order is part of the output.
    private func jsonArray(_ objects: [[(name: String, value: FieldValue)]]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        func encoded<T: Encodable>(_ value: T) throws -> String {
            String(decoding: try encoder.encode(value), as: UTF8.self)
        }
        var out = "["
        for (i, object) in objects.enumerated() {
            out += i == 0 ? "\n  {" : ",\n  {"
            for (k, field) in object.enumerated() {
                let value: String
                switch field.value {
                case .number(let v): value = v.isFinite ? try encoded(v) : "null"
                case .integer(let v): value = try encoded(v)
                case .bool(let v): value = v ? "true" : "false"
                case .text(let v): value = try v.map { try encoded($0) } ?? "null"
                case .texts(let v): value = try encoded(v)
                }
                out += (k == 0 ? "\n    " : ",\n    ") + (try encoded(field.name)) + ": " + value
            }
            out += "\n  }"
        }
        out += objects.isEmpty ? "]\n" : "\n]\n"
        return out
    }

    // MARK: - CSV

    /// The α table as CSV (RFC 4180): a header of field names, one line per row; missing
    /// numbers are empty fields, notes joined with "; ".
    public func renderCSV() -> String {
        csv(header: Self.rowFieldNames, rows: rows.map(\.fields))
    }

    /// The curves as CSV.
    public func renderCurvesCSV() -> String {
        csv(header: Self.curveFieldNames, rows: curves.map(\.fields))
    }

    private func csv(header: [String], rows: [[(name: String, value: FieldValue)]]) -> String {
        var out = header.joined(separator: ",") + "\n"
        for row in rows {
            out += row.map { field -> String in
                switch field.value {
                case .number(let v): return v.isNaN ? "" : "\(v)"
                case .integer(let v): return "\(v)"
                case .bool(let v): return v ? "true" : "false"
                case .text(let v): return csvQuoted(v ?? "")
                case .texts(let v): return csvQuoted(v.joined(separator: "; "))
                }
            }.joined(separator: ",") + "\n"
        }
        return out
    }

    private func csvQuoted(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: - Table

    /// The human-readable report: α per optimizer (rows) and s (columns) with its interval,
    /// then the paired gaps to GD, local exponents, theory beside measurement, the saturating
    /// fits, and the notes.
    public func renderTable() -> String {
        let level = Int((options.confidence * 100).rounded())
        var out = ""
        out += "α in L(N) ∝ N^-α: OLS of mean-over-replicates log L on log N, N = \(N.map(String.init).joined(separator: ", "))\n"
        out += "\(level) % bootstrap CI over whole replicates (B = \(options.resamples)), BCa; "
        out += "* = percentile (BCa degenerate), ! = not a power law (half-grid α disjoint), (n=k) = too few replicates for a CI\n\n"

        out += "α [CI]\n"
        out += grid(rowLabels: optimizers.map(\.rawValue)) { o, si in
            guard let row = row(optimizers[o], s: sValues[si]) else { return "" }
            return cellText(row.alpha, row.alphaInterval, replicates: row.nReplicates)
                + (row.powerLawWarning ? "!" : "")
        }

        let others = optimizers.filter { $0 != .gd }
        if optimizers.contains(.gd), !others.isEmpty {
            out += "\ngap α_opt − α_GD [paired CI]\n"
            out += grid(rowLabels: others.map(\.rawValue)) { o, si in
                guard let row = row(others[o], s: sValues[si]) else { return "" }
                return cellText(row.gapVsGD, row.gapInterval, replicates: row.gapReplicates)
            }
        }

        if let h = ReplicateLogLosses.halves(count: N.count) {
            let lowN = "\(N[h.lower.first!])…\(N[h.lower.last!])"
            let highN = "\(N[h.upper.first!])…\(N[h.upper.last!])"
            out += "\nlocal exponents: α on N = \(lowN) → α on N = \(highN)\n"
            out += grid(rowLabels: optimizers.map(\.rawValue)) { o, si in
                guard let row = row(optimizers[o], s: sValues[si]), !row.alphaLowHalf.isNaN else { return "n/a" }
                return String(format: "%.3f → %.3f", row.alphaLowHalf, row.alphaHighHalf) + (row.powerLawWarning ? " !" : "")
            }
        }

        let withTheory = optimizers.filter { o in rows.contains { $0.optimizer == o && !$0.alphaTheory.isNaN } }
        out += "\ntheory vs measured: α measured | α theory\n"
        if withTheory.isEmpty {
            out += "  (no theory prediction)\n"
        } else {
            out += grid(rowLabels: withTheory.map(\.rawValue)) { o, si in
                guard let row = row(withTheory[o], s: sValues[si]) else { return "" }
                return "\(fmt(row.alpha)) | \(fmt(row.alphaTheory))"
            }
        }

        out += "\nsaturating fit L = E + A·N^-α (Huber on log L, δ = \(options.huberDelta)): α_sat (E)\n"
        out += grid(rowLabels: optimizers.map(\.rawValue)) { o, si in
            guard let row = row(optimizers[o], s: sValues[si]), let fit = row.saturating else { return "n/a" }
            return String(format: "%.3f (%.2e)", fit.alpha, fit.E)
        }

        out += "\nwarnings and notes\n"
        let cellNotes = rows.flatMap { row in row.notes.map { "\(row.optimizer.rawValue) s=\(formatS(row.s)): \($0)" } }
        if notes.isEmpty && cellNotes.isEmpty { out += "  none\n" }
        for note in notes { out += "  - \(note)\n" }
        for note in cellNotes { out += "  - \(note)\n" }
        out += renderRobustnessTable()
        return out
    }

    private func fmt(_ v: Double) -> String { v.isNaN ? "n/a" : String(format: "%.3f", v) }

    private func cellText(_ estimate: Double, _ ci: BootstrapInterval?, replicates: Int) -> String {
        guard !estimate.isNaN else { return "n/a" }
        guard let ci else { return "\(fmt(estimate)) (n=\(replicates))" }
        return "\(fmt(estimate)) [\(fmt(ci.low)), \(fmt(ci.high))]" + (ci.method == .percentile ? "*" : "")
    }

    /// A text grid: row labels down, one column per s, cells right-padded to a common width.
    private func grid(rowLabels: [String], cell: (Int, Int) -> String) -> String {
        let header = ["optimizer"] + sValues.map { "s = \(formatS($0))" }
        var lines = [header]
        for (o, label) in rowLabels.enumerated() {
            lines.append([label] + sValues.indices.map { cell(o, $0) })
        }
        let widths = header.indices.map { k in lines.map { $0[k].count }.max()! }
        return lines.map { line in
            line.enumerated().map { k, text in
                text + String(repeating: " ", count: widths[k] - text.count)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }
}
