import Foundation
import Numerics
import Vocabulary

/// A titled block of the text report (an empty title prints the body alone).
public struct ReportSection: Equatable, Sendable {
    public var title: String
    public var body: String

    public init(title: String, body: String) {
        self.title = title
        self.body = body
    }
}

/// Output formats of `alphasweep analyze --format`.
public enum ReportFormat: String, CaseIterable, Sendable {
    case table, csv, json
}

extension AnalysisReport {
    /// The report in the given format.
    public func render(_ format: ReportFormat, details: Bool = false) throws -> String {
        switch format {
        case .table: return renderTable(details: details)
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

    /// The human-readable report. First what a reader needs: the α table with its intervals,
    /// the paired gaps to GD, a few lines of verdict and the whole-sweep notes. With `details`,
    /// then `detailSections()` (local exponents, theory, saturating fits, per-cell notes);
    /// those are always in the JSON, the CSV and `/analysis`.
    public func renderTable(details: Bool = false) -> String {
        var sections = summarySections()
        if details {
            sections += detailSections()
        } else {
            sections.append(ReportSection(title: "", body:
                "(--details adds the local exponents, theory, saturating fits and notes per cell; all are in --format json/csv and /analysis)\n"))
        }
        return sections.map { $0.title.isEmpty ? $0.body : "\($0.title)\n\($0.body)" }.joined(separator: "\n")
    }

    /// The head of the report: α, gaps, verdict, whole-sweep notes.
    public func summarySections() -> [ReportSection] {
        let level = Int((options.confidence * 100).rounded())
        var heading = "α in L(N) ∝ N^-α: OLS of mean-over-replicates log L on log N, N = \(N.map(String.init).joined(separator: ", "))\n"
        heading += "\(level) % bootstrap CI over whole replicates (B = \(options.resamples)), BCa; "
        heading += "* = percentile (BCa degenerate), ! = not a power law (half-grid α disjoint), (n=k) = too few replicates for a CI\n"
        var sections = [ReportSection(title: "", body: heading)]
        sections.append(ReportSection(title: "α [CI]", body: grid(rowLabels: optimizers.map(\.rawValue)) { o, si in
            guard let row = row(optimizers[o], s: sValues[si]) else { return "" }
            return cellText(row.alpha, row.alphaInterval, replicates: row.nReplicates) + (row.powerLawWarning ? "!" : "")
        }))
        let others = optimizers.filter { $0 != .gd }
        if optimizers.contains(.gd), !others.isEmpty {
            sections.append(ReportSection(title: "gap α_opt − α_GD [paired CI]", body: grid(rowLabels: others.map(\.rawValue)) { o, si in
                guard let row = row(others[o], s: sValues[si]) else { return "" }
                return cellText(row.gapVsGD, row.gapInterval, replicates: row.gapReplicates)
            }))
        }
        sections.append(ReportSection(title: "verdict", body: verdict().map { "  \($0)\n" }.joined()))
        let sweepNotes = notes.filter { !$0.hasPrefix(Self.powerLawNotePrefix) }
        if !sweepNotes.isEmpty {
            sections.append(ReportSection(title: "notes", body: sweepNotes.map { "  - \($0)\n" }.joined()))
        }
        return sections
    }

    /// The tables behind `--details`, in order. A further table is one more entry here.
    public func detailSections() -> [ReportSection] {
        [localExponentSection(), theorySection(), saturatingSection(), robustnessSection(), cellNotesSection()].compactMap { $0 }
    }

    static let powerLawNotePrefix = "not a power law"

    /// Three or four lines: how each optimizer's α compares with GD's, which is largest, how
    /// the theory does, and where L(N) is not a power law.
    public func verdict() -> [String] {
        var lines: [String] = []
        let others = optimizers.filter { $0 != .gd }
        if optimizers.contains(.gd), !others.isEmpty {
            // Optimizers grouped by how many s values their paired CI puts above (below) GD.
            func grouped(_ count: (OptimizerKind) -> Int) -> String {
                let counts = others.map { ($0, count($0)) }.filter { $0.1 > 0 }
                return Set(counts.map(\.1)).sorted(by: >).map { k in
                    "\(k)/\(sValues.count) s for " + counts.filter { $0.1 == k }.map(\.0.rawValue).joined(separator: ", ")
                }.joined(separator: "; ")
            }
            func intervals(_ o: OptimizerKind) -> [BootstrapInterval] { sValues.compactMap { row(o, s: $0)?.gapInterval } }
            let above = grouped { o in intervals(o).filter { $0.low > 0 }.count }
            let below = grouped { o in intervals(o).filter { $0.high < 0 }.count }
            var line = "α above GD's (paired CI > 0): " + (above.isEmpty ? "nowhere" : above)
            if !below.isEmpty { line += "; below GD's: " + below }
            lines.append(line + ".")
        }
        // Per s the optimizer with the largest α, with those whose CI reaches the leader's
        // ("SqrtNG ≈ NG"); s values with the same leaders are grouped.
        var leaders: [(String, [Double])] = []
        for s in sValues {
            let measured = optimizers.compactMap { o in row(o, s: s).flatMap { $0.alpha.isNaN ? nil : $0 } }
            guard let best = measured.max(by: { $0.alpha < $1.alpha }) else { continue }
            let tied = measured.filter { $0.optimizer != best.optimizer && best.ciLow <= $0.ciHigh }
            let label = (tied.map(\.optimizer) + [best.optimizer]).sorted().map(\.rawValue).joined(separator: " ≈ ")
            if let k = leaders.firstIndex(where: { $0.0 == label }) { leaders[k].1.append(s) } else { leaders.append((label, [s])) }
        }
        if !leaders.isEmpty {
            lines.append("largest α: " + leaders.map { label, s in
                s.count == sValues.count ? "\(label) at every s" : "\(label) at s = \(s.map(formatS).joined(separator: ", "))"
            }.joined(separator: "; ") + (leaders.contains { $0.0.contains("≈") } ? " (≈: CIs overlap)." : "."))
        }
        let compared = rows.filter { !$0.alpha.isNaN && !$0.alphaTheory.isNaN }
        if hasTheory, !compared.isEmpty {
            let errors = compared.map { abs($0.alpha - $0.alphaTheory) }.sorted()
            let worst = compared.max { abs($0.alpha - $0.alphaTheory) < abs($1.alpha - $1.alphaTheory) }!
            let kinds = optimizers.filter { o in compared.contains { $0.optimizer == o } }.map(\.rawValue)
            lines.append("theory (\(kinds.joined(separator: ", "))): |α − α_theory| median \(fmt(errors[errors.count / 2])), "
                         + "largest \(fmt(errors.last!)) (\(worst.optimizer.rawValue) s = \(formatS(worst.s))) over \(compared.count) cells.")
        } else {
            lines.append(hasTheory ? "theory: no cell with both a measured and a predicted α." : "theory: not computed (--no-theory).")
        }
        let fitted = rows.filter { !$0.alphaLowHalf.isNaN }
        let curved = rows.filter(\.powerLawWarning)
        if fitted.isEmpty {
            lines.append("power law: too few N values for local exponents.")
        } else if curved.isEmpty {
            lines.append("power law: the half-grid exponents agree in all \(fitted.count) cells.")
        } else {
            // The shorter list: the curved cells, or when they are most, the others.
            let listsTheOthers = curved.count * 2 > fitted.count
            let listed = listsTheOthers ? fitted.filter { !$0.powerLawWarning } : curved
            let byOptimizer = optimizers.compactMap { o -> String? in
                let s = listed.filter { $0.optimizer == o }.map { formatS($0.s) }
                return s.isEmpty ? nil : "\(o.rawValue) s = \(s.joined(separator: ", "))"
            }
            let which = listed.isEmpty ? "every cell" : (listsTheOthers ? "all but " : "") + byOptimizer.joined(separator: "; ")
            lines.append("not a power law (half-grid α disjoint) in \(curved.count) of \(fitted.count) cells: \(which).")
        }
        // The robustness verdicts (clean / curved / saturating), appended to the power-law line.
        let verdicts = rows.compactMap { $0.robustness?.verdict }
        if !verdicts.isEmpty, let last = lines.indices.last {
            let counts = Robustness.Verdict.allCases.map { v in "\(verdicts.filter { $0 == v }.count) \(v.rawValue)" }
            lines[last] += " Fit verdicts: " + counts.joined(separator: ", ") + " (robustness table: --details)."
        }
        return lines
    }

    private func localExponentSection() -> ReportSection? {
        guard let h = ReplicateLogLosses.halves(count: N.count) else { return nil }
        let lowN = "\(N[h.lower.first!])…\(N[h.lower.last!])"
        let highN = "\(N[h.upper.first!])…\(N[h.upper.last!])"
        return ReportSection(title: "local exponents: α on N = \(lowN) → α on N = \(highN)",
                             body: grid(rowLabels: optimizers.map(\.rawValue)) { o, si in
            guard let row = row(optimizers[o], s: sValues[si]), !row.alphaLowHalf.isNaN else { return "n/a" }
            return String(format: "%.3f → %.3f", row.alphaLowHalf, row.alphaHighHalf) + (row.powerLawWarning ? " !" : "")
        })
    }

    private func theorySection() -> ReportSection {
        let withTheory = optimizers.filter { o in rows.contains { $0.optimizer == o && !$0.alphaTheory.isNaN } }
        guard !withTheory.isEmpty else {
            return ReportSection(title: "theory vs measured: α measured | α theory", body: "  (no theory prediction)\n")
        }
        return ReportSection(title: "theory vs measured: α measured | α theory", body: grid(rowLabels: withTheory.map(\.rawValue)) { o, si in
            guard let row = row(withTheory[o], s: sValues[si]) else { return "" }
            return "\(fmt(row.alpha)) | \(fmt(row.alphaTheory))"
        })
    }

    private func saturatingSection() -> ReportSection {
        ReportSection(title: "saturating fit L = E + A·N^-α (Huber on log L, δ = \(options.huberDelta)): α_sat (E)",
                      body: grid(rowLabels: optimizers.map(\.rawValue)) { o, si in
            guard let row = row(optimizers[o], s: sValues[si]), let fit = row.saturating else { return "n/a" }
            return String(format: "%.3f (%.2e)", fit.alpha, fit.E)
        })
    }

    private func cellNotesSection() -> ReportSection {
        let cellNotes = rows.flatMap { row in row.notes.map { "\(row.optimizer.rawValue) s=\(formatS(row.s)): \($0)" } }
        let powerLaw = notes.filter { $0.hasPrefix(Self.powerLawNotePrefix) }
        let lines = powerLaw + cellNotes
        return ReportSection(title: "per-cell notes", body: lines.isEmpty ? "  none\n" : lines.map { "  - \($0)\n" }.joined())
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
