import Foundation
import Numerics
import Vocabulary

extension Diagnosis {
    /// The diagnosis as a table (text) or JSON; CSV is not offered (two tables of different shapes).
    public func render(_ format: ReportFormat) throws -> String {
        switch format {
        case .table, .csv: return renderTable()
        case .json: return try renderJSON()
        }
    }

    /// The setting, predicted L(N) per optimizer, the exponents and shifts, and the verdict.
    public func renderTable() -> String {
        let p = experiment
        var out = "spectral diagnostic (SPEC §7, no simulation): \(spectrumName), D = \(p.D)\n"
        out += "T = \(p.T), n = \(p.n), σ = \(p.sigma), β = \(p.beta)\n\n"
        let names = curves.map(\.optimizer.rawValue)
        let width = max(10, (names.map(\.count).max() ?? 0) + 2)
        func pad(_ text: String, _ w: Int = width) -> String { String(repeating: " ", count: max(0, w - text.count)) + text }
        func row(_ label: String, _ cells: [String]) -> String {
            label.padding(toLength: 16, withPad: " ", startingAt: 0) + cells.map { pad($0) }.joined() + "\n"
        }
        out += "predicted test loss L(N)\n"
        out += row("N", names)
        for (j, n) in N.enumerated() {
            out += row("\(n)", curves.map { String(format: "%.4e", $0.losses[j]) })
        }
        func exponent(_ x: Double) -> String { x.isFinite ? String(format: "%.3f", x) : "—" }
        func signed(_ x: Double) -> String { x.isFinite ? String(format: "%+.3f", x) : "—" }
        out += "\n"
        out += row("α", curves.map { exponent($0.alpha) })
        if let halves = ReplicateLogLosses.halves(count: N.count) {
            out += row("α N=\(N[halves.lower.lowerBound])…\(N[halves.lower.upperBound - 1])", curves.map { exponent($0.alphaLowerHalf) })
            out += row("α N=\(N[halves.upper.lowerBound])…\(N[halves.upper.upperBound - 1])", curves.map { exponent($0.alphaUpperHalf) })
        }
        out += row("α − α_GD", curves.map { $0.optimizer == .gd ? "—" : signed($0.shiftOverGD) })
        if let limit = asymptoticAlphaNG {
            out += "\nas N → ∞ at fixed T: α_NG → max(s + β − 1, 0) = \(exponent(limit)); α_GD, α_SqrtNG → 0\n"
        }
        out += "\nverdict: \(verdict)\n"
        return out
    }

    /// One object: the setting, N, one entry per optimizer (losses, α, halves, shift, local
    /// exponents), the verdict. Keys sorted; NaN as null.
    public func renderJSON() throws -> String {
        func number(_ x: Double) -> Any { x.isFinite ? x : NSNull() }
        var object: [String: Any] = [
            "spectrum": spectrumName,
            "D": experiment.D, "T": experiment.T, "n": experiment.n, "sigma": experiment.sigma, "beta": experiment.beta,
            "N": N,
            "optimizers": curves.map { curve -> [String: Any] in
                [
                    "optimizer": curve.optimizer.rawValue,
                    "loss": curve.losses.map(number),
                    "alpha": number(curve.alpha),
                    "alpha_lower_half": number(curve.alphaLowerHalf),
                    "alpha_upper_half": number(curve.alphaUpperHalf),
                    "alpha_shift_over_gd": number(curve.shiftOverGD),
                    "local_alpha": curve.localAlphas.map(number),
                ]
            },
            "verdict": verdict,
        ]
        if let limit = asymptoticAlphaNG { object["asymptotic_alpha_ng"] = limit }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Predicted L(N) on log-log axes, one curve per optimizer (the style of `analyze`'s
    /// loss_vs_N.svg), α and the shift over GD listed below; with two or more Precond powers,
    /// a second plot of α against p, GD, SqrtNG and NG hollow at p = 0, ½, 1.
    public func figureSVG() -> String {
        let plotW = 560.0, plotH = 360.0, left = 96.0, top = 104.0
        let tableTop = top + plotH + 66
        let precond = curves.filter { $0.optimizer.family == .precond }.sorted { $0.optimizer.power < $1.optimizer.power }
        let powerTop = tableTop + 24 * Double(curves.count) + 40
        let powerH = 260.0
        let height = precond.count >= 2 ? powerTop + powerH + 70 : tableTop + 24 * Double(curves.count) + 40
        var svg = SVGCanvas(width: left + plotW + 30, height: height)
        svg.text(svg.width / 2, 26, "Predicted test loss L(N): \(spectrumName)", size: 18, anchor: .middle, weight: "bold")
        AnalysisReport.legend(&svg, y: 52, optimizers: curves.map(\.optimizer), extras: [])
        svg.text(svg.width / 2, 80, "spectral diagnostic, no simulation: T = \(experiment.T), n = \(experiment.n), σ = \(experiment.sigma), β = \(experiment.beta)",
                 size: 13, anchor: .middle, color: "#444444")
        let xAxis = PlotAxis.fitting(N.map(Double.init), logarithmic: true, padding: 0.06, pixelLow: left, pixelHigh: left + plotW)
        let yAxis = PlotAxis.fitting(curves.flatMap(\.losses), logarithmic: true, padding: 0.05,
                                     pixelLow: top + plotH, pixelHigh: top)
        AnalysisReport.frame(&svg, x: xAxis, y: yAxis, xLabel: "N (features)", yLabel: "predicted test loss L")
        for curve in curves {
            let style = OptimizerStyle.of(curve.optimizer)
            let points = zip(N, curve.losses).filter { $0.1.isFinite && $0.1 > 0 }
            svg.polyline(points.map { (xAxis.pixel(Double($0.0)), yAxis.pixel($0.1)) }, stroke: style.color, width: 2)
            for point in points { svg.marker(style.shape, xAxis.pixel(Double(point.0)), yAxis.pixel(point.1), size: 7, color: style.color) }
        }
        for (i, curve) in curves.enumerated() {
            let y = tableTop + 24 * Double(i)
            let shift = curve.optimizer == .gd ? "" : String(format: ",  α − α_GD = %+.3f", curve.shiftOverGD)
            svg.text(left, y, "\(curve.optimizer.rawValue): α = \(String(format: "%.3f", curve.alpha))\(shift)",
                     size: 14, color: OptimizerStyle.of(curve.optimizer).color)
        }
        if precond.count >= 2 { powerPlot(&svg, precond: precond, left: left, top: powerTop, width: plotW, height: powerH) }
        return svg.document
    }

    /// α of Precond(p) against p, with GD, SqrtNG and NG (p = 0, ½, 1) as hollow markers.
    private func powerPlot(_ svg: inout SVGCanvas, precond: [Curve], left: Double, top: Double, width: Double, height: Double) {
        let named: [(Double, Curve)] = [(0.0, OptimizerKind.gd), (0.5, .sqrtNG), (1.0, .ng)].compactMap { p, kind in
            curve(kind).map { (p, $0) }
        }
        let alphas = precond.map(\.alpha) + named.map(\.1.alpha)
        let xAxis = PlotAxis.fitting([0, 1], logarithmic: false, padding: 0.04, pixelLow: left, pixelHigh: left + width)
        let yAxis = PlotAxis.fitting(alphas, logarithmic: false, padding: 0.08, pixelLow: top + height, pixelHigh: top)
        svg.text(left + width / 2, top - 14, "α against the preconditioner's power p (Precond(p))", size: 16, anchor: .middle, weight: "bold")
        AnalysisReport.frame(&svg, x: xAxis, y: yAxis, xLabel: "p in (F + εI)^-p", yLabel: "predicted α")
        let color = "#333333"
        svg.polyline(precond.map { (xAxis.pixel($0.optimizer.power), yAxis.pixel($0.alpha)) }, stroke: color, width: 2)
        for c in precond { svg.marker(.circle, xAxis.pixel(c.optimizer.power), yAxis.pixel(c.alpha), size: 7, color: color) }
        for (p, c) in named where c.alpha.isFinite {
            let style = OptimizerStyle.of(c.optimizer)
            svg.marker(style.shape, xAxis.pixel(p), yAxis.pixel(c.alpha), size: 12, color: style.color, filled: false)
        }
    }
}
