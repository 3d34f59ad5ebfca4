import Foundation
import Numerics
import Vocabulary

/// The answer of `alphasweep diagnose`: for one latent spectrum, the spectral diagnostic's
/// (SPEC §7) predicted L(N) and α for GD, SqrtNG, NG and any Precond(p), the α-shift each
/// would buy over GD, and a one-line verdict. No simulation: seconds.
///
/// The numbers are those of `analyze`'s theory column (`TheoryPredictions`): the same
/// diagnostics, the same α fit (`ReplicateLogLosses` on the one theory curve).
///
/// ```swift
/// let d = try Diagnosis(experiment: Experiment(), s: 1.0, N: [64, 128, 256], powers: [0.75],
///                       spectrumName: "power law s = 1")
/// print(d.render(.table))
/// ```
public struct Diagnosis: Sendable {
    /// One optimizer's predicted curve.
    public struct Curve: Sendable {
        public var optimizer: OptimizerKind
        /// Predicted L at each N of the grid.
        public var losses: [Double]
        /// α over the whole grid, and on its lower and upper halves (SPEC §6's local exponents).
        public var alpha: Double
        public var alphaLowerHalf: Double
        public var alphaUpperHalf: Double
        /// α − α_GD (0 for GD).
        public var shiftOverGD: Double
        /// −Δlog L/Δlog N between consecutive N (one fewer than the grid).
        public var localAlphas: [Double]
    }

    /// Words for the spectrum ("power law s = 1", "file eigs.txt").
    public let spectrumName: String
    public let experiment: Experiment
    public let N: [Int]
    public let curves: [Curve]
    /// The one-line verdict.
    public let verdict: String
    /// SPEC §7's limit of α_NG as N → ∞ at fixed T for a power law, max(s + β − 1, 0); nil for
    /// a spectrum from a file.
    public let asymptoticAlphaNG: Double?

    /// A shift in α below this is "no gain" in the verdict: about the statistical resolution of
    /// a 16-replicate sweep's gaps.
    public static let negligibleShift = 0.02

    /// Diagnoses the spectrum of s under `experiment` (`Experiment.latentEigenvalues`: a file's
    /// when one stands for s) over the grid `N`, for GD, SqrtNG, NG and Precond(p) for `powers`.
    /// - Throws: `SpectralDiagnosticError` when the theory has no answer at some N (the message
    ///   names it), or `unsupported` for fewer than two N.
    public init(experiment: Experiment, s: Double, N: [Int], powers: [Double], spectrumName: String) throws {
        let grid = Array(Set(N)).sorted()
        guard grid.count >= 2 else { throw SpectralDiagnosticError.unsupported("needs at least two values of N to fit α") }
        let precond = try powers.map { p -> OptimizerKind in
            guard let kind = OptimizerKind.precond(p) else { throw SpectralDiagnosticError.unsupported("Precond power \(p) outside 0…1") }
            return kind
        }
        // The standard three in one diagnostic and the Precond powers in another, exactly as
        // `TheoryPredictions` does, so that the numbers are analyze's.
        var spec = SweepSpec(experiment: experiment)
        spec.grid = SweepGrid(N: grid, s: [s], replicates: 0..<1, optimizers: [.gd, .sqrtNG, .ng] + Array(Set(precond)).sorted())
        let filterSets: [[SpectralDiagnostic.Filter]] = [SpectralDiagnostic.Filter.standard]
            + (precond.isEmpty ? [] : [spec.grid.optimizers.filter { $0.family == .precond }.compactMap(SpectralDiagnostic.Filter.init)])
        var losses: [OptimizerKind: [Double]] = [:]
        for filters in filterSets {
            for (n, result) in zip(grid, Self.evaluateConcurrently(experiment: experiment, s: s, Ns: grid, filters: filters)) {
                let diagnostic: SpectralDiagnostic
                switch result {
                case .success(let d): diagnostic = d
                case .failure(let error): throw Self.naming(error, N: n)
                }
                for prediction in diagnostic.predictions { losses[prediction.optimizer, default: []].append(prediction.loss) }
            }
        }
        let halves = ReplicateLogLosses.halves(count: grid.count)
        func curve(_ optimizer: OptimizerKind, gdAlpha: Double) -> Curve {
            let values = losses[optimizer]!
            let fit = ReplicateLogLosses(N: grid, losses: [values])
            let alpha = fit.alpha(replicates: [0], window: 0..<grid.count)
            let local = (0..<(grid.count - 1)).map { fit.alpha(replicates: [0], window: $0..<($0 + 2)) }
            return Curve(optimizer: optimizer, losses: values, alpha: alpha,
                         alphaLowerHalf: halves.map { fit.alpha(replicates: [0], window: $0.lower) } ?? .nan,
                         alphaUpperHalf: halves.map { fit.alpha(replicates: [0], window: $0.upper) } ?? .nan,
                         shiftOverGD: alpha - gdAlpha, localAlphas: local)
        }
        let gd = curve(.gd, gdAlpha: 0)
        var curves = [Curve(optimizer: .gd, losses: gd.losses, alpha: gd.alpha, alphaLowerHalf: gd.alphaLowerHalf,
                            alphaUpperHalf: gd.alphaUpperHalf, shiftOverGD: 0, localAlphas: gd.localAlphas)]
        for optimizer in spec.grid.optimizers.dropFirst() { curves.append(curve(optimizer, gdAlpha: gd.alpha)) }
        self.spectrumName = spectrumName
        self.experiment = experiment
        self.N = grid
        self.curves = curves
        self.asymptoticAlphaNG = experiment.fileSpectrum(s: s) == nil ? max(s + experiment.beta - 1, 0) : nil
        self.verdict = Self.verdict(curves: curves, N: grid)
    }

    /// The diagnostics of every N, two at a time (each is independent and single-threaded).
    static func evaluateConcurrently(experiment: Experiment, s: Double, Ns: [Int],
                                     filters: [SpectralDiagnostic.Filter]) -> [Result<SpectralDiagnostic, SpectralDiagnosticError>] {
        let results = ResultSlots<Result<SpectralDiagnostic, SpectralDiagnosticError>>(count: Ns.count)
        DispatchQueue.concurrentPerform(iterations: Ns.count) { i in
            results.set(i, SpectralDiagnostic.evaluate(experiment: experiment, s: s, Ns: [Ns[i]], filters: filters)[0])
        }
        return results.values
    }

    static func naming(_ error: SpectralDiagnosticError, N: Int) -> SpectralDiagnosticError {
        switch error {
        case .unsupported(let m): return .unsupported("N = \(N): \(m)")
        case .continuationFailed(let m): return .continuationFailed("N = \(N): \(m)")
        case .notConverged(let m): return .notConverged("N = \(N): \(m)")
        case .selfCheckFailed(let m): return .selfCheckFailed("N = \(N): \(m)")
        }
    }

    public func curve(_ optimizer: OptimizerKind) -> Curve? { curves.first { $0.optimizer == optimizer } }

    /// "NG is predicted to steepen α by 0.19 over GD here (SqrtNG by 0.05); most of it needs
    /// N ≥ 256.", or that no optimizer pays off.
    static func verdict(curves: [Curve], N: [Int]) -> String {
        let others = curves.dropFirst()
        guard let gd = curves.first, let best = others.max(by: { $0.shiftOverGD < $1.shiftOverGD }),
              gd.alpha.isFinite, best.shiftOverGD.isFinite else {
            return "no verdict: the predicted exponents are not finite"
        }
        let shift = { (x: Double) in String(format: "%.2f", x) }
        let span = "N = \(N.first!)…\(N.last!)"
        guard best.shiftOverGD >= negligibleShift else {
            return "no optimizer is predicted to steepen α by \(shift(negligibleShift)) or more over GD here (\(span); "
                + "best \(best.optimizer.rawValue) \(best.shiftOverGD >= 0 ? "+" : "")\(shift(best.shiftOverGD))): stay with GD."
        }
        let runnersUp = others.filter { $0.optimizer != best.optimizer && $0.shiftOverGD >= negligibleShift }
            .sorted { $0.shiftOverGD > $1.shiftOverGD }
            .map { "\($0.optimizer.rawValue) by \(shift($0.shiftOverGD))" }
        var line = "\(best.optimizer.rawValue) is predicted to steepen α by \(shift(best.shiftOverGD)) over GD on \(span)"
        if !runnersUp.isEmpty { line += " (\(runnersUp.joined(separator: ", ")))" }
        // Where the local gap first reaches the overall one and stays there: the N from which
        // on the steeper scaling is bought.
        let localGap = zip(best.localAlphas, gd.localAlphas).map { $0 - $1 }
        if let start = localGap.indices.first(where: { j in localGap[j...].allSatisfy { $0 >= best.shiftOverGD } }), start > 0 {
            line += "; most of it needs N ≥ \(N[start])"
        } else if localGap.first.map({ $0 >= best.shiftOverGD }) == true,
                  localGap.last.map({ $0 < best.shiftOverGD / 2 }) == true {
            line += "; it fades at the largest N"
        }
        return line + "."
    }
}

/// Slots written once each from concurrent iterations (one lock, a handful of writes).
final class ResultSlots<Value>: @unchecked Sendable {
    private var slots: [Value?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: Value) { lock.lock(); slots[index] = value; lock.unlock() }
    var values: [Value] { lock.lock(); defer { lock.unlock() }; return slots.map { $0! } }
}
