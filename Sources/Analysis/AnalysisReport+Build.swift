import Foundation
import Numerics
import Vocabulary

extension AnalysisReport {
    /// Analyses a sweep's task records.
    ///
    /// - Parameters:
    ///   - spec: the sweep; its grid (optimizers, s, N, replicates) defines the
    ///     expected tasks and the N grid every α is fitted over.
    ///   - records: the results file's rows, in any order; may be partial. Records outside the
    ///     grid are ignored; duplicates keep the first record (conflicting ones are noted).
    ///   - theory: predicted L(N) per (optimizer, s, N), or nil.
    ///   - options: bootstrap and fit settings.
    ///   - expects: which tasks of `spec`'s grid the records should hold (nil: all); tasks it
    ///     does not expect are not counted missing (a file grown by grids that are not one
    ///     Cartesian product).
    ///
    /// ```swift
    /// let report = AnalysisReport(spec: spec, records: records, theory: { opt, s, N in
    ///     theoryModel.loss(opt, s: s, N: N)
    /// })
    /// print(report.renderTable())
    /// ```
    public init(spec: SweepSpec, records: [TaskRecord], theory: TheoryProvider? = nil,
                options: AnalysisOptions = AnalysisOptions(), expects: ((TaskKey) -> Bool)? = nil) {
        let grid = CellGrid(spec: spec, records: records, expects: expects)
        var rows: [AlphaRow] = []
        var curves: [LossCurvePoint] = []
        let gdIndex = spec.grid.optimizers.firstIndex(of: .gd)

        // Theory per (optimizer, s, N), evaluated once.
        var theoryLoss: [[[Double]]] = []
        for optimizer in spec.grid.optimizers {
            theoryLoss.append(spec.grid.s.map { s in
                spec.grid.N.map { n in
                    guard let value = theory?(optimizer, s, n), value.isFinite, value > 0 else { return .nan }
                    return value
                }
            })
        }

        for (o, optimizer) in spec.grid.optimizers.enumerated() {
            for (si, s) in spec.grid.s.enumerated() {
                let cell = grid.cells[o][si]
                rows.append(Self.analyseCell(
                    optimizer: optimizer, s: s, cell: cell,
                    gdCell: (gdIndex != nil && gdIndex != o) ? grid.cells[gdIndex!][si] : nil,
                    hasGD: gdIndex != nil, N: spec.grid.N, theory: theoryLoss[o][si], options: options))
                for (j, n) in spec.grid.N.enumerated() {
                    curves.append(Self.curvePoint(optimizer: optimizer, s: s, N: n,
                                                  losses: cell.lossesAt(j), theory: theoryLoss[o][si][j]))
                }
            }
        }

        self.rows = rows
        self.curves = curves
        self.tally = grid.tally
        self.notes = Self.globalNotes(grid.tally, spec: spec, options: options,
                                      rows: rows, hasTheory: theory != nil) + Self.spectrumNotes(spec)
        self.optimizers = spec.grid.optimizers
        self.sValues = spec.grid.s
        self.N = spec.grid.N
        self.replicateCount = spec.grid.replicates.count
        self.options = options
        self.hasTheory = theory != nil
    }

    // MARK: - One cell

    static func analyseCell(optimizer: OptimizerKind, s: Double, cell: Cell, gdCell: Cell?,
                            hasGD: Bool, N: [Int], theory: [Double],
                            options: AnalysisOptions) -> AlphaRow {
        let complete = cell.completeReplicates
        var row = AlphaRow(optimizer: optimizer, s: s)
        row.nReplicates = complete.count
        row.excludedDiverged = cell.diverged
        row.excludedFailed = cell.failed
        row.excludedBadLoss = cell.badLoss
        row.missingTasks = cell.missing
        row.incompleteReplicates = cell.incompleteReplicates
        row.lrAtGridEdge = cell.lrAtGridEdge
        row.insufficientReplicates = complete.count < options.minimumReplicates
        row.notes = exclusionNotes(cell)
        let halves = ReplicateLogLosses.halves(count: N.count)
        fitTheory(theory, N: N, halves: halves, into: &row)
        guard !complete.isEmpty else {
            row.notes.append("no complete replicate: no α")
            return row
        }
        fitMeasurement(cell, complete: complete, N: N, halves: halves, options: options, into: &row)
        row.robustness = Robustness(curves: ReplicateLogLosses(N: N, losses: complete.map { cell.losses[$0].map { $0! } }),
                                    N: N, powerLawWarning: row.powerLawWarning, options: options)
        if optimizer != .gd {
            if let gd = gdCell {
                fitGap(cell, against: gd, complete: complete, N: N, options: options, into: &row)
            } else if !hasGD {
                row.notes.append("gap: GD not in the sweep")
            }
        }
        return row
    }

    /// What was left out of a cell, and why.
    static func exclusionNotes(_ cell: Cell) -> [String] {
        var notes: [String] = []
        if cell.diverged > 0 { notes.append("excluded \(cell.diverged) diverged task\(plural(cell.diverged))") }
        if cell.failed > 0 { notes.append("excluded \(cell.failed) failed task\(plural(cell.failed))") }
        if cell.badLoss > 0 {
            notes.append("excluded \(cell.badLoss) ok task\(plural(cell.badLoss)) with a non-finite or non-positive loss")
        }
        if cell.missing > 0 { notes.append("\(cell.missing) task\(plural(cell.missing)) missing from the records") }
        if cell.incompleteReplicates > 0 {
            notes.append("\(cell.incompleteReplicates) incomplete replicate\(plural(cell.incompleteReplicates)) (not every N usable) left out")
        }
        if cell.lrAtGridEdge > 0 {
            notes.append("\(cell.lrAtGridEdge) task\(plural(cell.lrAtGridEdge)) chose a learning rate at the grid edge")
        }
        return notes
    }

    /// The exponents of the theory's L(N), over the whole grid and its halves.
    static func fitTheory(_ theory: [Double], N: [Int], halves: (lower: Range<Int>, upper: Range<Int>)?,
                          into row: inout AlphaRow) {
        guard !theory.isEmpty, theory.allSatisfy(\.isFinite) else { return }
        let curve = ReplicateLogLosses(N: N, losses: [theory])
        row.alphaTheory = curve.alpha(replicates: [0], window: 0..<N.count)
        if let h = halves {
            row.alphaTheoryLowHalf = curve.alpha(replicates: [0], window: h.lower)
            row.alphaTheoryHighHalf = curve.alpha(replicates: [0], window: h.upper)
        }
    }

    /// α, the local exponents, the saturating fit and their bootstrap intervals.
    static func fitMeasurement(_ cell: Cell, complete: [Int], N: [Int], halves: (lower: Range<Int>, upper: Range<Int>)?,
                               options: AnalysisOptions, into row: inout AlphaRow) {
        let full = 0..<N.count
        let curves = ReplicateLogLosses(N: N, losses: complete.map { cell.losses[$0].map { $0! } })
        let all = Array(0..<curves.replicateCount)
        row.alpha = curves.alpha(replicates: all, window: full)
        row.fitLogIntercept = curves.fit()?.intercept ?? .nan
        if let h = halves {
            row.alphaLowHalf = curves.alpha(replicates: all, window: h.lower)
            row.alphaHighHalf = curves.alpha(replicates: all, window: h.upper)
        }
        row.saturating = SaturatingFit.fit(N: N, meanLogLoss: curves.meanLogLoss, huberDelta: options.huberDelta)
        guard complete.count >= options.minimumReplicates else {
            row.notes.append("only \(complete.count) complete replicate\(plural(complete.count)) (< \(options.minimumReplicates)): no CI")
            return
        }
        let intervals = options.bootstrap.intervals(replicateCount: curves.replicateCount) { idx in
            let a = curves.alpha(replicates: idx, window: full)
            guard let h = halves else { return [a] }
            let lo = curves.alpha(replicates: idx, window: h.lower)
            let hi = curves.alpha(replicates: idx, window: h.upper)
            return [a, lo, hi, hi - lo]
        }
        row.alphaInterval = intervals[0]
        if let reason = intervals[0].degeneracy { row.notes.append("α: BCa degenerate (\(reason.rawValue)); percentile interval reported") }
        guard halves != nil else { return }
        row.lowHalfInterval = intervals[1]
        row.highHalfInterval = intervals[2]
        row.halfDifferenceInterval = intervals[3]
        let (l, u) = (intervals[1], intervals[2])
        if l.high < u.low || u.high < l.low {
            row.powerLawWarning = true
            let f = { (v: Double) in String(format: "%.3f", v) }
            row.notes.append("not a power law over N = \(N.first!)…\(N.last!): α on the lower half "
                             + "\(f(l.estimate)) [\(f(l.low)), \(f(l.high))], on the upper half "
                             + "\(f(u.estimate)) [\(f(u.low)), \(f(u.high))]")
        }
    }

    /// The gap α − α_GD, paired over the replicates complete for both.
    static func fitGap(_ cell: Cell, against gd: Cell, complete: [Int], N: [Int], options: AnalysisOptions,
                       into row: inout AlphaRow) {
        let name = row.optimizer.rawValue
        let common = Set(complete).intersection(gd.completeReplicates).sorted()
        row.gapReplicates = common.count
        guard !common.isEmpty else {
            row.notes.append("gap: no replicate complete for both \(name) and GD")
            return
        }
        let full = 0..<N.count
        let mine = ReplicateLogLosses(N: N, losses: common.map { cell.losses[$0].map { $0! } })
        let theirs = ReplicateLogLosses(N: N, losses: common.map { gd.losses[$0].map { $0! } })
        let gap: ([Int]) -> Double = { idx in
            mine.alpha(replicates: idx, window: full) - theirs.alpha(replicates: idx, window: full)
        }
        row.gapVsGD = gap(Array(0..<common.count))
        if common.count >= options.minimumReplicates {
            let interval = options.bootstrap.interval(replicateCount: common.count, statistic: gap)
            row.gapInterval = interval
            if let reason = interval.degeneracy {
                row.notes.append("gap: BCa degenerate (\(reason.rawValue)); percentile interval reported")
            }
        } else {
            row.notes.append("gap: only \(common.count) replicate\(plural(common.count)) complete for both \(name) and GD: no CI")
        }
        if common.count < complete.count {
            row.notes.append("gap uses the \(common.count) replicates complete for both \(name) and GD")
        }
    }

    static func curvePoint(optimizer: OptimizerKind, s: Double, N: Int, losses: [Double],
                           theory: Double) -> LossCurvePoint {
        let logs = losses.map { log($0) }
        return LossCurvePoint(optimizer: optimizer, s: s, N: N, count: losses.count,
                              meanLoss: Summary.mean(losses), stdLoss: Summary.standardDeviation(losses),
                              meanLogLoss: Summary.mean(logs), stdLogLoss: Summary.standardDeviation(logs),
                              theoryLoss: theory)
    }

    static func globalNotes(_ t: RecordTally, spec: SweepSpec, options: AnalysisOptions,
                            rows: [AlphaRow], hasTheory: Bool) -> [String] {
        var notes: [String] = []
        if options.resamples < ReplicateBootstrap.defaultResamples {
            notes.append("bootstrap with B = \(options.resamples) resamples, below SPEC §6's minimum of \(ReplicateBootstrap.defaultResamples)")
        }
        if t.diverged > 0 { notes.append("excluded \(t.diverged) diverged task\(plural(t.diverged))") }
        if t.failed > 0 { notes.append("excluded \(t.failed) failed task\(plural(t.failed))") }
        if t.badLoss > 0 { notes.append("excluded \(t.badLoss) ok task\(plural(t.badLoss)) with a non-finite or non-positive loss") }
        if t.missing > 0 {
            notes.append("partial results: \(t.missing) of \(t.expectedTasks) tasks missing; only replicates complete over the N grid are used")
        }
        if t.outsideGrid > 0 { notes.append("ignored \(t.outsideGrid) record\(plural(t.outsideGrid)) outside the sweep's grid") }
        if t.duplicates > 0 { notes.append("ignored \(t.duplicates) identical duplicate record\(plural(t.duplicates))") }
        if t.conflictingDuplicates > 0 {
            notes.append("\(t.conflictingDuplicates) conflicting duplicate record\(plural(t.conflictingDuplicates)) (same task, different result): kept the first")
        }
        if t.lrAtGridEdge > 0 { notes.append("\(t.lrAtGridEdge) task\(plural(t.lrAtGridEdge)) chose a learning rate at the edge of its grid") }
        let counts = Set(rows.filter { $0.nReplicates > 0 }.map(\.nReplicates))
        if counts.count > 1 {
            notes.append("cells differ in complete replicates (\(counts.min()!)…\(counts.max()!)): n_replicates is per cell")
        }
        let few = rows.filter { $0.insufficientReplicates }
        if !few.isEmpty {
            notes.append("\(few.count) cell\(plural(few.count)) with fewer than \(options.minimumReplicates) complete replicates: no CI")
        }
        let warned = rows.filter { $0.powerLawWarning }
        if !warned.isEmpty {
            let list = warned.map { "\($0.optimizer.rawValue) s=\(formatS($0.s))" }.joined(separator: ", ")
            notes.append("not a power law (lower- and upper-half α intervals disjoint): \(list)")
        }
        let fallbacks = rows.filter { $0.alphaInterval?.method == .percentile || $0.gapInterval?.method == .percentile }
        if !fallbacks.isEmpty {
            notes.append("\(fallbacks.count) cell\(plural(fallbacks.count)) fell back to the percentile interval (BCa degenerate)")
        }
        return notes
    }
}

// MARK: - Gathering records into cells

/// One (optimizer, s) cell's records arranged as replicate × N.
struct Cell {
    /// `losses[r][j]`: the usable loss of replicate r at the j-th N, nil when absent or excluded.
    var losses: [[Double?]]
    var diverged = 0
    var failed = 0
    var badLoss = 0
    var missing = 0
    var lrAtGridEdge = 0

    init(replicates: Int, nCount: Int) {
        losses = Array(repeating: Array(repeating: nil, count: nCount), count: replicates)
    }

    /// Replicates with a usable loss at every N, ascending.
    var completeReplicates: [Int] {
        losses.indices.filter { r in losses[r].allSatisfy { $0 != nil } }
    }

    /// Replicates with some but not all N usable.
    var incompleteReplicates: Int {
        losses.filter { row in row.contains { $0 != nil } && row.contains { $0 == nil } }.count
    }

    /// All usable losses at the j-th N.
    func lossesAt(_ j: Int) -> [Double] { losses.compactMap { $0[j] } }
}

/// The records of a sweep sorted into cells, with the whole-sweep tally.
struct CellGrid {
    var cells: [[Cell]]
    var tally = RecordTally()

    init(spec: SweepSpec, records: [TaskRecord], expects: ((TaskKey) -> Bool)? = nil) {
        let replicates = spec.grid.replicates
        cells = spec.grid.optimizers.map { _ in spec.grid.s.map { _ in Cell(replicates: replicates.count, nCount: spec.grid.N.count) } }
        tally.expectedTasks = spec.grid.taskCount
        tally.records = records.count
        var seen: [TaskKey: TaskRecord] = [:]
        var present = spec.grid.optimizers.map { _ in spec.grid.s.map { _ in
            Array(repeating: Array(repeating: false, count: spec.grid.N.count), count: spec.grid.replicates.count)
        } }

        for record in records {
            let key = record.key
            guard let o = spec.grid.optimizers.firstIndex(of: key.optimizer),
                  let si = Self.index(of: key.s, in: spec.grid.s),
                  let j = spec.grid.N.firstIndex(of: key.N),
                  replicates.contains(key.replicate) else {
                tally.outsideGrid += 1
                continue
            }
            if let earlier = seen[key] {
                if earlier.hasSameResult(as: record) { tally.duplicates += 1 } else { tally.conflictingDuplicates += 1 }
                continue
            }
            seen[key] = record
            let r = key.replicate - replicates.lowerBound
            present[o][si][r][j] = true
            let outcome = record.outcome
            switch outcome.status {
            case .diverged:
                cells[o][si].diverged += 1
                tally.diverged += 1
            case .failed:
                cells[o][si].failed += 1
                tally.failed += 1
            case .ok:
                guard outcome.testLoss.isFinite, outcome.testLoss > 0 else {
                    cells[o][si].badLoss += 1
                    tally.badLoss += 1
                    continue
                }
                cells[o][si].losses[r][j] = outcome.testLoss
                tally.used += 1
                if outcome.lrAtGridEdge {
                    cells[o][si].lrAtGridEdge += 1
                    tally.lrAtGridEdge += 1
                }
            }
        }
        for o in cells.indices {
            for si in cells[o].indices {
                var missing = 0
                for (r, row) in present[o][si].enumerated() {
                    for (j, isPresent) in row.enumerated() where !isPresent {
                        let key = TaskKey(optimizer: spec.grid.optimizers[o], s: spec.grid.s[si], N: spec.grid.N[j],
                                          replicate: replicates.lowerBound + r)
                        if expects?(key) ?? true { missing += 1 }
                    }
                }
                cells[o][si].missing = missing
                tally.missing += missing
            }
        }
        if expects != nil { tally.expectedTasks = tally.records - tally.outsideGrid - tally.duplicates - tally.conflictingDuplicates + tally.missing }
    }

    /// The index of s in the grid: exact match, else within 1e-9 relative (values that went
    /// through a text round trip).
    static func index(of s: Double, in grid: [Double]) -> Int? {
        if let i = grid.firstIndex(of: s) { return i }
        return grid.firstIndex { abs($0 - s) <= 1e-9 * max(1, abs($0)) }
    }
}

// MARK: - Small helpers

func plural(_ n: Int) -> String { n == 1 ? "" : "s" }

/// s as written in tables: shortest form ("0.5", "1", "1.25").
func formatS(_ s: Double) -> String {
    if s == s.rounded(), abs(s) < 1e15 { return String(Int(s)) }
    return "\(s)"
}
