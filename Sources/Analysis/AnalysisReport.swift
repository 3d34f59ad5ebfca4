import Foundation
import Numerics
import Vocabulary

/// The analysis of a sweep's results: SPEC §6 applied to every (optimizer, s) cell.
///
/// Words used here:
/// - *cell*: one (optimizer, s) pair; it owns one row of the α table.
/// - *complete replicate*: a replicate with an ok, finite, positive loss at every N of the spec
///   grid for that optimizer. Only complete replicates enter α and its interval (never an
///   average over an unbalanced design); for the gap, a replicate must be complete for both
///   optimizers.
/// - *local exponents*: α on the lower and the upper half of the N grid
///   (`ReplicateLogLosses.halves(count:)`).

/// Predicted L(N) for an optimizer at spectral decay s; nil where the theory has no prediction.
public typealias TheoryProvider = (_ optimizer: OptimizerKind, _ s: Double, _ N: Int) -> Double?

/// Settings of the analysis.
public struct AnalysisOptions: Equatable, Sendable {
    /// Bootstrap resamples B (SPEC §6: ≥ 4000).
    public var resamples: Int = ReplicateBootstrap.defaultResamples
    /// Two-sided confidence level.
    public var confidence: Double = 0.95
    /// The bootstrap's fixed seed.
    public var seed: UInt64 = ReplicateBootstrap.defaultSeed
    /// Cells with fewer complete replicates get a point estimate but no interval.
    public var minimumReplicates: Int = 3
    /// Huber threshold of the saturating fit (log units).
    public var huberDelta: Double = SaturatingFit.defaultHuberDelta

    public init(resamples: Int = ReplicateBootstrap.defaultResamples, confidence: Double = 0.95,
                seed: UInt64 = ReplicateBootstrap.defaultSeed, minimumReplicates: Int = 3,
                huberDelta: Double = SaturatingFit.defaultHuberDelta) {
        self.resamples = resamples
        self.confidence = confidence
        self.seed = seed
        self.minimumReplicates = minimumReplicates
        self.huberDelta = huberDelta
    }

    var bootstrap: ReplicateBootstrap {
        ReplicateBootstrap(resamples: resamples, confidence: confidence, seed: seed)
    }
}

/// One row of the α table: one (optimizer, s) cell. Missing numbers are NaN (null in JSON).
public struct AlphaRow: Equatable, Sendable {
    public var optimizer: OptimizerKind
    public var s: Double
    /// Complete replicates used for α.
    public var nReplicates: Int = 0
    /// α = −slope of OLS of mean log L on log N over the whole N grid.
    public var alpha: Double = .nan
    /// The intercept of that fit (natural logs): mean log L ≈ intercept − α·log N.
    public var fitLogIntercept: Double = .nan
    /// The bootstrap interval of α (nil below `minimumReplicates`).
    public var alphaInterval: BootstrapInterval? = nil
    /// α_opt − α_GD, paired (NaN for GD itself or without GD).
    public var gapVsGD: Double = .nan
    public var gapInterval: BootstrapInterval? = nil
    /// Replicates complete for both this optimizer and GD.
    public var gapReplicates: Int = 0
    /// α of the theory's L(N) over the same N grid (NaN where there is no theory).
    public var alphaTheory: Double = .nan
    public var alphaTheoryLowHalf: Double = .nan
    public var alphaTheoryHighHalf: Double = .nan
    /// Local exponents on the lower and upper half of the N grid.
    public var alphaLowHalf: Double = .nan
    public var alphaHighHalf: Double = .nan
    public var lowHalfInterval: BootstrapInterval? = nil
    public var highHalfInterval: BootstrapInterval? = nil
    /// The interval of α_high − α_low (paired over the same resamples).
    public var halfDifferenceInterval: BootstrapInterval? = nil
    /// True when the two halves' intervals do not overlap: not a power law over this window.
    public var powerLawWarning: Bool = false
    /// L = E + A·N^(−α) (nil with no complete replicate).
    public var saturating: SaturatingFit? = nil
    /// Tasks of this cell excluded for status ≠ ok, or for a non-finite or non-positive loss.
    public var excludedDiverged: Int = 0
    public var excludedFailed: Int = 0
    public var excludedBadLoss: Int = 0
    /// Tasks of this cell absent from the records.
    public var missingTasks: Int = 0
    /// Replicates with some but not all N values usable (not used).
    public var incompleteReplicates: Int = 0
    /// Ok tasks whose oracle lr choice sat at a grid edge.
    public var lrAtGridEdge: Int = 0
    /// Fewer than `minimumReplicates` complete replicates: no interval.
    public var insufficientReplicates: Bool = false
    /// Human-readable remarks on this cell.
    public var notes: [String] = []
    /// Sensitivity of α, held-out check, model comparison and verdict (`Robustness.swift`).
    public var robustness: Robustness? = nil

    /// A cell with nothing measured yet: every number NaN, every count 0.
    public init(optimizer: OptimizerKind, s: Double) {
        self.optimizer = optimizer
        self.s = s
    }

    /// Reported bounds of α (BCa, or percentile on fallback); NaN without an interval.
    public var ciLow: Double { alphaInterval?.low ?? .nan }
    public var ciHigh: Double { alphaInterval?.high ?? .nan }
}

/// Mean and spread of L over replicates at one (optimizer, s, N), with the theory's L(N).
public struct LossCurvePoint: Equatable, Sendable {
    public var optimizer: OptimizerKind
    public var s: Double
    public var N: Int
    /// Usable (ok, finite, positive) losses at this N, over all replicates.
    public var count: Int
    public var meanLoss: Double
    /// Sample standard deviation (ddof 1; NaN when count < 2).
    public var stdLoss: Double
    public var meanLogLoss: Double
    public var stdLogLoss: Double
    /// Predicted L(N) (NaN where there is no theory).
    public var theoryLoss: Double
}

/// Counts over the whole record set.
public struct RecordTally: Equatable, Sendable {
    public var expectedTasks = 0
    public var records = 0
    public var used = 0
    public var diverged = 0
    public var failed = 0
    public var badLoss = 0
    public var missing = 0
    public var outsideGrid = 0
    public var duplicates = 0
    public var conflictingDuplicates = 0
    public var lrAtGridEdge = 0
    public init() {}
}

/// The full analysis of a sweep: the α table, the curves for figures, and notes.
public struct AnalysisReport: Equatable, Sendable {
    /// One row per (optimizer, s), optimizers in canonical order, then s ascending.
    public var rows: [AlphaRow]
    /// One point per (optimizer, s, N) in the same order, N ascending.
    public var curves: [LossCurvePoint]
    /// Whole-sweep remarks (excluded, missing, duplicate tasks).
    public var notes: [String]
    public var tally: RecordTally
    public var optimizers: [OptimizerKind]
    public var sValues: [Double]
    public var N: [Int]
    public var replicateCount: Int
    public var options: AnalysisOptions
    /// True when a theory provider was given.
    public var hasTheory: Bool

    /// The row of a cell.
    public func row(_ optimizer: OptimizerKind, s: Double) -> AlphaRow? {
        rows.first { $0.optimizer == optimizer && $0.s == s }
    }

    /// The curve of a cell, N ascending.
    public func curve(_ optimizer: OptimizerKind, s: Double) -> [LossCurvePoint] {
        curves.filter { $0.optimizer == optimizer && $0.s == s }
    }
}
