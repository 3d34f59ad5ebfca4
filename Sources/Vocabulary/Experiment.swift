import Foundation

/// How the training data are drawn (SPEC §2).
public enum SamplerKind: String, Codable, Sendable, CaseIterable {
    /// Rows of (φ(x), y) drawn from their exact joint Gaussian law given (W, W*).
    case joint
    /// x drawn from N(0, Λ) and mapped through the random features.
    case direct
    /// The Gram blocks drawn from their Wishart law (Bartlett), without forming rows.
    case wishart
}

/// Learning rates 10^a for a = log10Min, log10Min + log10Step, …, log10Max.
public struct LogGrid: Codable, Equatable, Hashable, Sendable {
    public var log10Min: Double
    public var log10Max: Double
    public var log10Step: Double

    public init(log10Min: Double, log10Max: Double, log10Step: Double) {
        self.log10Min = log10Min
        self.log10Max = log10Max
        self.log10Step = log10Step
    }

    /// Number of grid points; 0 when the grid is empty or malformed, `Int.max` when it has
    /// more points than any machine could try (a step that is nearly 0).
    public var count: Int {
        guard log10Step > 0, log10Max >= log10Min, log10Min.isFinite, log10Max.isFinite else { return 0 }
        let points = ((log10Max - log10Min) / log10Step + 1e-9).rounded(.down)
        guard points < 1e15 else { return Int.max }
        return Int(points) + 1
    }

    /// The exponents a_i = log10Min + i·log10Step (by multiplication, not accumulation).
    public var exponents: [Double] { (0..<count).map { log10Min + Double($0) * log10Step } }

    /// The learning rates 10^a_i.
    public var values: [Double] { exponents.map { pow(10.0, $0) } }

    public static let adamDefault = LogGrid(log10Min: -2, log10Max: 2, log10Step: 0.25)
    public static let matSignDefault = LogGrid(log10Min: -2, log10Max: 3, log10Step: 0.25)
}

/// The experiment: every parameter of SPEC §1–5 that can change a task's result (the grid
/// excluded). Defaults are the SPEC's.
public struct Experiment: Codable, Equatable, Hashable, Sendable {
    /// Latent dimension D.
    public var D: Int = 2048
    /// Teacher outputs K.
    public var K: Int = 8
    /// Teacher coefficient decay: W*[k, o] ~ N(0, k^-β).
    public var beta: Double = 0
    /// Label-noise standard deviation σ.
    public var sigma: Double = 0.3
    /// Training samples n.
    public var n: Int = 8192
    /// Optimizer steps T (the same budget for every optimizer).
    public var T: Int = 16
    public var sampler: SamplerKind = .joint
    /// The master seed of the counter-based generator (SPEC §5).
    public var masterSeed: UInt64 = 20260501
    public var adamLR: LogGrid = .adamDefault
    public var matSignLR: LogGrid = .matSignDefault

    public init() {}
}
