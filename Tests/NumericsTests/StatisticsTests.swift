import Foundation
import Numerics
import TestSupport
import Vocabulary
import XCTest

/// Normal draws for synthetic data (Box–Muller on SplitMix64; test-only).
struct SyntheticNormal {
    var rng: SplitMix64
    init(seed: UInt64) { rng = SplitMix64(seed: seed) }
    mutating func uniform() -> Double { (Double(rng.next() >> 11) + 0.5) * 0x1p-53 }
    mutating func normal() -> Double {
        (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
    }
    mutating func exponential() -> Double { -log(uniform()) }
}

let standardN = [16, 32, 64, 128, 256, 512, 1024]

/// log L rows of a synthetic power law: log L = log c − α_r log N + noise, with a per-replicate
/// exponent α_r = α + slopeSpread·(Exp(1) − 1) (right-skewed) and point noise.
func syntheticRows(replicates: Int, alpha: Double, seed: UInt64, slopeSpread: Double = 0.05,
                   pointNoise: Double = 0.03, N: [Int] = standardN) -> [[Double]] {
    var g = SyntheticNormal(seed: seed)
    return (0..<replicates).map { _ in
        let a = alpha + slopeSpread * (g.exponential() - 1)
        let c = 0.3 * g.normal()
        return N.map { n in log(2.0) + c - a * log(Double(n)) + pointNoise * g.normal() }
    }
}

final class StatisticsTests: XCTestCase {
    // MARK: - Generator and index mapping

    func testSplitMix64KnownValues() {
        var rng = SplitMix64(seed: 0)
        XCTAssertEqual(rng.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(rng.next(), 0x6E78_9E6A_A1B9_65F4)
        XCTAssertEqual(rng.next(), 0x06C4_5D18_8009_454F)
    }

    func testUniformIndexIsInRangeAndRoughlyUniform() {
        var rng = SplitMix64(seed: 42)
        var counts = [Int](repeating: 0, count: 7)
        let draws = 70_000
        for _ in 0..<draws { counts[rng.uniformIndex(below: 7)] += 1 }
        // Chi-square with 6 degrees of freedom: P(χ² > 22.46) = 0.001.
        let expected = Double(draws) / 7
        let chi2 = counts.reduce(0.0) { $0 + pow(Double($1) - expected, 2) / expected }
        XCTAssertLessThan(chi2, 22.46)
        for bound in [1, 2, 3, 16, 1000] {
            for _ in 0..<200 { XCTAssert((0..<bound).contains(rng.uniformIndex(below: bound))) }
        }
    }

    // MARK: - Normal distribution

    func testNormalQuantileKnownValues() {
        // Reference values: scipy.special.ndtri.
        let cases: [(Double, Double)] = [
            (0.5, 0), (0.975, 1.959963984540054), (0.025, -1.959963984540054),
            (0.9, 1.2815515655446004), (0.001, -3.090232306167813),
            (1e-10, -6.361340902404056), (1e-300, -37.0470962993612),
            (0.8413447460685429, 1.0),
        ]
        for (p, z) in cases {
            XCTAssertEqual(NormalDistribution.quantile(p), z, accuracy: 2e-15 * max(1, abs(z)), "p = \(p)")
        }
        XCTAssertEqual(NormalDistribution.quantile(0), -.infinity)
        XCTAssertEqual(NormalDistribution.quantile(1), .infinity)
        XCTAssert(NormalDistribution.quantile(1.5).isNaN)
        XCTAssert(NormalDistribution.quantile(-0.1).isNaN)
    }

    func testNormalCDFKnownValuesAndRoundTrip() {
        XCTAssertEqual(NormalDistribution.cdf(0), 0.5)
        XCTAssertEqual(NormalDistribution.cdf(1), 0.8413447460685429, accuracy: 1e-15)
        XCTAssertEqual(NormalDistribution.cdf(-1.959963984540054), 0.025, accuracy: 1e-15)
        XCTAssertEqual(NormalDistribution.cdf(3), 0.9986501019683699, accuracy: 1e-15)
        XCTAssertEqual(NormalDistribution.cdf(-8), 6.22096057427174e-16, accuracy: 1e-28)
        for p in stride(from: 0.001, through: 0.999, by: 0.0133) {
            XCTAssertEqual(NormalDistribution.cdf(NormalDistribution.quantile(p)), p, accuracy: 1e-14)
        }
    }

    // MARK: - OLS

    func testOLSOnExactLine() throws {
        let x = [0.5, 1, 2, 3.5, 7]
        let fit = try XCTUnwrap(LinearFit(x: x, y: x.map { 2 - 3 * $0 }))
        XCTAssertEqual(fit.slope, -3, accuracy: 1e-14)
        XCTAssertEqual(fit.intercept, 2, accuracy: 1e-14)
        XCTAssertEqual(fit.slopeStandardError, 0, accuracy: 1e-13)
        XCTAssertEqual(fit.predict(10), -28, accuracy: 1e-12)
    }

    func testOLSStandardErrorsMatchClassicalFormulas() throws {
        // Reference: scipy.stats.linregress.
        let fit = try XCTUnwrap(LinearFit(x: [1, 2, 3, 4, 5], y: [1, 2, 1.3, 3.75, 2.25]))
        XCTAssertEqual(fit.slope, 0.425, accuracy: 1e-14)
        XCTAssertEqual(fit.intercept, 0.785, accuracy: 1e-14)
        XCTAssertEqual(fit.slopeStandardError, 0.305, accuracy: 1e-14)
        XCTAssertEqual(fit.interceptStandardError, 1.011570561058397, accuracy: 1e-13)
    }

    func testOLSRejectsDegenerateInput() {
        XCTAssertNil(LinearFit(x: [1], y: [1]))
        XCTAssertNil(LinearFit(x: [2, 2, 2], y: [1, 2, 3]))
        XCTAssertNil(LinearFit(x: [1, 2], y: [1]))
        XCTAssertNil(LinearFit(x: [1, 2, 3], y: [1, .nan, 3]))
        XCTAssert(LinearFit(x: [1, 2], y: [1, 3])!.slopeStandardError.isNaN)
    }

    // MARK: - α and its interval

    func testAlphaIsMinusSlopeOfMeanLogLoss() {
        let losses = (0..<4).map { r in standardN.map { 3.0 * pow(Double($0), -0.65) * (1 + 0.1 * Double(r)) } }
        let curves = ReplicateLogLosses(N: standardN, losses: losses)
        XCTAssertEqual(curves.alpha(replicates: [0, 1, 2, 3], window: 0..<7), 0.65, accuracy: 1e-13)
        XCTAssertEqual(curves.fit()!.slope, -0.65, accuracy: 1e-13)
    }

    func testHalvesOfTheNGrid() {
        XCTAssertEqual(ReplicateLogLosses.halves(count: 7)?.lower, 0..<4)
        XCTAssertEqual(ReplicateLogLosses.halves(count: 7)?.upper, 3..<7)
        XCTAssertEqual(ReplicateLogLosses.halves(count: 6)?.lower, 0..<3)
        XCTAssertEqual(ReplicateLogLosses.halves(count: 6)?.upper, 3..<6)
        XCTAssertEqual(ReplicateLogLosses.halves(count: 3)?.upper, 1..<3)
        XCTAssertNil(ReplicateLogLosses.halves(count: 2))
    }

    func testAlphaRecoveredWithCICoveringTruth() {
        let rows = syntheticRows(replicates: 16, alpha: 0.7, seed: 7)
        let curves = ReplicateLogLosses(logN: standardN.map { log(Double($0)) }, logLosses: rows)
        let ci = ReplicateBootstrap().interval(replicateCount: 16) { curves.alpha(replicates: $0, window: 0..<7) }
        XCTAssertEqual(ci.method, .bca)
        XCTAssertEqual(ci.resamples, 4000)
        XCTAssert(ci.contains(0.7), "[\(ci.low), \(ci.high)]")
        XCTAssertLessThan(ci.high - ci.low, 0.1)
        XCTAssert(ci.percentileLow < ci.estimate && ci.estimate < ci.percentileHigh)
    }

    /// Frequentist check of calibration: over many synthetic data sets with a known α, the
    /// 95 % interval covers it about 95 % of the time (mean of 16 skewed values: BCa is close).
    func testBootstrapCoverageIsNearNominal() {
        let trials = 200
        var bcaCovered = 0, percentileCovered = 0
        let bootstrap = ReplicateBootstrap(resamples: 1000)
        for t in 0..<trials {
            let rows = syntheticRows(replicates: 16, alpha: 0.5, seed: 1000 + UInt64(t), slopeSpread: 0.1)
            let curves = ReplicateLogLosses(logN: standardN.map { log(Double($0)) }, logLosses: rows)
            // The true α of this design: mean of the per-replicate exponents' expectation, 0.5.
            let ci = bootstrap.interval(replicateCount: 16) { curves.alpha(replicates: $0, window: 0..<7) }
            if ci.contains(0.5) { bcaCovered += 1 }
            if ci.percentileLow <= 0.5 && 0.5 <= ci.percentileHigh { percentileCovered += 1 }
        }
        // Binomial(200, 0.95) has sd 0.015; 16 replicates make bootstrap intervals a little
        // short (≈ 0.92–0.94 is typical), so accept 0.86…0.99.
        XCTAssertGreaterThan(Double(bcaCovered) / Double(trials), 0.86)
        XCTAssertLessThan(Double(bcaCovered) / Double(trials), 0.995)
        XCTAssertGreaterThan(Double(percentileCovered) / Double(trials), 0.84)
    }

    func testBootstrapIsDeterministic() {
        let rows = syntheticRows(replicates: 12, alpha: 0.4, seed: 99)
        let curves = ReplicateLogLosses(logN: standardN.map { log(Double($0)) }, logLosses: rows)
        let statistic: ([Int]) -> Double = { curves.alpha(replicates: $0, window: 0..<7) }
        let a = ReplicateBootstrap(seed: 5).interval(replicateCount: 12, statistic: statistic)
        let b = ReplicateBootstrap(seed: 5).interval(replicateCount: 12, statistic: statistic)
        XCTAssertEqual(a.low.bitPattern, b.low.bitPattern)
        XCTAssertEqual(a.high.bitPattern, b.high.bitPattern)
        XCTAssertEqual(a.percentileLow.bitPattern, b.percentileLow.bitPattern)
        XCTAssertEqual(a.percentileHigh.bitPattern, b.percentileHigh.bitPattern)
        // An explicit generator with the same seed gives the same numbers.
        var rng = SplitMix64(seed: 5)
        let c = ReplicateBootstrap(seed: 0).intervals(replicateCount: 12, using: &rng) { [statistic($0)] }[0]
        XCTAssertEqual(a, c)
        let d = ReplicateBootstrap(seed: 6).interval(replicateCount: 12, statistic: statistic)
        XCTAssertNotEqual(a.low, d.low)
    }

    func testBootstrapResamplesWholeReplicates() {
        // Each index multiset the statistic sees has n entries, all valid replicate indices.
        var seen = 0
        _ = ReplicateBootstrap(resamples: 50).interval(replicateCount: 5) { idx in
            XCTAssert(idx.count == 5 || idx.count == 4)
            XCTAssert(idx.allSatisfy { (0..<5).contains($0) })
            seen += 1
            return Double(idx.reduce(0, +))
        }
        XCTAssertEqual(seen, 1 + 50 + 5)  // estimate, resamples, jackknife
    }

    func testBCaEqualsPercentileForSymmetricCase() {
        // z0 = 0 (the estimate is the median) and a = 0 (symmetric jackknife): BCa = percentile.
        let distribution = (0..<1001).map { Double($0) / 1000 - 0.5 }
        let ci = BootstrapInterval(estimate: 0, distribution: distribution, jackknife: [-1, 0, 1], confidence: 0.9)
        XCTAssertEqual(ci.method, .bca)
        XCTAssertEqual(ci.biasCorrection, 0)
        XCTAssertEqual(ci.acceleration, 0)
        XCTAssertEqual(ci.bcaLow, ci.percentileLow, accuracy: 1e-12)
        XCTAssertEqual(ci.bcaHigh, ci.percentileHigh, accuracy: 1e-12)
        XCTAssertEqual(ci.percentileLow, -0.45, accuracy: 1e-12)
    }

    func testBCaFallsBackToPercentileOnDegenerateData() {
        // All replicates identical: every resample gives the same α.
        let row = standardN.map { -0.5 * log(Double($0)) }
        let curves = ReplicateLogLosses(logN: standardN.map { log(Double($0)) }, logLosses: Array(repeating: row, count: 8))
        let constant = ReplicateBootstrap().interval(replicateCount: 8) { curves.alpha(replicates: $0, window: 0..<7) }
        XCTAssertEqual(constant.method, .percentile)
        XCTAssertEqual(constant.degeneracy, .constantDistribution)
        XCTAssertEqual(constant.low, 0.5, accuracy: 1e-12)
        XCTAssertEqual(constant.high, 0.5, accuracy: 1e-12)
        XCTAssert(constant.bcaLow.isNaN)

        // The estimate lies below every resample: z0 = −∞ (minus the number of distinct
        // replicates is largest, −n, only on the original data).
        // (n = 20: a resample repeats no replicate with probability 20!/20²⁰ ≈ 2e-8.)
        let outside = ReplicateBootstrap().interval(replicateCount: 20) { -Double(Set($0).count) }
        XCTAssertEqual(outside.method, .percentile)
        XCTAssertEqual(outside.degeneracy, .infiniteBiasCorrection)
        XCTAssert(outside.low.isFinite && outside.high.isFinite)

        // Equal jackknife values: the acceleration is 0/0.
        let flat = BootstrapInterval(estimate: 0.1, distribution: [0, 0.1, 0.2, 0.3], jackknife: [1, 1, 1], confidence: 0.95)
        XCTAssertEqual(flat.degeneracy, .undefinedAcceleration)
        XCTAssertEqual(flat.method, .percentile)

        let single = ReplicateBootstrap(resamples: 10).interval(replicateCount: 1) { Double($0[0]) }
        XCTAssertEqual(single.method, .percentile)

        let nonFinite = BootstrapInterval(estimate: 1, distribution: [1, .nan], jackknife: [1, 2], confidence: 0.95)
        XCTAssertEqual(nonFinite.degeneracy, .nonFiniteStatistic)
        XCTAssert(nonFinite.low.isNaN)
    }

    func testPairedGapIntervalIsNarrowerThanUnpaired() {
        // Optimizer B = optimizer A with 0.1 added to every replicate's exponent plus small
        // independent noise: the paired gap interval is far narrower than either α interval.
        let a = syntheticRows(replicates: 16, alpha: 0.5, seed: 3, slopeSpread: 0.1)
        var g = SyntheticNormal(seed: 4)
        let b = a.map { row in zip(row, standardN).map { $0 - 0.1 * log(Double($1)) + 0.01 * g.normal() } }
        let logN = standardN.map { log(Double($0)) }
        let ca = ReplicateLogLosses(logN: logN, logLosses: a), cb = ReplicateLogLosses(logN: logN, logLosses: b)
        let bootstrap = ReplicateBootstrap()
        let gap = bootstrap.interval(replicateCount: 16) {
            cb.alpha(replicates: $0, window: 0..<7) - ca.alpha(replicates: $0, window: 0..<7)
        }
        let alphaA = bootstrap.interval(replicateCount: 16) { ca.alpha(replicates: $0, window: 0..<7) }
        XCTAssert(gap.contains(0.1))
        XCTAssertLessThan(gap.high - gap.low, 0.2 * (alphaA.high - alphaA.low))
    }

    // MARK: - Saturating fit

    func testSaturatingFitRecoversExactParameters() throws {
        let (E, A, alpha) = (0.02, 3.0, 0.9)
        let y = standardN.map { log(E + A * pow(Double($0), -alpha)) }
        let fit = try XCTUnwrap(SaturatingFit.fit(N: standardN, meanLogLoss: y))
        XCTAssertEqual(fit.E, E, accuracy: 1e-6)
        XCTAssertEqual(fit.A, A, accuracy: 1e-4)
        XCTAssertEqual(fit.alpha, alpha, accuracy: 1e-5)
        XCTAssertLessThan(fit.rmsLogResidual, 1e-7)
    }

    func testSaturatingFitResistsAnOutlier() throws {
        let (E, A, alpha) = (0.02, 3.0, 0.9)
        var y = standardN.map { log(E + A * pow(Double($0), -alpha)) }
        var g = SyntheticNormal(seed: 11)
        y = y.map { $0 + 0.005 * g.normal() }
        y[4] += log(1.6)  // one N value 60 % too high
        let robust = try XCTUnwrap(SaturatingFit.fit(N: standardN, meanLogLoss: y, huberDelta: 0.02))
        XCTAssertEqual(robust.E, E, accuracy: 0.2 * E)
        XCTAssertEqual(robust.A, A, accuracy: 0.2 * A)
        XCTAssertEqual(robust.alpha, alpha, accuracy: 0.06)
        // Least squares (a huge δ) is dragged much further by the same outlier.
        let squares = try XCTUnwrap(SaturatingFit.fit(N: standardN, meanLogLoss: y, huberDelta: 100))
        XCTAssertGreaterThan(abs(squares.alpha - alpha), 2 * abs(robust.alpha - alpha))
    }

    func testSaturatingFitOfPurePowerLawHasNoFloor() throws {
        let y = standardN.map { log(2.0) - 0.4 * log(Double($0)) }
        let fit = try XCTUnwrap(SaturatingFit.fit(N: standardN, meanLogLoss: y))
        XCTAssertEqual(fit.alpha, 0.4, accuracy: 1e-4)
        XCTAssertLessThan(fit.E, 1e-6)
        // Deterministic.
        XCTAssertEqual(fit, SaturatingFit.fit(N: standardN, meanLogLoss: y))
    }

    // MARK: - Export for the SciPy comparison (Tests/python/test_statistics_vs_scipy.py)

    /// When ALPHASWEEP_STATS_EXPORT names a file, writes synthetic replicate data, this
    /// bootstrap's bounds and its bootstrap distributions there as JSON, for the pytest that
    /// compares them with `scipy.stats.bootstrap`. Does nothing otherwise.
    func testExportBootstrapForScipy() throws {
        guard let path = ProcessInfo.processInfo.environment["ALPHASWEEP_STATS_EXPORT"], !path.isEmpty else { return }
        let resamples = Int(ProcessInfo.processInfo.environment["ALPHASWEEP_STATS_EXPORT_RESAMPLES"] ?? "") ?? 20_000
        let logN = standardN.map { log(Double($0)) }
        let bootstrap = ReplicateBootstrap(resamples: resamples)

        struct Exported: Encodable {
            var name: String
            var statistic: String
            var logN: [Double]
            var rows: [[Double]]
            var rowsReference: [[Double]]?
            var estimate, bcaLow, bcaHigh, percentileLow, percentileHigh: Double
            var z0, acceleration, bcaLevelLow, bcaLevelHigh: Double
            var method: String
            var distribution: [Double]
        }
        func export(name: String, rows: [[Double]], reference: [[Double]]?) -> Exported {
            let c = ReplicateLogLosses(logN: logN, logLosses: rows)
            let r = reference.map { ReplicateLogLosses(logN: logN, logLosses: $0) }
            let statistic: ([Int]) -> [Double] = { idx in
                let a = c.alpha(replicates: idx, window: 0..<logN.count)
                return [r.map { a - $0.alpha(replicates: idx, window: 0..<logN.count) } ?? a]
            }
            let ci = bootstrap.intervals(replicateCount: rows.count, statistics: statistic)[0]
            var rng = SplitMix64(seed: bootstrap.seed)
            let distribution = ReplicateBootstrap.distributions(replicateCount: rows.count, resamples: resamples,
                                                                using: &rng, statistics: statistic)[0]
            return Exported(name: name, statistic: reference == nil ? "alpha" : "gap", logN: logN, rows: rows,
                            rowsReference: reference, estimate: ci.estimate, bcaLow: ci.bcaLow, bcaHigh: ci.bcaHigh,
                            percentileLow: ci.percentileLow, percentileHigh: ci.percentileHigh,
                            z0: ci.biasCorrection, acceleration: ci.acceleration,
                            bcaLevelLow: ci.bcaLevelLow, bcaLevelHigh: ci.bcaLevelHigh,
                            method: ci.method.rawValue, distribution: distribution)
        }
        let gdRows = syntheticRows(replicates: 16, alpha: 0.45, seed: 21, slopeSpread: 0.08)
        var g = SyntheticNormal(seed: 22)
        let ngRows = gdRows.map { row in
            let extra = 0.3 + 0.1 * (g.exponential() - 1)
            return zip(row, logN).map { $0 - extra * $1 + 0.02 * g.normal() }
        }
        let datasets = [
            export(name: "skewed16", rows: syntheticRows(replicates: 16, alpha: 0.6, seed: 17, slopeSpread: 0.12),
                   reference: nil),
            export(name: "small6", rows: syntheticRows(replicates: 6, alpha: 0.3, seed: 18, slopeSpread: 0.2),
                   reference: nil),
            export(name: "gap16", rows: ngRows, reference: gdRows),
        ]
        struct File: Encodable {
            var resamples: Int
            var confidence: Double
            var seed: UInt64
            var quantileProbes: [Double]
            var quantileValues: [Double]
            var datasets: [Exported]
        }
        let probes = [1e-300, 1e-20, 1e-8, 0.001, 0.02, 0.025, 0.1, 0.3, 0.5, 0.77, 0.975, 0.999, 1 - 1e-12]
        let file = File(resamples: resamples, confidence: bootstrap.confidence, seed: bootstrap.seed,
                        quantileProbes: probes, quantileValues: probes.map(NormalDistribution.quantile),
                        datasets: datasets)
        let data = try JSONEncoder().encode(file)
        try data.write(to: URL(fileURLWithPath: path))
    }
}
