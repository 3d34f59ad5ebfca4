import Numerics

/// A sweep: the grid (optimizer, s, N, replicate) over one set of problem parameters.
/// Loaded from YAML (see `SweepSpec+YAML.swift`), validated on load.
public struct SweepSpec: Equatable, Sendable {
    public var problem: ProblemParameters
    /// Feature counts N (ascending, distinct).
    public var N: [Int]
    /// Spectral decays s (ascending, distinct).
    public var s: [Double]
    /// Replicates 0..<seeds.
    public var seeds: Int
    /// Optimizers, in canonical order.
    public var optimizers: [OptimizerKind]

    public init(problem: ProblemParameters = ProblemParameters(),
                N: [Int] = [16, 32, 64, 128, 256, 512, 1024],
                s: [Double] = [0.5, 0.75, 1.0, 1.25, 1.5, 2.0],
                seeds: Int = 16,
                optimizers: [OptimizerKind] = OptimizerKind.allCases) {
        self.problem = problem
        self.N = N
        self.s = s
        self.seeds = seeds
        self.optimizers = optimizers
    }

    /// Every instance of the sweep in canonical order (s, then N, then replicate).
    public var instances: [InstanceKey] {
        var keys: [InstanceKey] = []
        keys.reserveCapacity(s.count * N.count * seeds)
        for sv in s { for nv in N { for r in 0..<seeds { keys.append(InstanceKey(s: sv, N: nv, replicate: r)) } } }
        return keys
    }

    /// Every task of the sweep in canonical order.
    public var tasks: [TaskKey] {
        instances.flatMap { instance in optimizers.map { TaskKey(optimizer: $0, instance: instance) } }
    }

    public var taskCount: Int { s.count * N.count * seeds * optimizers.count }
}
