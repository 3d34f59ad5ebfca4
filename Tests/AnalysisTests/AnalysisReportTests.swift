import Analysis
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Numerics
import ResultsFile
import Sweep
import Vocabulary
import XCTest

/// Synthetic sweeps: L = c·N^(−α_true(opt, s))·exp(noise), with per-replicate exponent jitter.
enum SyntheticSweep {
    static let N = [16, 32, 64, 128, 256, 512, 1024]

    static func trueAlpha(_ optimizer: OptimizerKind, s: Double) -> Double {
        0.2 * s + 0.1 * Double(optimizer.canonicalIndex)
    }

    static func spec(s: [Double] = [0.5, 1.0], seeds: Int = 8,
                     optimizers: [OptimizerKind] = OptimizerKind.allCases) -> SweepSpec {
        SweepSpec(grid: SweepGrid(N: N, s: s, replicates: 0..<seeds, optimizers: optimizers))
    }

    /// One record per task of the spec (all ok).
    static func records(_ spec: SweepSpec, seed: UInt64 = 1,
                        loss: ((TaskKey, Double) -> Double)? = nil) -> [TaskRecord] {
        var rng = SplitMix64(seed: seed)
        func normal() -> Double {
            let u1 = (Double(rng.next() >> 11) + 0.5) * 0x1p-53, u2 = Double(rng.next() >> 11) * 0x1p-53
            return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }
        // Per-(s, replicate) effect shared by every optimizer (the paired design) and
        // per-(optimizer, s, replicate) exponent jitter.
        var shared: [String: Double] = [:]
        var jitter: [String: Double] = [:]
        return spec.grid.tasks.map { key in
            let sharedKey = "\(key.s)/\(key.replicate)", jitterKey = "\(key.optimizer)/\(sharedKey)"
            if shared[sharedKey] == nil { shared[sharedKey] = 0.04 * normal() }
            if jitter[jitterKey] == nil { jitter[jitterKey] = 0.01 * normal() }
            let alpha = trueAlpha(key.optimizer, s: key.s) + shared[sharedKey]! + jitter[jitterKey]!
            let base = 0.8 * pow(Double(key.N), -alpha) * exp(0.02 * normal())
            let value = loss?(key, base) ?? base
            return TaskRecord(key: key, outcome: TrainingOutcome(testLoss: value, trainLoss: value / 2, lr: 0.1,
                                                                 lrAtGridEdge: false, status: .ok),
                              wallSeconds: 0.01, rank: 1)
        }
    }

    static func replacing(_ records: [TaskRecord], where match: (TaskKey) -> Bool,
                          status: TrainingOutcome.Status) -> [TaskRecord] {
        records.map { r in
            guard match(r.key) else { return r }
            var copy = r
            copy.outcome.status = status
            copy.outcome.testLoss = .nan
            copy.outcome.message = "synthetic \(status)"
            return copy
        }
    }
}

final class AnalysisReportTests: XCTestCase {
    func testCompleteSweepGivesOneRowPerCellAndRecoversAlpha() throws {
        let spec = SyntheticSweep.spec()
        let report = AnalysisReport(spec: spec, records: SyntheticSweep.records(spec))
        XCTAssertEqual(report.rows.count, 10)
        XCTAssertEqual(report.curves.count, 10 * 7)
        XCTAssertEqual(report.rows.map(\.optimizer), OptimizerKind.allCases.flatMap { [$0, $0] })
        for row in report.rows {
            let truth = SyntheticSweep.trueAlpha(row.optimizer, s: row.s)
            XCTAssertEqual(row.nReplicates, 8)
            XCTAssertEqual(row.alpha, truth, accuracy: 0.06)
            let ci = try XCTUnwrap(row.alphaInterval)
            XCTAssertLessThan(ci.low, ci.high)
            XCTAssertFalse(row.insufficientReplicates)
            XCTAssertFalse(row.powerLawWarning, "\(row.optimizer) s=\(row.s): \(row.notes)")
            XCTAssertEqual(row.alphaLowHalf, truth, accuracy: 0.1)
            if row.optimizer == .gd {
                XCTAssert(row.gapVsGD.isNaN)
                XCTAssertNil(row.gapInterval)
            } else {
                let gap = try XCTUnwrap(row.gapInterval)
                let trueGap = truth - SyntheticSweep.trueAlpha(.gd, s: row.s)
                XCTAssertEqual(row.gapVsGD, trueGap, accuracy: 0.05)
                XCTAssertEqual(row.gapReplicates, 8)
                // Paired: the shared per-replicate effect cancels, so the gap interval is
                // narrower than the α interval.
                XCTAssertLessThan(gap.high - gap.low, ci.high - ci.low)
            }
            XCTAssertNotNil(row.saturating)
            XCTAssert(row.alphaTheory.isNaN)
        }
        XCTAssert(report.notes.isEmpty, "\(report.notes)")
        // The paired gap intervals (the shared per-replicate effect cancels) mostly cover the
        // true gaps. (α intervals of one s share that effect, so they miss together.)
        let gapsCovered = report.rows.filter { row in
            row.gapInterval?.contains(SyntheticSweep.trueAlpha(row.optimizer, s: row.s)
                                      - SyntheticSweep.trueAlpha(.gd, s: row.s)) ?? false
        }
        XCTAssertGreaterThanOrEqual(gapsCovered.count, 6)
    }

    func testDivergedTasksAreExcludedAndCounted() throws {
        let spec = SyntheticSweep.spec()
        var records = SyntheticSweep.records(spec)
        // Adam at s = 1 diverges on replicates 2 and 5 at N = 1024, and on replicate 5 at N = 16;
        // MatSign fails once.
        records = SyntheticSweep.replacing(records, where: {
            $0.optimizer == .adam && $0.s == 1.0 && (($0.replicate == 2 || $0.replicate == 5) && $0.N == 1024
                                                     || $0.replicate == 5 && $0.N == 16)
        }, status: .diverged)
        records = SyntheticSweep.replacing(records, where: {
            $0.optimizer == .matSign && $0.s == 0.5 && $0.replicate == 0 && $0.N == 64
        }, status: .failed)
        let report = AnalysisReport(spec: spec, records: records)
        let adam = try XCTUnwrap(report.row(.adam, s: 1.0))
        XCTAssertEqual(adam.excludedDiverged, 3)
        XCTAssertEqual(adam.nReplicates, 6)  // replicates 2 and 5 are incomplete
        XCTAssertEqual(adam.incompleteReplicates, 2)
        XCTAssertEqual(adam.gapReplicates, 6)
        XCTAssert(adam.notes.contains("excluded 3 diverged tasks"), "\(adam.notes)")
        XCTAssert(report.notes.contains("excluded 3 diverged tasks"), "\(report.notes)")
        XCTAssert(report.notes.contains("excluded 1 failed task"), "\(report.notes)")
        XCTAssertEqual(report.row(.matSign, s: 0.5)?.nReplicates, 7)
        XCTAssertEqual(report.tally.diverged, 3)
        XCTAssertEqual(report.tally.missing, 0)
        // The curve at N = 1024 averages the 6 usable values.
        let point = try XCTUnwrap(report.curve(.adam, s: 1.0).last)
        XCTAssertEqual(point.count, 6)
    }

    func testPartialResultsAreReportedAndNeverAveragedUnbalanced() throws {
        let spec = SyntheticSweep.spec()
        var records = SyntheticSweep.records(spec)
        // NG at s = 0.5: only replicates 0 and 1 have every N; the others lack N = 1024.
        records.removeAll { $0.key.optimizer == .ng && $0.key.s == 0.5 && $0.key.N == 1024 && $0.key.replicate >= 2 }
        // GD at s = 1: replicate 7 lacks N = 16 entirely.
        records.removeAll { $0.key.optimizer == .gd && $0.key.s == 1.0 && $0.key.replicate == 7 && $0.key.N == 16 }
        let report = AnalysisReport(spec: spec, records: records)

        let ng = try XCTUnwrap(report.row(.ng, s: 0.5))
        XCTAssertEqual(ng.nReplicates, 2)
        XCTAssertEqual(ng.missingTasks, 6)
        XCTAssertTrue(ng.insufficientReplicates)
        XCTAssertNil(ng.alphaInterval)
        XCTAssert(ng.ciLow.isNaN)
        XCTAssertFalse(ng.alpha.isNaN)  // a point estimate from the 2 complete replicates
        XCTAssertNil(ng.gapInterval)
        XCTAssert(ng.notes.contains { $0.contains("only 2 complete replicates") }, "\(ng.notes)")

        let adam = try XCTUnwrap(report.row(.adam, s: 1.0))
        XCTAssertEqual(adam.nReplicates, 8)
        XCTAssertEqual(adam.gapReplicates, 7)  // GD replicate 7 incomplete
        XCTAssert(adam.notes.contains { $0.contains("gap uses the 7 replicates") }, "\(adam.notes)")
        XCTAssertEqual(report.tally.missing, 7)
        XCTAssert(report.notes.contains { $0.hasPrefix("partial results: 7 of 560 tasks missing") }, "\(report.notes)")
        XCTAssert(report.notes.contains { $0.contains("fewer than 3 complete replicates") })

        let json = try report.renderJSON()
        let objects = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        let ngObject = try XCTUnwrap(objects.first { $0["optimizer"] as? String == "NG" && $0["s"] as? Double == 0.5 })
        XCTAssert(ngObject["ci_low"] is NSNull)
        XCTAssert(ngObject["ci_method"] is NSNull)
        XCTAssertEqual(ngObject["n_replicates"] as? Int, 2)
    }

    func testEmptyRecordsGiveRowsWithoutEstimates() {
        let spec = SyntheticSweep.spec(s: [1.0], seeds: 4, optimizers: [.gd, .ng])
        let report = AnalysisReport(spec: spec, records: [])
        XCTAssertEqual(report.rows.count, 2)
        XCTAssert(report.rows.allSatisfy { $0.alpha.isNaN && $0.nReplicates == 0 })
        XCTAssertEqual(report.tally.missing, 56)
        XCTAssertNoThrow(try report.renderJSON())
        XCTAssertFalse(report.renderTable().isEmpty)
        for figure in FigureFile.allCases {
            let svg = report.figureSVG(figure)
            XCTAssert(svg.contains("</svg>"))
            XCTAssertFalse(svg.contains("nan") || svg.contains("inf"), "\(figure)")
        }
    }

    func testRecordsOutsideTheGridAndDuplicatesAreNoted() {
        let spec = SyntheticSweep.spec(s: [1.0], seeds: 4, optimizers: [.gd])
        var records = SyntheticSweep.records(spec)
        records.append(records[0])
        var conflicting = records[1]
        conflicting.outcome.testLoss *= 2
        records.append(conflicting)
        var stray = records[2]
        stray.key = TaskKey(optimizer: .gd, s: 3.0, N: 16, replicate: 0)
        records.append(stray)
        let report = AnalysisReport(spec: spec, records: records)
        XCTAssertEqual(report.tally.duplicates, 1)
        XCTAssertEqual(report.tally.conflictingDuplicates, 1)
        XCTAssertEqual(report.tally.outsideGrid, 1)
        XCTAssertEqual(report.rows[0].nReplicates, 4)
        XCTAssertEqual(report.notes.count, 3, "\(report.notes)")
    }

    func testTheoryExponentAndCurves() throws {
        let spec = SyntheticSweep.spec(s: [0.5, 1.0], seeds: 4, optimizers: [.gd, .adam, .ng])
        let report = AnalysisReport(spec: spec, records: SyntheticSweep.records(spec), theory: { optimizer, s, N in
            optimizer == .adam ? nil : 2 * pow(Double(N), -(0.3 + s))
        })
        XCTAssertTrue(report.hasTheory)
        XCTAssertEqual(try XCTUnwrap(report.row(.gd, s: 1.0)).alphaTheory, 1.3, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(report.row(.ng, s: 0.5)).alphaTheoryHighHalf, 0.8, accuracy: 1e-12)
        XCTAssert(try XCTUnwrap(report.row(.adam, s: 1.0)).alphaTheory.isNaN)
        let point = try XCTUnwrap(report.curve(.gd, s: 0.5).first)
        XCTAssertEqual(point.N, 16)
        XCTAssertEqual(point.theoryLoss, 2 * pow(16, -0.8), accuracy: 1e-14)
        XCTAssert(report.renderTable(details: true).contains("theory vs measured"))
        XCTAssertFalse(report.renderTable().contains("theory vs measured"), "the theory table is behind --details")
        XCTAssert(report.renderTable().contains("theory (GD, NG): |α − α_theory|"))
    }

    /// The head of the text report is what a reader needs; the rest waits behind --details.
    func testTableLeadsWithAlphaGapsAndAVerdict() throws {
        let spec = SyntheticSweep.spec(s: [1.0], seeds: 8, optimizers: [.gd, .ng])
        // NG: L ∝ N^-1 up to N = 128, then flat (curved); GD a clean power law.
        let records = SyntheticSweep.records(spec) { key, base in
            guard key.optimizer == .ng else { return base }
            let n = Double(min(key.N, 128))
            return base * pow(Double(key.N), SyntheticSweep.trueAlpha(.ng, s: 1)) * pow(n, -1.0)
        }
        let report = AnalysisReport(spec: spec, records: records)
        let short = report.renderTable()
        let titles = short.split(separator: "\n").filter { ["α [CI]", "gap α_opt − α_GD [paired CI]", "verdict"].contains(String($0)) }
        XCTAssertEqual(titles, ["α [CI]", "gap α_opt − α_GD [paired CI]", "verdict"], "in this order")
        let verdict = report.verdict()
        XCTAssertEqual(verdict.count, 4, "\(verdict)")
        XCTAssert(verdict.contains { $0.hasPrefix("not a power law (half-grid α disjoint) in 1 of 2 cells: NG s = 1. Fit verdicts: ") }, "\(verdict)")
        for title in report.detailSections().map(\.title) { XCTAssertFalse(short.contains(title), title) }
        XCTAssert(short.contains("--details"), "the short report says where the rest is")
        XCTAssertLessThan(short.split(separator: "\n").count, 25)
        let long = report.renderTable(details: true)
        XCTAssert(long.hasPrefix(short.components(separatedBy: "(--details adds")[0]), "--details only appends")
        let detailTitles = report.detailSections().map(\.title)
        XCTAssertEqual(detailTitles.count, 5, "local exponents, theory, saturating fits, robustness, per-cell notes")
        for title in detailTitles { XCTAssert(long.contains(title)) }
    }

    /// The α table and curves as labelled arrays: cell (o, s) of a 2-D variable is the row's field.
    func testLabelledArraysHoldTheRowsOnTheirGrid() throws {
        let spec = SyntheticSweep.spec(s: [0.5, 1.0], seeds: 4, optimizers: [.gd, .adam, .ng])
        let report = AnalysisReport(spec: spec, records: SyntheticSweep.records(spec))
        let arrays = report.labelledArrays()
        XCTAssertNil(arrays.problem())
        XCTAssertEqual(arrays.dimensions.map(\.name), ["optimizer", "s", "N"])
        let alpha = try XCTUnwrap(arrays.variables.first { $0.name == "alpha" })
        XCTAssertEqual(alpha.dimensions, ["optimizer", "s"])
        guard case .float64(let values) = alpha.values else { return XCTFail("alpha is not float64") }
        for (o, optimizer) in report.optimizers.enumerated() {
            for (k, s) in report.sValues.enumerated() {
                XCTAssertEqual(values[o * report.sValues.count + k], try XCTUnwrap(report.row(optimizer, s: s)).alpha)
            }
        }
        let mean = try XCTUnwrap(arrays.variables.first { $0.name == "curve_mean_loss" })
        XCTAssertEqual(mean.dimensions, ["optimizer", "s", "N"])
        guard case .float64(let curve) = mean.values else { return XCTFail("curve_mean_loss is not float64") }
        let point = try XCTUnwrap(report.curve(.adam, s: 1.0).last)
        XCTAssertEqual(curve[(1 * 2 + 1) * report.N.count + report.N.count - 1], point.meanLoss)
        XCTAssertFalse(arrays.variables.contains { ["optimizer", "s", "curve_optimizer", "curve_s", "curve_N"].contains($0.name) })
    }

    func testCurvedLossIsFlaggedAsNotAPowerLaw() throws {
        let spec = SyntheticSweep.spec(s: [1.0], seeds: 8, optimizers: [.gd, .ng])
        // NG: L ∝ N^-1 up to N = 128, then flat; GD: a clean power law.
        let records = SyntheticSweep.records(spec) { key, base in
            guard key.optimizer == .ng else { return base }
            let n = Double(min(key.N, 128))
            return base * pow(Double(key.N), SyntheticSweep.trueAlpha(.ng, s: 1)) * pow(n, -1.0)
        }
        let report = AnalysisReport(spec: spec, records: records)
        let ng = try XCTUnwrap(report.row(.ng, s: 1.0))
        XCTAssertTrue(ng.powerLawWarning)
        XCTAssertEqual(ng.alphaLowHalf, 1.0, accuracy: 0.05)
        XCTAssertEqual(ng.alphaHighHalf, 0.0, accuracy: 0.3)
        XCTAssert(ng.notes.contains { $0.hasPrefix("not a power law") })
        XCTAssertFalse(try XCTUnwrap(report.row(.gd, s: 1.0)).powerLawWarning)
        XCTAssert(report.renderTable().contains("!"))
        // The saturating fit sees the floor.
        let fit = try XCTUnwrap(ng.saturating)
        XCTAssertGreaterThan(fit.E, 0)
    }

    func testAnalysisIsDeterministic() throws {
        let spec = SyntheticSweep.spec(s: [1.0], seeds: 6)
        let records = SyntheticSweep.records(spec)
        let a = AnalysisReport(spec: spec, records: records)
        let b = AnalysisReport(spec: spec, records: records.reversed())
        // (== would compare NaN fields as unequal; the renderings show every number.)
        XCTAssertEqual(try a.renderJSON(), try b.renderJSON())
        XCTAssertEqual(a.renderCurvesCSV(), b.renderCurvesCSV())
        XCTAssertEqual(a.renderTable(), b.renderTable())
    }

    // MARK: - Renderers

    func testJSONHasTheContractKeys() throws {
        let spec = SyntheticSweep.spec(s: [0.5, 1.0], seeds: 4)
        let report = AnalysisReport(spec: spec, records: SyntheticSweep.records(spec))
        let json = try report.renderJSON()
        let objects = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        XCTAssertEqual(objects.count, 10)
        let contract = ["optimizer", "s", "alpha", "ci_low", "ci_high", "ci_low_percentile", "ci_high_percentile",
                        "ci_method", "gap_vs_gd", "gap_ci_low", "gap_ci_high", "alpha_theory", "alpha_low_half",
                        "alpha_high_half", "n_replicates", "power_law_warning", "saturating_E", "saturating_A",
                        "alpha_saturating", "notes"]
        for object in objects {
            for key in contract { XCTAssertNotNil(object[key], "missing key \(key)") }
            XCTAssertEqual(Set(object.keys), Set(AnalysisReport.rowFieldNames))
        }
        let gd = try XCTUnwrap(objects.first { $0["optimizer"] as? String == "GD" })
        XCTAssert(gd["gap_vs_gd"] is NSNull)
        XCTAssert(gd["gap_ci_low"] is NSNull)
        XCTAssert(gd["alpha_theory"] is NSNull)
        XCTAssertEqual(gd["ci_method"] as? String, "bca")
        XCTAssert(gd["alpha"] is Double)
        XCTAssertEqual(gd["power_law_warning"] as? Bool, false)
        let adam = try XCTUnwrap(objects.first { $0["optimizer"] as? String == "Adam" })
        XCTAssert(adam["gap_vs_gd"] is Double)
        // Keys in field order (readable by humans): "optimizer" first, then "s", "alpha".
        let firstObject = try XCTUnwrap(json.components(separatedBy: "}").first)
        let keys = firstObject.split(separator: "\n").compactMap { line -> String? in
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("\""), let end = t.dropFirst().firstIndex(of: "\"") else { return nil }
            return String(t[t.index(after: t.startIndex)..<end])
        }
        XCTAssertEqual(keys, AnalysisReport.rowFieldNames)
        XCTAssertFalse(json.contains("nan"))
    }

    func testCSVAndColumnsAgreeWithRows() throws {
        let spec = SyntheticSweep.spec(s: [0.5, 1.0], seeds: 4)
        var records = SyntheticSweep.records(spec)
        records = SyntheticSweep.replacing(records, where: { $0.optimizer == .ng && $0.replicate == 1 && $0.N == 32 },
                                           status: .diverged)
        let report = AnalysisReport(spec: spec, records: records)
        let lines = report.renderCSV().split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 1 + 10 + 1)  // header, rows, trailing newline
        XCTAssertEqual(lines[0], Substring(AnalysisReport.rowFieldNames.joined(separator: ",")))

        let columns = report.columns()
        XCTAssertEqual(columns.rowCount, 10)
        XCTAssertEqual(columns.names, AnalysisReport.rowFieldNames)
        XCTAssertEqual(Set(columns.numeric.keys).union(columns.text.keys), Set(columns.names))
        XCTAssert(columns.numeric.values.allSatisfy { $0.count == 10 })
        XCTAssert(columns.text.values.allSatisfy { $0.count == 10 })
        XCTAssertEqual(columns.text["optimizer"]?.first, "GD")
        XCTAssertEqual(columns.numeric["alpha"]?[3], report.rows[3].alpha)
        XCTAssertEqual(columns.numeric["n_replicates"]?[9], 3)
        XCTAssert(columns.numeric["gap_vs_gd"]![0].isNaN)

        let curves = report.curveColumns()
        XCTAssertEqual(curves.rowCount, 70)
        XCTAssert(curves.numeric.values.allSatisfy { $0.count == 70 })
        XCTAssertEqual(curves.numeric["N"]?[0], 16)
    }

    func testTableLayout() throws {
        let spec = SyntheticSweep.spec(s: [0.5, 1.0], seeds: 4)
        let report = AnalysisReport(spec: spec, records: SyntheticSweep.records(spec))
        let table = try report.render(.table)
        XCTAssert(table.contains("s = 0.5"))
        XCTAssert(table.contains("s = 1"))
        XCTAssert(table.contains("gap α_opt − α_GD"))
        let gdLine = try XCTUnwrap(table.split(separator: "\n").first { $0.hasPrefix("GD ") })
        XCTAssertEqual(gdLine.filter { $0 == "[" }.count, 2)  // "α [lo, hi]" for each s
    }

    // MARK: - Figures

    func testFiguresAreWrittenAsWellFormedSVG() throws {
        let spec = SyntheticSweep.spec(s: [0.5, 0.75, 1.0, 1.25, 1.5, 2.0], seeds: 6)
        let report = AnalysisReport(spec: spec, records: SyntheticSweep.records(spec), theory: { optimizer, s, N in
            optimizer == .gd || optimizer == .ng ? 0.7 * pow(Double(N), -SyntheticSweep.trueAlpha(optimizer, s: s)) : nil
        })
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("alphasweep-figures-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let urls = try writeFigures(report, to: directory)
        XCTAssertEqual(urls.map(\.lastPathComponent), ["loss_vs_N.svg", "alpha_vs_s.svg", "gap_vs_s.svg"])
        for url in urls {
            let data = try Data(contentsOf: url)
            let parser = XMLParser(data: data)
            XCTAssertTrue(parser.parse(), "\(url.lastPathComponent): \(String(describing: parser.parserError))")
            let text = String(decoding: data, as: UTF8.self)
            XCTAssert(text.contains("<svg"))
            XCTAssert(text.contains("GD"))
            XCTAssertFalse(text.contains("nan"))
        }
        if let keep = ProcessInfo.processInfo.environment["ALPHASWEEP_FIGURES_DIR"], !keep.isEmpty {
            // For looking at: the figures and the three renderings of the same report.
            let url = URL(fileURLWithPath: keep)
            _ = try writeFigures(report, to: url)
            try report.renderTable().write(to: url.appendingPathComponent("report.txt"), atomically: true, encoding: .utf8)
            try report.renderJSON().write(to: url.appendingPathComponent("report.json"), atomically: true, encoding: .utf8)
            try report.renderCSV().write(to: url.appendingPathComponent("report.csv"), atomically: true, encoding: .utf8)
        }
    }
}
