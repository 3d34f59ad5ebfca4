import Vocabulary

/// The `/grid` group: the rows of `/results` as labelled 4-D arrays over (optimizer, s, N,
/// replicate), for xarray (`xr.open_dataset(file, group="grid", engine="h5netcdf")`) and any
/// netCDF-4 reader. Derived from the rows on every snapshot, never read back: `/results`
/// stays the record of truth, and files without `/grid` (written before it) lose nothing.
enum GridView {
    /// The group's attributes (netCDF/CF conventions; `Conventions` names them).
    static let attributes: [String: String] = [
        "Conventions": "CF-1.8",
        "title": "alphasweep task results on the sweep grid",
        "comment": "One cell per task (optimizer, s, N, replicate) of the file's grid and rows; "
            + "cells without a row hold NaN (numbers) and \"\" (status). The flat table is /results.",
    ]

    /// CRC-32 over the dimensions' then the variables' values, each in name order, as
    /// `/results`' checksum (little-endian numbers, NUL-padded strings). The text dimension
    /// (optimizer) is left out: it is variable-length, in HDF5's global heap, which has no
    /// checksum and can crash HDF5 when damaged, so alphasweep never reads it back.
    static func checksum(dimensions: [(String, ColumnValues)], variables: [(String, ColumnValues)]) -> UInt32 {
        let fixed = dimensions.filter { if case .text = $0.1 { return false } else { return true } }
        return Snapshot.checksum(fixed.sorted { $0.0 < $1.0 } + variables.sorted { $0.0 < $1.0 })
    }

    static func checksum(_ arrays: LabelledArrays) -> UInt32 {
        checksum(dimensions: arrays.dimensions.map { ($0.name, $0.values) }, variables: arrays.variables.map { ($0.name, $0.values) })
    }

    /// The most cells a view may have per row: a shard of a large sweep, a run just started,
    /// or a union of far-apart grids (replicates 0..2 and 1000..1002) would make a view of
    /// mostly empty cells, and its memory and bytes would grow with the grid, not the rows.
    /// Such a view is left out (a run's file gets it once its rows fill a quarter of the grid).
    static let maximumCellsPerRow = 4
    static let maximumCells = 20_000_000

    /// The labelled arrays of `records` over the axes of `grid` (the hull of the file's runs)
    /// together with any values the rows hold outside it; nil when that product has more than
    /// `maximumCellsPerRow` cells per row (beyond a few thousand) or `maximumCells`.
    static func arrays(records: [TaskRecord], grid: SweepGrid?) -> LabelledArrays? {
        // From the grid and the rows, not `OptimizerKind.allCases`: Precond(p) has a member per p.
        let optimizers = Array(Set(records.map(\.key.optimizer)).union(grid?.optimizers ?? [])).sorted()
        let sValues = Array(Set(records.map(\.key.s)).union(grid?.s ?? [])).sorted()
        let nValues = Array(Set(records.map(\.key.N)).union(grid?.N ?? [])).sorted()
        let replicates = Array(Set(records.map(\.key.replicate)).union(grid.map { Array($0.replicates) } ?? [])).sorted()

        let optimizerIndex = Dictionary(uniqueKeysWithValues: optimizers.enumerated().map { ($1, $0) })
        let sIndex = Dictionary(uniqueKeysWithValues: sValues.enumerated().map { ($1, $0) })
        let nIndex = Dictionary(uniqueKeysWithValues: nValues.enumerated().map { ($1, $0) })
        let replicateIndex = Dictionary(uniqueKeysWithValues: replicates.enumerated().map { ($1, $0) })
        let cells = optimizers.count * sValues.count * nValues.count * replicates.count
        guard cells <= maximumCells, cells <= maximumCellsPerRow * records.count + 4096 else { return nil }
        var testLoss = [Double](repeating: .nan, count: cells)
        var trainLoss = testLoss, lr = testLoss, wall = testLoss
        var status = [String](repeating: "", count: cells)
        for record in records {
            let k = record.key
            let cell = ((optimizerIndex[k.optimizer]! * sValues.count + sIndex[k.s]!) * nValues.count + nIndex[k.N]!)
                * replicates.count + replicateIndex[k.replicate]!
            testLoss[cell] = record.outcome.testLoss
            trainLoss[cell] = record.outcome.trainLoss
            lr[cell] = record.outcome.lr
            wall[cell] = record.wallSeconds
            status[cell] = record.outcome.status.rawValue
        }
        let axes = ["optimizer", "s", "N", "replicate"]
        return LabelledArrays(
            dimensions: [
                .init(name: "optimizer", values: .text(optimizers.map(\.rawValue)), attributes: ["long_name": "optimizer"]),
                .init(name: "s", values: .float64(sValues),
                      attributes: ["long_name": "spectral decay exponent s (input covariance eigenvalues λ_k ∝ k^-s)", "units": "1"]),
                .init(name: "N", values: .int64(nValues.map(Int64.init)),
                      attributes: ["long_name": "number of random features N", "units": "1"]),
                .init(name: "replicate", values: .int64(replicates.map(Int64.init)),
                      attributes: ["long_name": "replicate index (independent draw of the instance)", "units": "1"]),
            ],
            variables: [
                .init(name: "test_loss", dimensions: axes, values: .float64(testLoss),
                      attributes: ["long_name": "test loss: exact population excess risk after training", "units": "1"]),
                .init(name: "train_loss", dimensions: axes, values: .float64(trainLoss),
                      attributes: ["long_name": "training loss after training", "units": "1"]),
                .init(name: "lr", dimensions: axes, values: .float64(lr),
                      attributes: ["long_name": "learning rate chosen by the search", "units": "1"]),
                .init(name: "status", dimensions: axes, values: .text(status),
                      attributes: ["long_name": "task outcome (ok, diverged, failed; \"\" when the task has no row)"]),
                .init(name: "wall_seconds", dimensions: axes, values: .float64(wall),
                      attributes: ["long_name": "wall-clock time of the task", "units": "s"]),
            ])
    }
}
