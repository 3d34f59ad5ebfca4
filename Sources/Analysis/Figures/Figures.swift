import Foundation
import Numerics
import Vocabulary

/// Colour and marker per optimizer: the Okabe–Ito colour-blind-safe palette, and a distinct
/// marker shape so that the figures also read in greyscale.
struct OptimizerStyle {
    var color: String
    var shape: MarkerShape

    static func of(_ optimizer: OptimizerKind) -> OptimizerStyle {
        switch optimizer.family {
        case .gd: return OptimizerStyle(color: "#0072B2", shape: .circle)       // blue
        case .adam: return OptimizerStyle(color: "#E69F00", shape: .square)     // orange
        case .matSign: return OptimizerStyle(color: "#009E73", shape: .triangleUp) // bluish green
        case .sqrtNG: return OptimizerStyle(color: "#CC79A7", shape: .diamond)  // reddish purple
        case .ng: return OptimizerStyle(color: "#D55E00", shape: .triangleDown) // vermillion
        // Precond(p): sky blue to black as p goes 0 → 1, so a family of curves reads as one.
        case .precond:
            let shade = Int((1 - optimizer.power) * 180)
            return OptimizerStyle(color: String(format: "#%02X%02X%02X", shade / 2, shade, shade), shape: .circle)
        }
    }
}

/// The file names `writeFigures` writes, in order.
public enum FigureFile: String, CaseIterable, Sendable {
    /// L(N) on log-log axes, one panel per s.
    case lossVersusN = "loss_vs_N.svg"
    /// α(s) per optimizer with CI bars and theory markers.
    case alphaVersusS = "alpha_vs_s.svg"
    /// The paired gap α_opt − α_GD against s.
    case gapVersusS = "gap_vs_s.svg"
}

/// Writes the report's figures as SVG files into `directory` (created if needed).
///
/// - `loss_vs_N.svg`: L(N) per s (log-log), geometric mean over replicates with ±1 sd of log L
///   as bars, the fitted power law as a solid line, theory dashed;
/// - `alpha_vs_s.svg`: α against s with the CI bars (BCa, or percentile on fallback), theory as
///   hollow markers on a dashed line;
/// - `gap_vs_s.svg`: α_opt − α_GD against s with the paired CI bars, theory hollow.
/// - Returns: the URLs written, in the order above.
public func writeFigures(_ report: AnalysisReport, to directory: URL) throws -> [URL] {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var urls: [URL] = []
    for file in FigureFile.allCases {
        let url = directory.appendingPathComponent(file.rawValue)
        try report.figureSVG(file).write(to: url, atomically: true, encoding: .utf8)
        urls.append(url)
    }
    return urls
}

extension AnalysisReport {
    /// The SVG text of one figure.
    public func figureSVG(_ figure: FigureFile) -> String {
        switch figure {
        case .lossVersusN: return lossFigure()
        case .alphaVersusS: return exponentFigure(gap: false)
        case .gapVersusS: return exponentFigure(gap: true)
        }
    }

    // MARK: - L(N), one panel per s

    private func lossFigure() -> String {
        let columns = min(3, max(1, sValues.count))
        let panelRows = max(1, (sValues.count + columns - 1) / columns)
        let plotW = 250.0, plotH = 200.0
        let left = 78.0, right = 14.0, top = 34.0, bottom = 50.0
        let cellW = left + plotW + right, cellH = top + plotH + bottom
        let header = 92.0
        var svg = SVGCanvas(width: Double(columns) * cellW + 16, height: header + Double(panelRows) * cellH + 10)

        svg.text(svg.width / 2, 24, "Test loss L(N) by spectral decay s", size: 18, anchor: .middle, weight: "bold")
        Self.legend(&svg, y: 50, optimizers: optimizers, extras: [("solid", "power-law fit"), ("dashed", "theory")])
        svg.text(svg.width / 2, 80,
                 "markers: geometric mean over replicates; bars: ×/÷ exp(1 sd of log L)",
                 size: 13, anchor: .middle, color: "#444444")

        let dodgeStep = 0.018
        for (si, s) in sValues.enumerated() {
            let col = si % columns, prow = si / columns
            let x0 = 8 + Double(col) * cellW + left, y0 = header + Double(prow) * cellH + top
            let points = curves.filter { $0.s == s }
            var yValues: [Double] = []
            for p in points where p.count > 0 {
                let sd = p.stdLogLoss.isFinite ? p.stdLogLoss : 0
                yValues += [exp(p.meanLogLoss - sd), exp(p.meanLogLoss + sd)]
                if p.theoryLoss.isFinite { yValues.append(p.theoryLoss) }
            }
            let xAxis = PlotAxis.fitting(N.map(Double.init), logarithmic: true, padding: 0.06,
                                         pixelLow: x0, pixelHigh: x0 + plotW)
            let yAxis = PlotAxis.fitting(yValues, logarithmic: true, padding: 0.05,
                                         pixelLow: y0 + plotH, pixelHigh: y0)
            Self.frame(&svg, x: xAxis, y: yAxis,
                  xLabel: prow == panelRows - 1 || si + columns >= sValues.count ? "N (features)" : nil,
                  yLabel: col == 0 ? "test loss L" : nil)
            svg.text(x0 + plotW / 2, y0 - 10, "s = \(formatS(s))", size: 16, anchor: .middle, weight: "bold")

            for (k, optimizer) in optimizers.enumerated() {
                let style = OptimizerStyle.of(optimizer)
                let curve = points.filter { $0.optimizer == optimizer }
                let dodge = pow(10, dodgeStep * (Double(k) - Double(optimizers.count - 1) / 2))
                // Theory, dashed.
                let theory = curve.filter { $0.theoryLoss.isFinite }
                svg.polyline(theory.map { (xAxis.pixel(Double($0.N)), yAxis.pixel($0.theoryLoss)) },
                             stroke: style.color, width: 2, dash: "7 4")
                // Fitted power law, solid.
                if let row = row(optimizer, s: s), row.alpha.isFinite, row.fitLogIntercept.isFinite,
                   let nMin = N.first, let nMax = N.last {
                    let ends = [Double(nMin), Double(nMax)].map { nv in
                        (xAxis.pixel(nv), yAxis.pixel(exp(row.fitLogIntercept - row.alpha * log(nv))))
                    }
                    svg.polyline(ends, stroke: style.color, width: 1.4, opacity: 0.85)
                }
                // Geometric mean ± 1 sd of log L.
                for p in curve where p.count > 0 && p.meanLogLoss.isFinite {
                    let x = xAxis.pixel(Double(p.N) * dodge)
                    if p.stdLogLoss.isFinite, p.stdLogLoss > 0 {
                        svg.errorBar(x: x, yLow: yAxis.pixel(exp(p.meanLogLoss - p.stdLogLoss)),
                                     yHigh: yAxis.pixel(exp(p.meanLogLoss + p.stdLogLoss)),
                                     color: style.color, cap: 2.5, width: 1.2)
                    }
                    svg.marker(style.shape, x, yAxis.pixel(exp(p.meanLogLoss)), size: 7, color: style.color)
                }
            }
        }
        return svg.document
    }

    // MARK: - α(s) and the gap

    private func exponentFigure(gap: Bool) -> String {
        let plotW = 560.0, plotH = 340.0
        let left = 86.0, top = 104.0
        var svg = SVGCanvas(width: left + plotW + 30, height: top + plotH + 66)
        let shown = gap ? optimizers.filter { $0 != .gd } : optimizers
        let gapSymbol = "α<tspan dy=\"0.3em\" font-size=\"75%\">opt</tspan><tspan dy=\"-0.3em\"> − α</tspan>"
            + "<tspan dy=\"0.3em\" font-size=\"75%\">GD</tspan>"
        let title = gap ? "Paired gap \(gapSymbol)<tspan dy=\"-0.3em\"> against s</tspan>" : "Scaling exponent α against s"
        svg.text(svg.width / 2, 26, title, size: 18, anchor: .middle, weight: "bold", markup: true)
        Self.legend(&svg, y: 52, optimizers: shown, extras: [("hollow", "theory")])
        let level = Int((options.confidence * 100).rounded())
        svg.text(svg.width / 2, 80, "bars: \(level) % bootstrap CI (BCa; percentile where BCa degenerates)",
                 size: 13, anchor: .middle, color: "#444444")

        struct Point { var optimizer: OptimizerKind; var s: Double; var value: Double; var low: Double; var high: Double; var theory: Double }
        var data: [Point] = []
        for optimizer in shown {
            for s in sValues {
                guard let row = row(optimizer, s: s) else { continue }
                if gap {
                    let gdTheory = self.row(.gd, s: s)?.alphaTheory ?? .nan
                    data.append(Point(optimizer: optimizer, s: s, value: row.gapVsGD,
                                      low: row.gapInterval?.low ?? .nan, high: row.gapInterval?.high ?? .nan,
                                      theory: row.alphaTheory - gdTheory))
                } else {
                    data.append(Point(optimizer: optimizer, s: s, value: row.alpha,
                                      low: row.ciLow, high: row.ciHigh, theory: row.alphaTheory))
                }
            }
        }
        var yValues = data.flatMap { [$0.value, $0.low, $0.high, $0.theory] }
        if gap { yValues.append(0) }
        let sSpan = max((sValues.max() ?? 1) - (sValues.min() ?? 0), 0.5)
        let xAxis = PlotAxis(low: (sValues.min() ?? 0) - 0.08 * sSpan, high: (sValues.max() ?? 1) + 0.08 * sSpan,
                             logarithmic: false, pixelLow: left, pixelHigh: left + plotW)
        let yAxis = PlotAxis.fitting(yValues, logarithmic: false, padding: 0.06,
                                     pixelLow: top + plotH, pixelHigh: top)
        Self.frame(&svg, x: xAxis, y: yAxis, xLabel: "spectral decay s", yLabel: gap ? gapSymbol : "α",
              xTicks: sValues.map { PlotAxis.Tick(value: $0, label: formatS($0)) })
        if yAxis.contains(0) {
            svg.line(left, yAxis.pixel(0), left + plotW, yAxis.pixel(0), stroke: "#555555", width: 1.2,
                     dash: gap ? nil : "2 3")
            if gap { svg.text(left + plotW - 4, yAxis.pixel(0) - 6, "GD", size: 13, anchor: .end, color: "#555555") }
        }
        if data.allSatisfy({ !$0.value.isFinite }) {
            svg.text(left + plotW / 2, top + plotH / 2, "no data", size: 16, anchor: .middle, color: "#777777")
        }

        let dodgeWidth = 0.012 * sSpan
        for (k, optimizer) in shown.enumerated() {
            let style = OptimizerStyle.of(optimizer)
            let dodge = dodgeWidth * (Double(k) - Double(shown.count - 1) / 2)
            let mine = data.filter { $0.optimizer == optimizer }
            let theory = mine.filter { $0.theory.isFinite }
            svg.polyline(theory.map { (xAxis.pixel($0.s + dodge), yAxis.pixel($0.theory)) },
                         stroke: style.color, width: 1.5, dash: "6 4", opacity: 0.9)
            let measured = mine.filter { $0.value.isFinite }
            svg.polyline(measured.map { (xAxis.pixel($0.s + dodge), yAxis.pixel($0.value)) },
                         stroke: style.color, width: 1, opacity: 0.45)
            for p in measured {
                let x = xAxis.pixel(p.s + dodge)
                if p.low.isFinite, p.high.isFinite {
                    svg.errorBar(x: x, yLow: yAxis.pixel(p.low), yHigh: yAxis.pixel(p.high), color: style.color)
                }
                svg.marker(style.shape, x, yAxis.pixel(p.value), size: 9, color: style.color)
            }
            for p in theory {
                svg.marker(style.shape, xAxis.pixel(p.s + dodge), yAxis.pixel(p.theory), size: 10,
                           color: style.color, filled: false)
            }
        }
        return svg.document
    }

    // MARK: - Shared pieces

    /// Plot frame with ticks, tick labels, light grid lines and axis labels.
    static func frame(_ svg: inout SVGCanvas, x: PlotAxis, y: PlotAxis, xLabel: String?, yLabel: String?,
                       xTicks: [PlotAxis.Tick]? = nil) {
        let left = min(x.pixelLow, x.pixelHigh), right = max(x.pixelLow, x.pixelHigh)
        let top = min(y.pixelLow, y.pixelHigh), bottom = max(y.pixelLow, y.pixelHigh)
        for tick in y.ticks where tick.label != nil {
            svg.line(left, y.pixel(tick.value), right, y.pixel(tick.value), stroke: "#E3E3E3", width: 1)
        }
        for tick in xTicks ?? x.ticks where tick.label != nil {
            svg.line(x.pixel(tick.value), top, x.pixel(tick.value), bottom, stroke: "#E3E3E3", width: 1)
        }
        svg.rect(left, top, right - left, bottom - top, stroke: "#222222", width: 1.2)
        for tick in xTicks ?? x.ticks {
            let px = x.pixel(tick.value)
            let length = tick.label == nil ? 3.5 : 6.0
            svg.line(px, bottom, px, bottom - length, stroke: "#222222", width: 1)
            if let label = tick.label {
                svg.text(px, bottom + 20, label, size: 15, anchor: .middle, markup: true)
            }
        }
        for tick in y.ticks {
            let py = y.pixel(tick.value)
            let length = tick.label == nil ? 3.5 : 6.0
            svg.line(left, py, left + length, py, stroke: "#222222", width: 1)
            if let label = tick.label {
                svg.text(left - 7, py + 5, label, size: 15, anchor: .end, markup: true)
            }
        }
        if let xLabel {
            svg.text((left + right) / 2, bottom + 42, xLabel, size: 16, anchor: .middle)
        }
        if let yLabel {
            let xPos = left - (y.logarithmic ? 58 : 56)
            svg.text(xPos, (top + bottom) / 2, yLabel, size: 16, anchor: .middle, rotate: -90, markup: true)
        }
    }

    /// A one-line legend centred at height y: optimizers (marker on a line), then extra entries
    /// ("solid", "dashed", "hollow") drawn in grey.
    static func legend(_ svg: inout SVGCanvas, y: Double, optimizers: [OptimizerKind],
                        extras: [(kind: String, label: String)]) {
        let entryWidths = optimizers.map { 44 + 9 * Double($0.rawValue.count) } + extras.map { 44 + 7.6 * Double($0.label.count) }
        var x = (svg.width - entryWidths.reduce(0, +)) / 2
        for (i, optimizer) in optimizers.enumerated() {
            let style = OptimizerStyle.of(optimizer)
            svg.line(x, y, x + 26, y, stroke: style.color, width: 1.6)
            svg.marker(style.shape, x + 13, y, size: 9, color: style.color)
            svg.text(x + 32, y + 5, optimizer.rawValue, size: 15)
            x += entryWidths[i]
        }
        for (i, extra) in extras.enumerated() {
            let grey = "#555555"
            switch extra.kind {
            case "dashed": svg.line(x, y, x + 26, y, stroke: grey, width: 2, dash: "7 4")
            case "hollow": svg.marker(.circle, x + 13, y, size: 10, color: grey, filled: false)
            default: svg.line(x, y, x + 26, y, stroke: grey, width: 1.4)
            }
            svg.text(x + 32, y + 5, extra.label, size: 14, color: "#333333")
            x += entryWidths[optimizers.count + i]
        }
    }
}
