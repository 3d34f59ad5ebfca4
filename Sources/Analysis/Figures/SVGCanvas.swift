import Foundation

/// A minimal SVG writer: hand-written elements, no dependencies.
struct SVGCanvas {
    var width: Double
    var height: Double
    private var elements: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    var document: String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" \
        viewBox="0 0 \(n(width)) \(n(height))" font-family="Helvetica, Arial, sans-serif">
        <rect x="0" y="0" width="\(n(width))" height="\(n(height))" fill="white"/>
        \(elements.joined(separator: "\n"))
        </svg>

        """
    }

    mutating func raw(_ element: String) { elements.append(element) }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "black",
                       width: Double = 1, dash: String? = nil, opacity: Double = 1) {
        var attributes = "stroke=\"\(stroke)\" stroke-width=\"\(n(width))\""
        if let dash { attributes += " stroke-dasharray=\"\(dash)\"" }
        if opacity < 1 { attributes += " stroke-opacity=\"\(n(opacity))\"" }
        raw("<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" \(attributes)/>")
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5,
                           dash: String? = nil, opacity: Double = 1) {
        guard points.count >= 2 else { return }
        let list = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        var attributes = "fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\" stroke-linejoin=\"round\""
        if let dash { attributes += " stroke-dasharray=\"\(dash)\"" }
        if opacity < 1 { attributes += " stroke-opacity=\"\(n(opacity))\"" }
        raw("<polyline points=\"\(list)\" \(attributes)/>")
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, stroke: String = "black",
                       fill: String = "none", width: Double = 1) {
        raw("<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(w))\" height=\"\(n(h))\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"/>")
    }

    enum Anchor: String { case start, middle, end }

    /// Text; `markup` may contain <tspan> elements (already escaped otherwise).
    mutating func text(_ x: Double, _ y: Double, _ string: String, size: Double = 14,
                       anchor: Anchor = .start, weight: String? = nil, rotate: Double? = nil,
                       color: String = "black", markup: Bool = false) {
        var attributes = "x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(anchor.rawValue)\" fill=\"\(color)\""
        if let weight { attributes += " font-weight=\"\(weight)\"" }
        if let rotate { attributes += " transform=\"rotate(\(n(rotate)) \(n(x)) \(n(y)))\"" }
        raw("<text \(attributes)>\(markup ? string : escape(string))</text>")
    }

    /// A marker of the given shape centred at (x, y); hollow when `filled` is false.
    mutating func marker(_ shape: MarkerShape, _ x: Double, _ y: Double, size: Double = 9,
                         color: String, filled: Bool = true) {
        // Hollow markers are unfilled so that a measured marker beneath stays visible.
        let fill = filled ? color : "none"
        let r = size / 2
        let style = "fill=\"\(fill)\" stroke=\"\(color)\" stroke-width=\"1.6\""
        switch shape {
        case .circle:
            raw("<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\" \(style)/>")
        case .square:
            raw("<rect x=\"\(n(x - r * 0.9))\" y=\"\(n(y - r * 0.9))\" width=\"\(n(1.8 * r))\" height=\"\(n(1.8 * r))\" \(style)/>")
        case .triangleUp:
            raw("<polygon points=\"\(n(x)),\(n(y - 1.15 * r)) \(n(x - 1.1 * r)),\(n(y + 0.8 * r)) \(n(x + 1.1 * r)),\(n(y + 0.8 * r))\" \(style)/>")
        case .triangleDown:
            raw("<polygon points=\"\(n(x)),\(n(y + 1.15 * r)) \(n(x - 1.1 * r)),\(n(y - 0.8 * r)) \(n(x + 1.1 * r)),\(n(y - 0.8 * r))\" \(style)/>")
        case .diamond:
            raw("<polygon points=\"\(n(x)),\(n(y - 1.25 * r)) \(n(x + 1.05 * r)),\(n(y)) \(n(x)),\(n(y + 1.25 * r)) \(n(x - 1.05 * r)),\(n(y))\" \(style)/>")
        }
    }

    /// A vertical error bar with caps.
    mutating func errorBar(x: Double, yLow: Double, yHigh: Double, color: String, cap: Double = 4, width: Double = 1.4) {
        line(x, yLow, x, yHigh, stroke: color, width: width)
        line(x - cap, yLow, x + cap, yLow, stroke: color, width: width)
        line(x - cap, yHigh, x + cap, yHigh, stroke: color, width: width)
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;")
            .replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

enum MarkerShape { case circle, square, triangleUp, triangleDown, diamond }

/// Coordinates with two decimals (compact, deterministic).
func n(_ v: Double) -> String {
    guard v.isFinite else { return "0" }
    let r = (v * 100).rounded() / 100
    if r == r.rounded(), abs(r) < 1e9 { return String(Int(r)) }
    return String(format: "%.2f", r)
}
