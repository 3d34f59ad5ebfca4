/// The five optimizers of SPEC §4, in the SPEC's table order (the canonical order of tasks,
/// tables and columns).
public enum OptimizerKind: String, CaseIterable, Codable, Sendable, Comparable {
    case gd = "GD"
    case adam = "Adam"
    case matSign = "MatSign"
    case sqrtNG = "SqrtNG"
    case ng = "NG"

    /// Position in the canonical order (a switch, not a search: it sorts millions of rows).
    public var canonicalIndex: Int {
        switch self {
        case .gd: return 0
        case .adam: return 1
        case .matSign: return 2
        case .sqrtNG: return 3
        case .ng: return 4
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.canonicalIndex < rhs.canonicalIndex }

    /// True for the optimizers whose peak learning rate is an oracle choice on a grid.
    public var searchesLearningRate: Bool { self == .adam || self == .matSign }
}
