import Foundation

/// A deterministic Nelder–Mead simplex minimiser (standard coefficients: reflection 1,
/// expansion 2, contraction ½, shrink ½; Lagarias et al. 1998 ordering and tie rules).
struct NelderMead {
    var maxEvaluations = 4000
    /// Stop when the simplex's function values and vertices agree to these tolerances.
    var functionTolerance = 1e-14
    var pointTolerance = 1e-10

    struct Result {
        var point: [Double]
        var value: Double
        var evaluations: Int
        var converged: Bool
    }

    /// Minimises `f` from `start`, with initial simplex steps `steps` along each axis.
    /// Non-finite values of f are treated as +∞.
    func minimize(_ f: ([Double]) -> Double, start: [Double], steps: [Double]) -> Result {
        let n = start.count
        precondition(steps.count == n && n >= 1)
        var evaluations = 0
        func eval(_ x: [Double]) -> Double {
            evaluations += 1
            let v = f(x)
            return v.isFinite ? v : .infinity
        }
        var simplex: [[Double]] = [start]
        for i in 0..<n {
            var p = start
            p[i] += steps[i] == 0 ? 1e-3 : steps[i]
            simplex.append(p)
        }
        var values = simplex.map(eval)
        var converged = false

        while evaluations < maxEvaluations {
            // Order (stable: ties keep their earlier position).
            let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
            simplex = order.map { simplex[$0] }
            values = order.map { values[$0] }

            let spreadF = abs(values[n] - values[0])
            var spreadX = 0.0
            for i in 1...n {
                for j in 0..<n {
                    spreadX = max(spreadX, abs(simplex[i][j] - simplex[0][j]) / max(1, abs(simplex[0][j])))
                }
            }
            // Converged: the vertices agree and so do their values (absolutely, near a zero
            // minimum), or the simplex has collapsed to rounding.
            let valuesAgree = spreadF <= functionTolerance * abs(values[0]) + 1e-30
            if (spreadX <= pointTolerance && valuesAgree) || spreadX <= 1e-14 {
                converged = true
                break
            }

            var centroid = [Double](repeating: 0, count: n)
            for i in 0..<n { for j in 0..<n { centroid[j] += simplex[i][j] / Double(n) } }
            func along(_ t: Double) -> [Double] { (0..<n).map { centroid[$0] + t * (simplex[n][$0] - centroid[$0]) } }

            let reflected = along(-1)
            let fr = eval(reflected)
            if fr < values[0] {
                let expanded = along(-2)
                let fe = eval(expanded)
                if fe < fr { simplex[n] = expanded; values[n] = fe } else { simplex[n] = reflected; values[n] = fr }
                continue
            }
            if fr < values[n - 1] {
                simplex[n] = reflected; values[n] = fr
                continue
            }
            if fr < values[n] {
                let outside = along(-0.5)
                let fo = eval(outside)
                if fo <= fr { simplex[n] = outside; values[n] = fo; continue }
            } else {
                let inside = along(0.5)
                let fi = eval(inside)
                if fi < values[n] { simplex[n] = inside; values[n] = fi; continue }
            }
            // Shrink towards the best vertex.
            for i in 1...n {
                simplex[i] = (0..<n).map { simplex[0][$0] + 0.5 * (simplex[i][$0] - simplex[0][$0]) }
                values[i] = eval(simplex[i])
            }
        }
        let best = values.indices.min { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }!
        return Result(point: simplex[best], value: values[best], evaluations: evaluations, converged: converged)
    }
}
