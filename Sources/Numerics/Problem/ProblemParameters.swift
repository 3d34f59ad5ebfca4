import Foundation

/// The vocabulary of the experiment in shared/SPEC.md, shared by every module.
///
/// - *instance*: one draw of (W, W*, training data) for a key (s, N, replicate); all five
///   optimizers train on the same instance (a paired design).
/// - *task*: one optimizer trained on one instance.

/// The five optimizer variants of SPEC §4.
public enum OptimizerKind: String, CaseIterable, Codable, Sendable, Comparable {
    case gd = "GD"
    case adam = "Adam"
    case matSign = "MatSign"
    case sqrtNG = "SqrtNG"
    case ng = "NG"

    /// The canonical order (SPEC §4 table order) used for task indices and tables.
    public var canonicalIndex: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.canonicalIndex < rhs.canonicalIndex }

    /// True for the optimizers whose peak learning rate is an oracle choice on a grid.
    public var searchesLearningRate: Bool { self == .adam || self == .matSign }
}

/// How the n training rows of (Φ, Y) are drawn (SPEC §2).
public enum SamplerKind: String, Codable, Sendable, CaseIterable {
    /// Rows drawn from the exact joint Gaussian law of (φ(x), y) given (W, W*).
    case joint
    /// x drawn from N(0, Λ) and mapped through the random features.
    case direct
}

/// A grid of learning rates 10^a for a = log10Min, log10Min + log10Step, …, log10Max.
public struct LogGrid: Codable, Equatable, Hashable, Sendable {
    public var log10Min: Double
    public var log10Max: Double
    public var log10Step: Double

    public init(log10Min: Double, log10Max: Double, log10Step: Double) {
        self.log10Min = log10Min
        self.log10Max = log10Max
        self.log10Step = log10Step
    }

    /// Number of grid points; 0 when the grid is empty or malformed.
    public var count: Int {
        guard log10Step > 0, log10Max >= log10Min, log10Min.isFinite, log10Max.isFinite else { return 0 }
        return Int(((log10Max - log10Min) / log10Step + 1e-9).rounded(.down)) + 1
    }

    /// The exponents a_i = log10Min + i·log10Step (computed by multiplication, not accumulation).
    public var exponents: [Double] { (0..<count).map { log10Min + Double($0) * log10Step } }

    /// The learning rates 10^a_i.
    public var values: [Double] { exponents.map { pow(10.0, $0) } }

    public static let adamDefault = LogGrid(log10Min: -2, log10Max: 2, log10Step: 0.25)
    public static let matSignDefault = LogGrid(log10Min: -2, log10Max: 3, log10Step: 0.25)
}

/// Every parameter of SPEC §1–5 that fixes an instance and its training (the grids excluded).
public struct ProblemParameters: Codable, Equatable, Hashable, Sendable {
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

/// The key of one problem instance (SPEC §5): the instance depends on (master seed, s, N,
/// replicate) only, never on the optimizer, the rank or the order of work.
public struct InstanceKey: Hashable, Codable, Sendable, CustomStringConvertible {
    public var s: Double
    public var N: Int
    public var replicate: Int

    public init(s: Double, N: Int, replicate: Int) {
        self.s = s
        self.N = N
        self.replicate = replicate
    }

    public var description: String { "(s=\(s), N=\(N), replicate=\(replicate))" }
}

/// What training one optimizer on one instance produced.
public struct TrainingOutcome: Equatable, Sendable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case ok, diverged, failed
    }
    /// Exact population excess risk L of SPEC §3 (NaN when not finite).
    public var testLoss: Double
    /// Final training loss (1/2nK)‖ΦΘ − Y‖²_F.
    public var trainLoss: Double
    /// The step size used: the chosen peak lr for Adam and MatSign, η for GD, SqrtNG and NG.
    public var lr: Double
    /// True when the oracle lr choice sits at either end of its grid.
    public var lrAtGridEdge: Bool
    public var status: Status
    /// Empty when status is ok; otherwise what went wrong, in one line.
    public var message: String

    public init(testLoss: Double, trainLoss: Double, lr: Double, lrAtGridEdge: Bool,
                status: Status, message: String = "") {
        self.testLoss = testLoss
        self.trainLoss = trainLoss
        self.lr = lr
        self.lrAtGridEdge = lrAtGridEdge
        self.status = status
        self.message = message
    }
}
