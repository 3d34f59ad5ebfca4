/// Which tasks a sweep runs: every optimizer on every instance (s, N, replicate) of the grid.
public struct SweepGrid: Equatable, Hashable, Sendable {
    /// Feature counts N (ascending, distinct).
    public var N: [Int]
    /// Spectral decays s (ascending, distinct).
    public var s: [Double]
    /// Replicate indices (a spec's `seeds: K` is 0..<K).
    public var replicates: Range<Int>
    /// Optimizers, in canonical order.
    public var optimizers: [OptimizerKind]

    public init(N: [Int] = [16, 32, 64, 128, 256, 512, 1024],
                s: [Double] = [0.5, 0.75, 1.0, 1.25, 1.5, 2.0],
                replicates: Range<Int> = 0..<16,
                optimizers: [OptimizerKind] = OptimizerKind.allCases) {
        self.N = N
        self.s = s
        self.replicates = replicates
        self.optimizers = optimizers
    }

    /// Every instance of the grid in canonical order (s, then N, then replicate).
    public var instances: [InstanceKey] {
        var keys: [InstanceKey] = []
        keys.reserveCapacity(instanceCount)
        for sv in s { for nv in N { for r in replicates { keys.append(InstanceKey(s: sv, N: nv, replicate: r)) } } }
        return keys
    }

    /// Every task of the grid in canonical order.
    public var tasks: [TaskKey] {
        instances.flatMap { instance in optimizers.map { TaskKey(optimizer: $0, instance: instance) } }
    }

    public var instanceCount: Int { s.count * N.count * replicates.count }
    public var taskCount: Int { instanceCount * optimizers.count }

    /// True when `key` is one of the grid's tasks.
    public func contains(_ key: TaskKey) -> Bool {
        replicates.contains(key.replicate) && N.contains(key.N) && s.contains(key.s) && optimizers.contains(key.optimizer)
    }
}

/// A sweep: one experiment run over one grid (what a spec file says).
public struct SweepSpec: Equatable, Sendable {
    public var experiment: Experiment
    public var grid: SweepGrid

    public init(experiment: Experiment = Experiment(), grid: SweepGrid = SweepGrid()) {
        self.experiment = experiment
        self.grid = grid
    }
}
