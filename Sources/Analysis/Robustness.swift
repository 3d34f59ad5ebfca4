import Foundation
import Numerics
import Vocabulary

/// How far a cell's α can be trusted: the sensitivity analysis a fitted exponent needs.
///
/// - *dropped*: α refitted with the smallest 1, 2, 3 N left out (while ≥ 3 N remain), with
///   bootstrap intervals over whole replicates;
/// - *held-out check*: the power law fitted without the largest N predicts mean log L there;
///   the error (observed − predicted, in log L) with its bootstrap interval: an interval that
///   excludes 0 says the law does not extrapolate one step;
/// - *model comparison*: the pure power law (2 parameters, OLS on mean log L) against the
///   saturating form L = E + A·N^(−α) (3 parameters, least squares on mean log L), by AIC and
///   BIC of Gaussian log residuals, n log(RSS/n) + k·(2 or log n);
/// - *verdict*, one word: `saturating` when BIC prefers the saturating form by more than
///   `decisiveBIC`; else `curved` when the half-grid exponents disagree
///   (the α table's "!") or the held-out check fails; else `clean`.
///
/// All bootstrap statistics of a cell share one set of resamples (the analysis's seed).
public struct Robustness: Equatable, Sendable {
    /// α with the smallest `dropped` N left out.
    public struct DroppedFit: Equatable, Sendable {
        public var dropped: Int
        public var alpha: Double
        public var interval: BootstrapInterval?
    }

    /// The power law of all but the largest N, extrapolated to it.
    public struct HeldOutCheck: Equatable, Sendable {
        public var N: Int
        /// exp of the predicted mean log L at N.
        public var predictedLoss: Double
        /// exp of the observed mean log L at N.
        public var observedLoss: Double
        /// observed − predicted mean log L.
        public var logError: Double
        public var interval: BootstrapInterval?
        /// True unless the interval excludes 0 by more than rounding (true without an interval).
        public var consistent: Bool
    }

    /// AIC and BIC of the two forms on the replicate-mean log L.
    public struct ModelComparison: Equatable, Sendable {
        public var aicPowerLaw: Double
        public var bicPowerLaw: Double
        public var aicSaturating: Double
        public var bicSaturating: Double
        /// The least-squares saturating fit compared (its E, A, α).
        public var saturating: SaturatingFit?
        /// BIC(power law) − BIC(saturating): positive favours the saturating form.
        public var bicAdvantageSaturating: Double { bicPowerLaw - bicSaturating }
    }

    public enum Verdict: String, Sendable, CaseIterable {
        case clean, curved, saturating
    }

    public var dropped: [DroppedFit]
    public var heldOut: HeldOutCheck?
    public var comparison: ModelComparison?
    public var verdict: Verdict

    /// A BIC difference above this is "positive evidence" (Kass & Raftery's scale).
    public static let decisiveBIC = 2.0
    /// The smallest N dropped: 1, 2, 3.
    public static let droppedCounts = [1, 2, 3]
    /// The RMS log residual below which fits count as exact: RSS is floored at n·floor², so
    /// that rounding noise (an exact power law) neither gives an infinite AIC nor lets one
    /// form "win" by a ratio of two roundings.
    static let rmsLogResidualFloor = 1e-9

    /// The robustness of a cell from its complete replicates' log losses (`curves`), given
    /// whether its half-grid exponents disagree.
    public init(curves: ReplicateLogLosses, N: [Int], powerLawWarning: Bool, options: AnalysisOptions) {
        let count = N.count
        let all = Array(0..<curves.replicateCount)
        let counts = Self.droppedCounts.filter { count - $0 >= 3 }
        let heldOut = count >= 3 ? count - 1 : nil
        // One statistic vector per resample: α with k dropped for each k, then the held-out error.
        func statistics(_ replicates: [Int]) -> [Double] {
            var out = counts.map { curves.alpha(replicates: replicates, window: $0..<count) }
            if let last = heldOut { out.append(Self.heldOutError(curves, replicates: replicates, last: last)) }
            return out
        }
        let point = statistics(all)
        let intervals: [BootstrapInterval]? = curves.replicateCount >= options.minimumReplicates
            ? options.bootstrap.intervals(replicateCount: curves.replicateCount, statistics: statistics) : nil
        dropped = counts.enumerated().map { i, k in DroppedFit(dropped: k, alpha: point[i], interval: intervals?[i]) }
        if let last = heldOut {
            let interval = intervals?[counts.count]
            let mean = curves.meanLogLoss
            let error = point[counts.count]
            self.heldOut = HeldOutCheck(N: N[last], predictedLoss: exp(mean[last] - error), observedLoss: exp(mean[last]),
                                        logError: error, interval: interval,
                                        // An error of rounding size is no miss, whatever its interval.
                                        consistent: interval.map { $0.low - Self.rmsLogResidualFloor <= 0
                                            && 0 <= $0.high + Self.rmsLogResidualFloor } ?? true)
        } else {
            self.heldOut = nil
        }
        comparison = Self.compare(N: N, meanLogLoss: curves.meanLogLoss)
        // (E = 0 gives the power law's RSS and a BIC worse by log n, so a decisive advantage
        // implies a floor E > 0.)
        if let c = comparison, c.bicAdvantageSaturating > Self.decisiveBIC {
            verdict = .saturating
        } else if powerLawWarning || self.heldOut?.consistent == false {
            verdict = .curved
        } else {
            verdict = .clean
        }
    }

    /// observed − predicted mean log L at index `last`, the OLS line fitted on indices 0..<last.
    static func heldOutError(_ curves: ReplicateLogLosses, replicates: [Int], last: Int) -> Double {
        let y = curves.meanLogLoss(replicates: replicates, window: 0..<(last + 1))
        guard let fit = LinearFit(x: Array(curves.logN[0..<last]), y: Array(y[0..<last])) else { return .nan }
        return y[last] - (fit.intercept + fit.slope * curves.logN[last])
    }

    /// AIC and BIC of the power law and the saturating form; nil with fewer than 4 points (the
    /// saturating form needs a residual degree of freedom).
    static func compare(N: [Int], meanLogLoss y: [Double]) -> ModelComparison? {
        let n = Double(y.count)
        guard y.count >= 4, let line = LinearFit(x: N.map { log(Double($0)) }, y: y) else { return nil }
        func criteria(rss: Double, parameters k: Double) -> (aic: Double, bic: Double) {
            let term = n * log(max(rss, n * rmsLogResidualFloor * rmsLogResidualFloor) / n)
            return (term + 2 * k, term + k * log(n))
        }
        let linear = criteria(rss: pow(line.residualStandardDeviation, 2) * (n - 2), parameters: 2)
        // Least squares: a Huber threshold no residual reaches.
        let fit = SaturatingFit.fit(N: N, meanLogLoss: y, huberDelta: 1e6)
        // Least squares starting from the power law can only improve on it (E = 0 is the power
        // law), so the saturating RSS is capped by the line's.
        let lineRSS = pow(line.residualStandardDeviation, 2) * (n - 2)
        let saturatingRSS = min(fit.map { pow($0.rmsLogResidual, 2) * n } ?? .infinity, lineRSS)
        let saturating = criteria(rss: saturatingRSS, parameters: 3)
        return ModelComparison(aicPowerLaw: linear.aic, bicPowerLaw: linear.bic,
                               aicSaturating: saturating.aic, bicSaturating: saturating.bic, saturating: fit)
    }

    /// The robustness fields of a row (NaN, null, empty without a robustness analysis), appended
    /// to `AlphaRow.fields` so that JSON, CSV and `/analysis` carry them.
    public static func fields(_ r: Robustness?) -> [(name: String, value: FieldValue)] {
        var out: [(name: String, value: FieldValue)] = []
        for k in droppedCounts {
            let fit = r?.dropped.first { $0.dropped == k }
            out.append(("alpha_drop\(k)", .number(fit?.alpha ?? .nan)))
            out.append(("alpha_drop\(k)_ci_low", .number(fit?.interval?.low ?? .nan)))
            out.append(("alpha_drop\(k)_ci_high", .number(fit?.interval?.high ?? .nan)))
        }
        let h = r?.heldOut, c = r?.comparison
        out += [
            ("heldout_N", .integer(h?.N ?? 0)),
            ("heldout_predicted_loss", .number(h?.predictedLoss ?? .nan)),
            ("heldout_observed_loss", .number(h?.observedLoss ?? .nan)),
            ("heldout_log_error", .number(h?.logError ?? .nan)),
            ("heldout_log_error_ci_low", .number(h?.interval?.low ?? .nan)),
            ("heldout_log_error_ci_high", .number(h?.interval?.high ?? .nan)),
            ("heldout_consistent", .bool(h?.consistent ?? false)),
            ("aic_power_law", .number(c?.aicPowerLaw ?? .nan)),
            ("aic_saturating", .number(c?.aicSaturating ?? .nan)),
            ("bic_power_law", .number(c?.bicPowerLaw ?? .nan)),
            ("bic_saturating", .number(c?.bicSaturating ?? .nan)),
            ("fit_verdict", .text(r?.verdict.rawValue)),
        ]
        return out
    }
}

extension AnalysisReport {
    /// "s = 5 is the spectrum of a file (sha256 …), not k^-s", one per spectrum file: an s column
    /// that names a file must not read as a decay.
    static func spectrumNotes(_ spec: SweepSpec) -> [String] {
        spec.experiment.spectrumFiles.filter { spec.grid.s.contains($0.label) }.map {
            "s = \(formatS($0.label)) is the spectrum of a file (sha256 \($0.sha256.prefix(16))…), not k^-s"
        }
    }
}

extension AnalysisReport {
    /// The robustness table: per cell the one-word verdict, α with the smallest N dropped,
    /// the held-out check and ΔBIC (power law − saturating).
    /// The robustness table behind `--details` (nil when no row has a robustness analysis).
    func robustnessSection() -> ReportSection? {
        var lines: [[String]] = [["optimizer", "s", "verdict", "α", "drop 1", "drop 2", "drop 3",
                                  "held-out log error [CI]", "ΔBIC sat"]]
        func f(_ v: Double) -> String { v.isFinite ? String(format: "%.3f", v) : "n/a" }
        for row in rows {
            guard let r = row.robustness else { continue }
            let drops = Robustness.droppedCounts.map { k -> String in
                guard let d = r.dropped.first(where: { $0.dropped == k }) else { return "n/a" }
                return d.interval.map { "\(f(d.alpha)) [\(f($0.low)), \(f($0.high))]" } ?? f(d.alpha)
            }
            let held = r.heldOut.map { h in
                "N=\(h.N): \(String(format: "%+.3f", h.logError))" + (h.interval.map { " [\(String(format: "%+.3f", $0.low)), \(String(format: "%+.3f", $0.high))]" } ?? "")
                    + (h.consistent ? "" : " ✗")
            } ?? "n/a"
            lines.append([row.optimizer.rawValue, formatS(row.s), r.verdict.rawValue, f(row.alpha)] + drops
                         + [held, r.comparison.map { String(format: "%+.1f", $0.bicAdvantageSaturating) } ?? "n/a"])
        }
        guard lines.count > 1 else { return nil }
        let widths = lines[0].indices.map { k in lines.map { $0[k].count }.max()! }
        let title = "robustness: verdict (clean / curved / saturating), α with the smallest 1–3 N dropped [CI], "
            + "held-out largest N (observed − predicted log L [CI], ✗ = CI excludes 0), ΔBIC = BIC power law − BIC saturating"
        let body = lines.map { line in
            line.enumerated().map { k, text in text + String(repeating: " ", count: widths[k] - text.count) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
        return ReportSection(title: title, body: body)
    }
}
