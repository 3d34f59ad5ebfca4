/// The tasks of several grids together (the runs of a grown archive), counted without listing
/// them: a grid is a Cartesian product, the intersection of two is one too, so the size of a
/// union follows by inclusion–exclusion. A sweep of 5·10⁷ tasks is counted in microseconds.
public struct GridUnion: Sendable {
    /// The distinct grids, in the order given.
    public let grids: [SweepGrid]

    public init(_ grids: [SweepGrid]) {
        var distinct: [SweepGrid] = []
        for grid in grids where !distinct.contains(grid) { distinct.append(grid) }
        self.grids = distinct
    }

    /// The smallest grid holding every task.
    public var hull: SweepGrid { SweepGrid.hull(grids) }

    public func contains(_ key: TaskKey) -> Bool { grids.contains { $0.contains(key) } }

    /// Tasks of the union, optionally only those with the given optimizer, s, N or replicate.
    public func count(optimizer: OptimizerKind? = nil, s: Double? = nil, N: Int? = nil, replicate: Int? = nil) -> Int {
        let restricted = grids.map { $0.restricted(optimizer: optimizer, s: s, N: N, replicate: replicate) }
            .filter { $0.taskCount > 0 }
        guard restricted.count > 1 else { return restricted.first?.taskCount ?? 0 }
        // Inclusion–exclusion over the subsets (the grids of an archive are few).
        precondition(restricted.count <= 20, "a union of \(restricted.count) grids is counted by listing it")
        var total = 0
        for mask in 1..<(1 << restricted.count) {
            var common: SweepGrid?
            for (i, grid) in restricted.enumerated() where mask & (1 << i) != 0 {
                common = common.map { $0.intersection(grid) } ?? grid
            }
            total += (mask.nonzeroBitCount % 2 == 1 ? 1 : -1) * common!.taskCount
        }
        return total
    }

    /// The tasks of the union in canonical order, one at a time (nothing is stored).
    public var tasks: some Sequence<TaskKey> {
        hull.taskSequence.lazy.filter { self.contains($0) }
    }
}

extension SweepGrid {
    /// The tasks two grids share (a grid itself).
    public func intersection(_ other: SweepGrid) -> SweepGrid {
        let low = Swift.max(replicates.lowerBound, other.replicates.lowerBound)
        let high = Swift.min(replicates.upperBound, other.replicates.upperBound)
        return SweepGrid(N: N.filter(other.N.contains), s: s.filter(other.s.contains),
                         replicates: low < high ? low..<high : 0..<0, optimizers: optimizers.filter(other.optimizers.contains))
    }

    /// The grid cut to one value of each given axis.
    public func restricted(optimizer: OptimizerKind? = nil, s value: Double? = nil, N n: Int? = nil, replicate: Int? = nil) -> SweepGrid {
        var out = self
        if let optimizer { out.optimizers = optimizers.contains(optimizer) ? [optimizer] : [] }
        if let value { out.s = s.contains(value) ? [value] : [] }
        if let n { out.N = N.contains(n) ? [n] : [] }
        if let replicate { out.replicates = replicates.contains(replicate) ? replicate..<(replicate + 1) : 0..<0 }
        return out
    }

    /// The grid's tasks in canonical order, one at a time.
    public var taskSequence: some Sequence<TaskKey> {
        let grid = self
        return grid.s.lazy.flatMap { s in
            grid.N.lazy.flatMap { n in
                grid.replicates.lazy.flatMap { r in
                    grid.optimizers.lazy.map { TaskKey(optimizer: $0, s: s, N: n, replicate: r) }
                }
            }
        }
    }
}
