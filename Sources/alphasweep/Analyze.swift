import Analysis
import ArgumentParser
import Foundation
import Numerics
import Platform
import ResultsFile
import Sweep
import Vocabulary

extension ReportFormat: ExpressibleByArgument {}

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit α per (optimizer, s) with bootstrap CIs, the gap to GD, and theory beside it.",
        discussion: """
        Reads a results file (one run or a merge). Prints the α table, the gaps to GD and a short \
        verdict on stdout (progress and log messages on stderr); --details adds the local exponents, theory, \
        saturating fits and per-cell notes. Writes the analysis into the file's /analysis group \
        (labelled arrays over optimizer and s, so an archived file carries its answer), and with \
        --figures writes SVG figures. Tasks that diverged or failed are excluded and counted; cells with \
        too few complete replicates are marked.
        """)

    @Argument(help: "A results file (HDF5).") var file: String
    @Option(help: "Output format: table, csv or json.") var format: ReportFormat = .table
    @Option(help: "Write SVG figures into this directory.") var figures: String?
    @Option(help: "Write a self-contained HTML report (index.html: verdict, tables, figures, caveats, provenance, spec) into this directory.")
    var report: String?
    @Option(help: "Bootstrap resamples (≥ 4000 recommended).") var resamples: Int = ReplicateBootstrap.defaultResamples
    @Flag(help: "Do not store the analysis in the results file.") var noStore = false
    @Flag(help: "Skip the spectral-theory prediction.") var noTheory = false
    @Flag(help: "Also print the local-exponent, theory and saturating-fit tables and the per-cell notes (table format).")
    var details = false

    func validate() throws {
        try Ranges.check(resamples, 100...1_000_000, "--resamples")
    }

    func run() throws {
        // Refused before any output: a link, an odd side file or a read-only archive is never
        // written, and the user learns it before waiting for the bootstrap.
        if !noStore { try requireAnalysisStorable(in: file) }
        let contents = try ResultsReader.read(path: file, includeJournal: true)
        let archive = try ArchiveGrid(contents, file: file)
        let spec = archive.sweep
        var options = AnalysisOptions()
        options.resamples = resamples
        let theory: TheoryProvider? = noTheory ? nil : TheoryPredictions(spec: spec).provider
        let report = AnalysisReport(spec: spec, records: contents.records, theory: theory, options: options,
                                    expects: archive.grids.count > 1 ? archive.expects : nil)
        print(try report.render(format, details: details), terminator: format == .table ? "\n" : "")

        if let figures {
            let directory = URL(fileURLWithPath: figures)
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw BadInput("--figures: cannot create directory \(figures): \(error.localizedDescription)")
            }
            let written = try writeFigures(report, to: directory)
            logger.info("wrote \(written.count) figures to \(figures)/")
        }
        if let directory = self.report {
            let page = HTMLReport(report: report, file: file, specText: contents.specText, provenance: contents.provenance,
                                  created: Clock.utcTimestamp(), alphasweepVersion: AlphasweepVersion.current)
            let url: URL
            do { url = try page.write(to: URL(fileURLWithPath: directory)) } catch {
                throw BadInput("--report: cannot write \(directory)/index.html: \(error.localizedDescription)")
            }
            logger.info("wrote the report \(url.path)")
        }
        guard !noStore else { return }
        if contents.journal.rows > 0 {
            logger.info("analysis not stored in \(file): \(contents.journal.rows) rows are still in its journal (run `alphasweep run … --resume` to fold them in)")
            return
        }
        // As labelled arrays over (optimizer, s) and (optimizer, s, N): xarray opens the group
        // with coordinates; the flat tables are `--format csv/json`.
        do {
            try writeAnalysis(to: file, numericColumns: [:], stringColumns: [:], attributes: [
                "Conventions": "CF-1.8",
                "created": Clock.utcTimestamp(),
                "alphasweep_version": AlphasweepVersion.current,
                "bootstrap_resamples": String(resamples),
                "row_columns": AnalysisReport.rowFieldNames.joined(separator: ","),
                "curve_columns": AnalysisReport.curveFieldNames.map { "curve_" + $0 }.joined(separator: ","),
            ], labelled: report.labelledArrays())
        } catch let error as ResultsFileError {
            logger.info("analysis not stored in \(file): \(error)")
        }
    }
}
