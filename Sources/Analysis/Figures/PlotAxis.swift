import Foundation

/// One axis of a plot: maps data values to pixels, linearly or logarithmically, and proposes
/// ticks.
struct PlotAxis {
    /// The data range shown (positive when logarithmic).
    var low: Double
    var high: Double
    var logarithmic: Bool
    /// Pixel positions of `low` and `high` (high may be the smaller pixel, for y axes).
    var pixelLow: Double
    var pixelHigh: Double

    struct Tick {
        var value: Double
        /// SVG text markup, nil for a minor (unlabelled) tick.
        var label: String?
    }

    func pixel(_ v: Double) -> Double {
        let t: Double
        if logarithmic {
            t = (log10(v) - log10(low)) / (log10(high) - log10(low))
        } else {
            t = (v - low) / (high - low)
        }
        return pixelLow + t * (pixelHigh - pixelLow)
    }

    func contains(_ v: Double) -> Bool {
        let eps = 1e-9 * (logarithmic ? 1 : max(abs(high - low), 1e-300))
        if logarithmic { return v > 0 && log10(v) >= log10(low) - 1e-9 && log10(v) <= log10(high) + 1e-9 }
        return v >= low - eps && v <= high + eps
    }

    /// An axis over the data values, padded by `padding` (fraction of the range; in decades
    /// when logarithmic). A degenerate range is widened.
    static func fitting(_ values: [Double], logarithmic: Bool, padding: Double,
                        pixelLow: Double, pixelHigh: Double) -> PlotAxis {
        let finite = values.filter { $0.isFinite && (!logarithmic || $0 > 0) }
        var lo = finite.min() ?? (logarithmic ? 0.1 : 0)
        var hi = finite.max() ?? (logarithmic ? 1 : 1)
        if logarithmic {
            var a = log10(lo), b = log10(hi)
            if b - a < 0.3 { let mid = (a + b) / 2; a = mid - 0.15; b = mid + 0.15 }
            let pad = padding * (b - a)
            lo = pow(10, a - pad)
            hi = pow(10, b + pad)
        } else {
            if hi - lo < 1e-9 { lo -= 0.5; hi += 0.5 }
            let pad = padding * (hi - lo)
            lo -= pad
            hi += pad
        }
        return PlotAxis(low: lo, high: hi, logarithmic: logarithmic, pixelLow: pixelLow, pixelHigh: pixelHigh)
    }

    /// Ticks: on a log axis, labelled decades with minor ticks at 2…9 (and labels at 2 and 5
    /// when fewer than two decades are visible); on a linear axis, 1-2-5 steps.
    var ticks: [Tick] {
        logarithmic ? logTicks : linearTicks
    }

    private var logTicks: [Tick] {
        let a = log10(low), b = log10(high)
        let firstDecade = Int(a.rounded(.down)), lastDecade = Int(b.rounded(.up))
        let decadesInside = (firstDecade...lastDecade).filter { contains(pow(10, Double($0))) }.count
        var ticks: [Tick] = []
        for d in firstDecade...lastDecade {
            for k in 1...9 {
                let v = Double(k) * pow(10, Double(d))
                guard contains(v) else { continue }
                let label: String?
                if k == 1 {
                    // Powers of ten, except when 2s and 5s are labelled too: then plain numbers
                    // throughout, so one axis never mixes notations.
                    label = decadesInside < 2 ? plainLabel(v) : decadeLabel(d)
                } else if decadesInside < 2 && (k == 2 || k == 5) {
                    label = plainLabel(v)
                } else {
                    label = nil
                }
                ticks.append(Tick(value: v, label: label))
            }
        }
        return ticks
    }

    private var linearTicks: [Tick] {
        let range = high - low
        let rough = range / 6
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        var ticks: [Tick] = []
        var k = (low / step).rounded(.up)
        while k * step <= high + 1e-9 * step {
            let v = abs(k * step) < 1e-12 * step ? 0 : k * step
            ticks.append(Tick(value: v, label: plainLabel(v, step: step)))
            k += 1
        }
        return ticks
    }

    private func decadeLabel(_ d: Int) -> String {
        switch d {
        case 0: return "1"
        case 1: return "10"
        default:
            let exponent = d < 0 ? "\u{2212}\(-d)" : "\(d)"
            return "10<tspan dy=\"-0.45em\" font-size=\"80%\">\(exponent)</tspan>"
        }
    }

    private func plainLabel(_ v: Double, step: Double? = nil) -> String {
        let text: String
        if let step {
            let decimals = max(0, -Int(log10(step).rounded(.down)) + (step / pow(10, log10(step).rounded(.down)) == 2.5 ? 1 : 0))
            text = String(format: "%.\(decimals)f", v)
        } else {
            text = String(format: "%g", v)
        }
        return text.hasPrefix("-") ? "\u{2212}" + text.dropFirst() : text
    }
}
