import Foundation
import Vocabulary

/// The covariance spectrum of the latent input (SPEC §1).
public enum Spectrum {
    /// λ_k = k^(−s) / Σ_j j^(−s), k = 1…D (so Σ λ_k = 1). Element k−1 holds λ_k.
    ///
    /// The normaliser is summed from the smallest term up (k = D down to 1), for accuracy and a
    /// fixed order.
    public static func eigenvalues(s: Double, D: Int) -> [Double] {
        guard D > 0 else { return [] }
        let raw = (1...D).map { pow(Double($0), -s) }
        var total = 0.0
        for k in stride(from: D - 1, through: 0, by: -1) { total += raw[k] }
        return raw.map { $0 / total }
    }

    /// The teacher's coefficient variances k^(−β), k = 1…D (element k−1 for k).
    public static func teacherVariances(beta: Double, D: Int) -> [Double] {
        guard D > 0 else { return [] }
        return (1...D).map { pow(Double($0), -beta) }
    }
}

extension Experiment {
    /// The latent spectrum of the instances with s-axis value `s`: a file's (SPEC §1, when one
    /// stands for s) or the power law k^(−s), k = 1…D.
    public func latentEigenvalues(s: Double) -> [Double] {
        fileSpectrum(s: s)?.eigenvalues ?? Spectrum.eigenvalues(s: s, D: D)
    }
}
