import Foundation
import Numerics
import ResultsFile
import Vocabulary

/// `analyze --report DIR`: one self-contained `index.html` a person opens: the verdict, the α
/// and gap tables, the figures as inline SVG, the detail tables, the caveats, provenance and
/// the spec. Nothing is loaded from elsewhere (no scripts, fonts, style sheets or images), so
/// the file can be mailed or archived alone.
public struct HTMLReport {
    public var report: AnalysisReport
    /// The results file analysed, as named on the command line.
    public var file: String
    public var specText: String
    public var provenance: [ProvenanceRecord]
    /// When the report was made (ISO 8601 UTC).
    public var created: String
    public var alphasweepVersion: String

    public init(report: AnalysisReport, file: String, specText: String, provenance: [ProvenanceRecord], created: String,
                alphasweepVersion: String) {
        self.report = report
        self.file = file
        self.specText = specText
        self.provenance = provenance
        self.created = created
        self.alphasweepVersion = alphasweepVersion
    }

    /// Writes `directory/index.html` (the directory is created if needed); returns its URL.
    public func write(to directory: URL) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("index.html")
        try html().write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// The page.
    public func html() -> String {
        let r = report
        let level = Int((r.options.confidence * 100).rounded())
        var body = ""
        body += "<h1>α in L(N) ∝ N<sup>−α</sup> by optimizer</h1>\n"
        body += "<p class=\"meta\">\(escape(file)) · \(r.tally.records) rows · \(r.optimizers.count) optimizers × "
            + "\(r.sValues.count) s × \(r.N.count) N × \(r.replicateCount) replicates · report made \(escape(created)) "
            + "by alphasweep \(escape(alphasweepVersion))</p>\n"

        body += "<section id=\"verdict\"><h2>Verdict</h2>\n<ul>\n"
        for line in r.verdict() { body += "<li>\(escape(line))</li>\n" }
        body += "</ul></section>\n"

        body += "<section id=\"alpha\"><h2>α with \(level) % bootstrap CI</h2>\n"
        body += "<p>OLS of the mean-over-replicates log L on log N over N = \(r.N.map(String.init).joined(separator: ", ")); "
            + "CI: BCa over whole replicates, B = \(r.options.resamples) (* percentile where BCa degenerates; "
            + "! the half-grid exponents disagree: not a power law).</p>\n"
        body += table(rows: r.optimizers) { o, s in
            guard let row = r.row(o, s: s), !row.alpha.isNaN else { return "n/a" }
            return cell(row.alpha, row.alphaInterval, n: row.nReplicates) + (row.powerLawWarning ? " !" : "")
        }
        body += "</section>\n"

        let others = r.optimizers.filter { $0 != .gd }
        if r.optimizers.contains(.gd), !others.isEmpty {
            body += "<section id=\"gap\"><h2>Gap α<sub>opt</sub> − α<sub>GD</sub> (paired CI)</h2>\n"
            body += table(rows: others) { o, s in
                guard let row = r.row(o, s: s), !row.gapVsGD.isNaN else { return "n/a" }
                return cell(row.gapVsGD, row.gapInterval, n: row.gapReplicates)
            }
            body += "</section>\n"
        }

        body += "<section id=\"figures\"><h2>Figures</h2>\n"
        for figure in FigureFile.allCases {
            body += "<figure id=\"\(figure.rawValue)\">\(inlineSVG(r.figureSVG(figure)))<figcaption>\(escape(caption(figure)))</figcaption></figure>\n"
        }
        body += "</section>\n"

        body += "<section id=\"details\"><h2>Details</h2>\n"
        for section in r.detailSections() {
            body += "<h3>\(escape(section.title))</h3>\n<pre>\(escape(section.body))</pre>\n"
        }
        body += "</section>\n"

        body += "<section id=\"caveats\"><h2>Caveats</h2>\n<ul>\n"
        for caveat in caveats() { body += "<li>\(escape(caveat))</li>\n" }
        body += "</ul></section>\n"

        body += "<section id=\"provenance\"><h2>Provenance</h2>\n<table><thead><tr>"
        for name in ["event", "created", "hosts", "ranks", "shard", "rows", "Slurm", "peak RSS MiB by rank", "command line"] {
            body += "<th>\(name)</th>"
        }
        body += "</tr></thead><tbody>\n"
        for row in provenance {
            let p = row.provenance
            body += "<tr>" + [row.event, p.created, p.hostnames.joined(separator: ", "), String(p.ranks), p.shard, String(row.rows),
                              p.slurm.description, row.peakRSSByRank, p.commandLine].map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n"
        }
        body += "</tbody></table></section>\n"

        body += "<section id=\"spec\"><h2>Spec</h2>\n<pre>\(escape(specText))</pre></section>\n"
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>alphasweep report: \(escape(file))</title>
        <style>
        body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
        table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
        th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; font-variant-numeric: tabular-nums; }
        table.cells td { white-space: nowrap; }
        th { background: #f3f3f3; }
        pre { background: #f7f7f7; padding: 0.6rem; overflow-x: auto; }
        figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
        .meta { color: #666; }
        </style>
        </head>
        <body>
        \(body)</body>
        </html>

        """
    }

    /// What a reader should keep in mind, from the analysis and always.
    func caveats() -> [String] {
        let r = report
        var out = r.notes
        out.append("α is fitted over the finite window N = \(r.N.first.map(String.init) ?? "?")…\(r.N.last.map(String.init) ?? "?"); "
                   + "the theory's α is fitted over the same window, not its N → ∞ limit.")
        out.append("Intervals resample whole replicates (\(r.replicateCount) in the grid); a cell with fewer than "
                   + "\(r.options.minimumReplicates) complete replicates gets no interval.")
        let cellNotes = r.rows.flatMap { row in row.notes.map { "\(row.optimizer.rawValue) s=\(formatS(row.s)): \($0)" } }
        out += cellNotes.prefix(50)
        if cellNotes.count > 50 { out.append("… and \(cellNotes.count - 50) more notes per cell (analyze --details).") }
        return out
    }

    private func caption(_ figure: FigureFile) -> String {
        switch figure {
        case .lossVersusN: return "L(N) per s on log-log axes: geometric mean over replicates (±1 sd of log L), fitted power law solid, theory dashed."
        case .alphaVersusS: return "α against s with its CI; theory as hollow markers."
        case .gapVersusS: return "α_opt − α_GD against s with the paired CI; theory hollow."
        }
    }

    private func table(rows: [OptimizerKind], cell: (OptimizerKind, Double) -> String) -> String {
        var out = "<table class=\"cells\"><thead><tr><th>optimizer</th>"
        for s in report.sValues { out += "<th>s = \(formatS(s))</th>" }
        out += "</tr></thead><tbody>\n"
        for o in rows {
            out += "<tr><th>\(o.rawValue)</th>" + report.sValues.map { "<td>\(escape(cell(o, $0)))</td>" }.joined() + "</tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    private func cell(_ estimate: Double, _ ci: BootstrapInterval?, n: Int) -> String {
        let value = String(format: "%.3f", estimate)
        guard let ci else { return "\(value) (n=\(n))" }
        return "\(value) [\(String(format: "%.3f", ci.low)), \(String(format: "%.3f", ci.high))]" + (ci.method == .percentile ? "*" : "")
    }

    /// An SVG document as an element of the page (its XML declaration dropped).
    private func inlineSVG(_ svg: String) -> String {
        guard let start = svg.range(of: "<svg") else { return "" }
        return String(svg[start.lowerBound...])
    }

    private func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
