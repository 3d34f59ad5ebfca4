import Foundation

/// An optimizer of SPEC §4: one of the five named ones, or a member `Precond(p)` of the
/// optional preconditioner family (θ ← θ − η (F + εI)^(−p) g, 0 ≤ p ≤ 1).
///
/// Its spec name (`rawValue`: "GD", "Precond(0.25)") is its identity everywhere: spec files,
/// the results file's `optimizer` column, grids, tables. The canonical order is the SPEC's
/// table order, with `Precond(p)` last and by increasing p.
public struct OptimizerKind: Hashable, Codable, Sendable, Comparable, CustomStringConvertible {
    /// The optimizer's family: the five fixed optimizers and the Precond family.
    public enum Family: String, Sendable, CaseIterable {
        case gd = "GD"
        case adam = "Adam"
        case matSign = "MatSign"
        case sqrtNG = "SqrtNG"
        case ng = "NG"
        case precond = "Precond"
    }

    public let family: Family
    /// The preconditioner's power p of `Precond(p)`; 0 for every other family.
    public let power: Double

    private init(family: Family, power: Double = 0) {
        self.family = family
        self.power = power
    }

    public static let gd = OptimizerKind(family: .gd)
    public static let adam = OptimizerKind(family: .adam)
    public static let matSign = OptimizerKind(family: .matSign)
    public static let sqrtNG = OptimizerKind(family: .sqrtNG)
    public static let ng = OptimizerKind(family: .ng)

    /// `Precond(p)`; nil unless 0 ≤ p ≤ 1. −0 is stored as 0, so that one power has one name.
    public static func precond(_ p: Double) -> OptimizerKind? {
        guard p.isFinite, p >= 0, p <= 1 else { return nil }
        return OptimizerKind(family: .precond, power: p == 0 ? 0 : p)
    }

    /// The five optimizers of SPEC §4's table (the default `optimizers` of a sweep).
    public static let allCases: [OptimizerKind] = [.gd, .adam, .matSign, .sqrtNG, .ng]

    /// The spec name: "GD", …, "NG", or "Precond(p)" with p as its shortest round-tripping
    /// decimal ("Precond(0.25)", "Precond(1.0)").
    public var rawValue: String {
        family == .precond ? "Precond(\(power))" : family.rawValue
    }

    /// The optimizer a spec name names; nil for an unknown name or a power outside 0…1.
    public init?(rawValue text: String) {
        if let fixed = Family(rawValue: text), fixed != .precond {
            self.init(family: fixed)
            return
        }
        guard text.hasPrefix("Precond("), text.hasSuffix(")") else { return nil }
        let inner = text.dropFirst("Precond(".count).dropLast()
        guard !inner.contains(where: \.isWhitespace), let p = Double(inner), let kind = Self.precond(p) else { return nil }
        self = kind
    }

    public var description: String { rawValue }

    /// Position of the family in the canonical order (a switch, not a search: it sorts
    /// millions of rows).
    public var canonicalIndex: Int {
        switch family {
        case .gd: return 0
        case .adam: return 1
        case .matSign: return 2
        case .sqrtNG: return 3
        case .ng: return 4
        case .precond: return 5
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.canonicalIndex != rhs.canonicalIndex ? lhs.canonicalIndex < rhs.canonicalIndex : lhs.power < rhs.power
    }

    /// True for the optimizers whose peak learning rate is an oracle choice on a grid.
    public var searchesLearningRate: Bool { family == .adam || family == .matSign }

    /// True for the linear iterations from Θ = 0 (GD, SqrtNG, NG, Precond(p)): exact spectral
    /// filters, covered by the theory of SPEC §7.
    public var isSpectralFilter: Bool { !searchesLearningRate }

    // Encoded as its spec name, as the enum of earlier versions was.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let kind = OptimizerKind(rawValue: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown optimizer '\(text)'")
        }
        self = kind
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
