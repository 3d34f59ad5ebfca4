import CHDF5
import Foundation
import Vocabulary

/// The HDF5 file `FILE.h5`: always a complete, valid snapshot, only ever replaced whole.
///
/// Layout (format version 1; see `ResultsFile.swift` for the reasons):
///
///     /                root attributes: spec_sha256, format_version (int), alphasweep_version,
///                      created, hdf5_version, mpi_library, blas_core, hostnames, ranks (int),
///                      shard, command_line, rows (int); experiment_sha256 and experiment
///                      (the experiment's canonical text) and grid (the hull of the runs'
///                      grids) since files could grow; merged files also merged_from
///     /spec            the spec text of the latest run (scalar string); attribute crc32 (int)
///     /results/*       one row per finished task, canonical task order, one dataset per
///                      column of `TaskRecord.columns`; attribute crc32 (int) over the
///                      columns of record layout 1 as stored, crc32_added over those layout 2
///                      added, crc32_added_3 over layout 3's (absent in older files, which
///                      lack those columns; one per layout, so older readers still check theirs)
///     /provenance/*    one row per run, resume or merge (`provenanceColumns`, all strings:
///                      since record layout 3 also the Slurm ids and each rank's peak RSS);
///                      attribute crc32 (int) over the columns as stored (files before it lack it)
///     /attempts/*      optional: tasks without a row that were tried (optimizer, s, N,
///                      replicate, attempts, crashes: `TaskAttempts`)
///     /grid/*          derived from /results on every write, never read back: test_loss,
///                      train_loss, lr, status, wall_seconds over netCDF-4 dimensions (HDF5
///                      dimension scales) optimizer, s, N, replicate (`GridView`); absent in
///                      files written before it, in files without rows, and while the grids'
///                      hull has more than 4 cells per row; attribute crc32 over its
///                      fixed-size arrays
///     /analysis/*      optional, written by `analyze`: flat columns and/or labelled arrays
///                      over dimensions optimizer, s (and N for the curves)
///
/// Every string (datasets and attributes) is fixed-length, NUL-padded UTF-8, as wide as its
/// longest value. Every 1-D dataset is chunked, extendable and filtered with shuffle +
/// deflate + fletcher32.
struct Snapshot {
    static let formatVersion = ResultsFileFormat.version
    static let provenanceColumns = ["event", "created", "alphasweep_version", "hostnames", "ranks", "shard",
                                    "mpi_library", "blas_core", "command_line", "source_file", "rows", "grid",
                                    "slurm_job_id", "slurm_array_job_id", "slurm_array_task_id", "slurm_step_id",
                                    "peak_rss_mib_by_rank"]
    /// The record layout that added each provenance column after the first (absent: 1); a
    /// file may lack them. Each layout's columns have their own checksum attribute.
    static let provenanceColumnLayout: [String: Int] = [
        "grid": 2, "slurm_job_id": 3, "slurm_array_job_id": 3, "slurm_array_task_id": 3, "slurm_step_id": 3,
        "peak_rss_mib_by_rank": 3,
    ]

    /// The checksum attribute over the columns a layout added: `crc32` (layout 1),
    /// `crc32_added` (2), `crc32_added_3`, …. One per layout, so that a reader that knows only
    /// the earlier layouts still checks (and passes) the checksums it knows.
    static func checksumAttribute(layout: Int) -> String {
        layout == 1 ? "crc32" : layout == 2 ? "crc32_added" : "crc32_added_\(layout)"
    }
    /// The key columns of `/attempts`, then its counts.
    static let keyColumns = TaskRecord.columns.filter { $0.part == .key }

    var specText: String
    var specSHA256: String
    /// Root attributes. On writing, `spec_sha256`, `format_version`, `hdf5_version` and `rows`
    /// are set from the snapshot itself.
    var attributes: [String: AttributeValue]
    var provenance: [ProvenanceRecord]
    /// In canonical order, unique keys.
    var records: [TaskRecord]
    var analysis: AnalysisTable?
    /// Tasks without a row that were tried.
    var attempts: [TaskKey: TaskAttempts] = [:]

    // MARK: - Root attributes derived from provenance

    /// Sets the summary root attributes from the provenance rows: the first run's creation
    /// time, the union of hosts, the most ranks, the distinct libraries and shards, the latest
    /// version and command line. Merge rows count only when there is nothing else.
    mutating func summarizeProvenance() {
        let runs = provenance.filter { $0.event != "merge" }
        let rows = (runs.isEmpty ? provenance : runs).map(\.provenance)
        guard let first = rows.first, let last = provenance.last?.provenance else { return }
        func distinct(_ values: [String]) -> [String] {
            var seen = Set<String>()
            return values.filter { !$0.isEmpty && seen.insert($0).inserted }
        }
        attributes["created"] = .string(first.created)
        attributes["alphasweep_version"] = .string(last.alphasweepVersion)
        attributes["command_line"] = .string(last.commandLine)
        attributes["hostnames"] = .string(distinct(rows.flatMap(\.hostnames)).joined(separator: ","))
        attributes["ranks"] = .int(Int64(rows.map(\.ranks).max() ?? 1))
        attributes["mpi_library"] = .string(distinct(rows.map(\.mpiLibrary)).joined(separator: "; "))
        attributes["blas_core"] = .string(distinct(rows.map(\.blasCore)).joined(separator: "; "))
        attributes["shard"] = .string(distinct(rows.map(\.shard)).joined(separator: ","))
        let grids = provenance.compactMap { SweepGrid(canonicalText: $0.grid) }
        if !grids.isEmpty { attributes["grid"] = .string(SweepGrid.hull(grids).canonicalText) }
    }

    /// The file's experiment: its attributes, or for a file older than them, its `/spec`'s.
    func experiment(path: String, identify: IdentifySpec) throws -> (sha256: String, text: String) {
        if case .string(let sha)? = attributes["experiment_sha256"], case .string(let text)? = attributes["experiment"] {
            return (sha, text)
        }
        do {
            let identity = try identify(specText)
            return (identity.experimentSHA256, identity.experimentText)
        } catch {
            throw ResultsFileError.corrupt(path: path, detail: "its /spec cannot be read: \(error)")
        }
    }

    /// Records the experiment of `identity` in the root attributes.
    mutating func setExperiment(_ identity: SweepIdentity) {
        attributes["experiment_sha256"] = .string(identity.experimentSHA256)
        attributes["experiment"] = .string(identity.experimentText)
    }

    // MARK: - Writing

    /// Writes the snapshot to `path` atomically: the file is built in memory, written to
    /// `path.tmp-<pid>` in the same directory, fsynced, renamed over `path`, and the directory
    /// fsynced. On failure the temporary file is removed and `path` is untouched.
    ///
    /// - Parameter mode: permission bits for the new file (those of the file it replaces).
    /// - Returns: the size in bytes of the new file.
    @discardableResult
    func write(to path: String, mode: mode_t? = nil) throws -> Int {
        let temporary = FileSystem.temporaryPath(for: path)
        let image: [UInt8]
        do {
            image = try HDF5.run {
                let file = try HDF5.createInMemoryFile(temporary)
                try writeContents(file)
                return try HDF5.fileImage(file)
            }
        } catch let failure as HDF5Failure {
            throw ResultsFileError.io(path: path, operation: "building", detail: failure.text)
        }
        unlink(temporary)  // a leftover of a crashed process with our pid
        do {
            try FileSystem.writeNewFile(temporary, image, mode: mode ?? 0o644, reportedAs: path)
            try FileSystem.atomicReplace(temporary: temporary, path: path)
        } catch {
            unlink(temporary)
            throw error
        }
        return image.count
    }

    private func writeContents(_ file: HDF5Handle) throws {
        var root = attributes
        root["spec_sha256"] = .string(specSHA256)
        root["format_version"] = .int(Int64(Self.formatVersion))
        root["hdf5_version"] = .string(HDF5.libraryVersion)
        root["rows"] = .int(Int64(records.count))
        for name in root.keys.sorted() { try HDF5.writeAttribute(file, name, root[name]!) }

        try HDF5.writeScalarString(file, "spec", specText, attributes: [("crc32", .int(Int64(Self.checksum(specText))))])
        let results = Self.resultColumnValues(records)
        try writeGroup(file, "results", columns: results, attributes: (1...TaskRecord.layout).map { layout in
            let columns = results.filter { name, _ in TaskRecord.columns.first { $0.name == name }!.layout == layout }
            return (Self.checksumAttribute(layout: layout), .int(Int64(Self.checksum(columns))))
        })
        if !attempts.isEmpty {
            let keys = attempts.keys.sorted()
            let rows = keys.map { TaskRecord(key: $0, outcome: TaskRecord.blank.outcome, wallSeconds: 0, rank: 0) }
            let columns = Self.keyColumns.map { ($0.name, $0.values(rows)) }
                + [("attempts", ColumnValues.int64(keys.map { Int64(attempts[$0]!.attempts) })),
                   ("crashes", ColumnValues.int64(keys.map { Int64(attempts[$0]!.crashes) }))]
            try writeGroup(file, "attempts", columns: columns, attributes: [("crc32", .int(Int64(Self.checksum(columns))))])
        }
        let provenance = provenanceColumnValues()
        try writeGroup(file, "provenance", columns: provenance, attributes: (1...TaskRecord.layout).map { layout in
            let columns = provenance.filter { (Self.provenanceColumnLayout[$0.0] ?? 1) == layout }
            return (Self.checksumAttribute(layout: layout), .int(Int64(Self.checksum(columns))))
        })
        let grid = attributes["grid"].flatMap { value -> SweepGrid? in
            if case .string(let text) = value { return SweepGrid(canonicalText: text) }
            return nil
        }
        // Not in a file without rows (the first snapshot of a run): all NaN, it would only make
        // the file that must exist before any work starts larger.
        if !records.isEmpty,
           let gridView = GridView.arrays(records: records, grid: grid),
           gridView.variables.first.map({ $0.values.count > 0 }) == true {
            let group = try HDF5.createGroup(file, "grid", compactLinks: UInt32(gridView.dimensions.count + gridView.variables.count))
            for name in GridView.attributes.keys.sorted() {
                try HDF5.writeAttribute(group, name, .string(GridView.attributes[name]!))
            }
            try HDF5.writeAttribute(group, "crc32", .int(Int64(GridView.checksum(gridView))))
            try HDF5.writeLabelled(group, gridView)
        }
        if let analysis {
            let group = try HDF5.createGroup(file, "analysis")
            for name in analysis.attributes.keys.sorted() {
                try HDF5.writeAttribute(group, name, .string(analysis.attributes[name]!))
            }
            for name in analysis.numericColumns.keys.sorted() {
                try HDF5.writeColumn(group, name, .float64(analysis.numericColumns[name]!))
            }
            for name in analysis.stringColumns.keys.sorted() {
                try HDF5.writeColumn(group, name, .text(analysis.stringColumns[name]!))
            }
            if !analysis.labelled.isEmpty {
                for (name, value) in HDF5.layoutAttributes(analysis.labelled) { try HDF5.writeAttribute(group, name, .string(value)) }
                try HDF5.writeLabelled(group, analysis.labelled)
            }
        }
    }

    private func writeGroup(_ file: HDF5Handle, _ name: String, columns: [(String, ColumnValues)],
                            attributes: [(String, AttributeValue)] = []) throws {
        let group = try HDF5.createGroup(file, name)
        for (attribute, value) in attributes { try HDF5.writeAttribute(group, attribute, value) }
        for (column, values) in columns { try HDF5.writeColumn(group, column, values) }
    }

    // MARK: - Checksums over the content
    //
    // HDF5 checksums chunks (fletcher32) and, in the 1.8 format, metadata; but a damaged chunk
    // index can still make HDF5 return fill values for rows, and the contiguous /spec has no
    // checksum. So /results and /spec carry a CRC-32 of their content as stored (attribute
    // `crc32`): for /results, zlib.crc32 chained over the columns' bytes in `TaskRecord.columns`
    // order (little-endian numbers, NUL-padded fixed-width strings).

    static func checksum(_ columns: [(String, ColumnValues)]) -> UInt32 {
        columns.reduce(UInt32(0)) { crc, column in column.1.checksum(continuing: crc) }
    }

    static func checksum(_ text: String) -> UInt32 {
        CRC32.checksum(Array(text.utf8)[...])
    }

    /// The `/results` columns of `records`, in `TaskRecord.columns` order.
    static func resultColumnValues(_ records: [TaskRecord]) -> [(String, ColumnValues)] {
        TaskRecord.columns.map { ($0.name, $0.values(records)) }
    }

    private func provenanceColumnValues() -> [(String, ColumnValues)] {
        let p = provenance
        return [
            ("event", .text(p.map(\.event))),
            ("created", .text(p.map(\.provenance.created))),
            ("alphasweep_version", .text(p.map(\.provenance.alphasweepVersion))),
            ("hostnames", .text(p.map { $0.provenance.hostnames.joined(separator: ",") })),
            ("ranks", .text(p.map { String($0.provenance.ranks) })),
            ("shard", .text(p.map(\.provenance.shard))),
            ("mpi_library", .text(p.map(\.provenance.mpiLibrary))),
            ("blas_core", .text(p.map(\.provenance.blasCore))),
            ("command_line", .text(p.map(\.provenance.commandLine))),
            ("source_file", .text(p.map(\.sourceFile))),
            ("rows", .text(p.map { String($0.rows) })),
            ("grid", .text(p.map(\.grid))),
            ("slurm_job_id", .text(p.map(\.provenance.slurm.job))),
            ("slurm_array_job_id", .text(p.map(\.provenance.slurm.arrayJob))),
            ("slurm_array_task_id", .text(p.map(\.provenance.slurm.arrayTask))),
            ("slurm_step_id", .text(p.map(\.provenance.slurm.step))),
            ("peak_rss_mib_by_rank", .text(p.map(\.peakRSSByRank))),
        ]
    }

    // MARK: - Reading

    /// Reads and checks the snapshot at `path`. Every failure names the file and says what
    /// was wrong; the file is opened read-only and never modified.
    static func read(from path: String) throws -> Snapshot {
        guard FileSystem.exists(path) else { throw ResultsFileError.fileNotFound(path: path) }
        guard FileSystem.isRegularFile(path) else {
            throw ResultsFileError.corrupt(path: path, detail: "not a regular file")
        }
        if FileSystem.size(path) == 0 { throw ResultsFileError.corrupt(path: path, detail: "the file is empty (0 bytes)") }
        return try HDF5.run {
            let isHDF5 = H5Fis_hdf5(path)
            if isHDF5 == 0 { throw ResultsFileError.notHDF5(path: path) }
            if isHDF5 < 0 {
                throw ResultsFileError.corrupt(path: path, detail: HDF5.failure("checking the file signature").text)
            }
            do {
                return try readContents(try HDF5.openFileReadOnly(path), path: path)
            } catch let failure as HDF5Failure {
                throw ResultsFileError.corrupt(path: path, detail: failure.text)
            }
        }
    }

    private static func readContents(_ file: HDF5Handle, path: String) throws -> Snapshot {
        func schema(_ detail: String) -> ResultsFileError { .corrupt(path: path, detail: detail) }

        var attributes: [String: AttributeValue] = [:]
        for (name, value) in try HDF5.attributes(file) { attributes[name] = value }
        guard let versionValue = attributes["format_version"] else {
            throw schema("no format_version attribute (not an alphasweep results file)")
        }
        guard case .int(let version) = versionValue else { throw schema("format_version is not an integer") }
        guard version == Int64(formatVersion) else {
            throw ResultsFileError.incompatibleFormat(path: path, found: Int(version), supported: formatVersion)
        }
        guard case .string(let sha)? = attributes["spec_sha256"] else { throw schema("no spec_sha256 attribute") }
        guard try HDF5.exists(file, "spec") else { throw schema("no /spec dataset") }
        let specText = try HDF5.readScalarString(file, "spec")
        if case .int(let crc)? = try HDF5.attributes(file, of: "spec").first(where: { $0.name == "crc32" })?.value,
           crc != Int64(checksum(specText)) {
            throw schema("the spec text does not match its checksum (/spec crc32): the file is damaged")
        }
        guard try HDF5.exists(file, "results") else { throw schema("no /results group") }

        let results = try readTable(file, group: "results", required: TaskRecord.columns(layout: 1).map(\.name),
                                    optional: TaskRecord.columns.filter { $0.layout > 1 }.map(\.name), path: path)
        let records: [TaskRecord]
        do { records = try TaskRecord.records(from: results) } catch {
            throw schema("/results: \(error)")
        }
        let resultAttributes = try HDF5.attributes(file, of: "results")
        let stored = resultColumnValues(records)
        for layout in 1...TaskRecord.layout {
            let attribute = checksumAttribute(layout: layout)
            let columns = stored.filter { name, _ in
                results[name] != nil && TaskRecord.columns.first { $0.name == name }!.layout == layout
            }
            if case .int(let crc)? = resultAttributes.first(where: { $0.name == attribute })?.value,
               crc != Int64(checksum(columns)) {
                throw schema("the rows do not match their checksum (/results \(attribute)): the file is damaged")
            }
        }
        let attempts = try HDF5.exists(file, "attempts") ? try readAttempts(file, path: path) : [:]
        var provenance: [ProvenanceRecord] = []
        if try HDF5.exists(file, "provenance") {
            let table = try readTable(file, group: "provenance", required: [], optional: provenanceColumns, path: path)
            let checks = try HDF5.attributes(file, of: "provenance")
            for layout in 1...TaskRecord.layout {
                let attribute = checksumAttribute(layout: layout)
                let columns = provenanceColumns.filter { table[$0] != nil && (provenanceColumnLayout[$0] ?? 1) == layout }
                if case .int(let crc)? = checks.first(where: { $0.name == attribute })?.value,
                   crc != Int64(checksum(columns.map { ($0, table[$0]!) })) {
                    throw schema("the provenance rows do not match their checksum (/provenance \(attribute)): the file is damaged")
                }
            }
            provenance = decodeProvenance(table)
        }
        let analysis = try HDF5.exists(file, "analysis") ? try readAnalysis(file) : nil
        // /grid is derived and not used here, but its arrays are read and checked, so that a
        // damaged view cannot mislead an xarray user while alphasweep calls the file sound.
        if try HDF5.exists(file, "grid") {
            let group = try HDF5.openGroup(file, "grid")
            let numbers = try HDF5.readFixedSizeArrays(group)
            if case .int(let crc)? = try HDF5.attributes(group).first(where: { $0.name == "crc32" })?.value,
               crc != Int64(GridView.checksum(dimensions: numbers.dimensions, variables: numbers.variables)) {
                throw schema("/grid does not match its checksum (crc32): the file is damaged")
            }
        }

        return Snapshot(specText: specText, specSHA256: sha, attributes: attributes, provenance: provenance,
                        records: records, analysis: analysis, attempts: attempts)
    }

    /// Reads the named columns of a group (those of `optional` that exist); all must have the
    /// same length, and every one of `required` must exist.
    private static func readTable(_ file: HDF5Handle, group name: String, required: [String], optional: [String],
                                  path: String) throws -> [String: ColumnValues] {
        let group = try HDF5.openGroup(file, name)
        var table: [String: ColumnValues] = [:]
        let columns = required + optional
        for column in columns {
            if try HDF5.exists(group, column) { table[column] = try HDF5.readColumn(group, column) }
        }
        let lengths = Set(table.values.map(\.count))
        guard lengths.count <= 1 else {
            let detail = columns.compactMap { c in table[c].map { "\(c)=\($0.count)" } }.joined(separator: ", ")
            throw ResultsFileError.corrupt(path: path, detail: "/\(name) datasets differ in length (\(detail))")
        }
        let missing = required.filter { table[$0] == nil }
        guard missing.isEmpty else {
            throw ResultsFileError.corrupt(path: path, detail: "/\(name) lacks \(missing.map { "\(name)/\($0)" }.joined(separator: ", "))")
        }
        return table
    }

    /// Provenance rows; columns a file lacks read as empty strings.
    private static func decodeProvenance(_ t: [String: ColumnValues]) -> [ProvenanceRecord] {
        let rows = t.values.first?.count ?? 0
        func column(_ name: String) -> [String] {
            switch t[name] {
            case .text(let v)?: return v
            case .int64(let v)?: return v.map { String($0) }
            case .float64(let v)?: return v.map { String($0) }
            case .int32(let v)?: return v.map { String($0) }
            case .int8(let v)?: return v.map { String($0) }
            case nil: return Array(repeating: "", count: rows)
            }
        }
        let c = Dictionary(uniqueKeysWithValues: provenanceColumns.map { ($0, column($0)) })
        return (0..<rows).map { i in
            var provenance = Provenance(alphasweepVersion: c["alphasweep_version"]![i], created: c["created"]![i],
                                        hostnames: c["hostnames"]![i].split(separator: ",").map(String.init),
                                        ranks: Int(c["ranks"]![i]) ?? 0, shard: c["shard"]![i],
                                        mpiLibrary: c["mpi_library"]![i], blasCore: c["blas_core"]![i],
                                        commandLine: c["command_line"]![i])
            provenance.slurm = SlurmIDs(job: c["slurm_job_id"]![i], arrayJob: c["slurm_array_job_id"]![i],
                                        arrayTask: c["slurm_array_task_id"]![i], step: c["slurm_step_id"]![i])
            return ProvenanceRecord(event: c["event"]![i], provenance: provenance, sourceFile: c["source_file"]![i],
                                    rows: Int(c["rows"]![i]) ?? 0, grid: c["grid"]![i],
                                    peakRSSByRank: c["peak_rss_mib_by_rank"]![i])
        }
    }

    private static func readAttempts(_ file: HDF5Handle, path: String) throws -> [TaskKey: TaskAttempts] {
        let names = keyColumns.map(\.name) + ["attempts", "crashes"]
        let table = try readTable(file, group: "attempts", required: names, optional: [], path: path)
        if case .int(let crc)? = try HDF5.attributes(file, of: "attempts").first(where: { $0.name == "crc32" })?.value,
           crc != Int64(checksum(names.map { ($0, table[$0]!) })) {
            throw ResultsFileError.corrupt(path: path, detail: "/attempts does not match its checksum: the file is damaged")
        }
        let keys: [TaskKey]
        do { keys = try TaskRecord.keys(from: table) } catch {
            throw ResultsFileError.corrupt(path: path, detail: "/attempts: \(error)")
        }
        guard case .int64(let attempts) = table["attempts"]!, case .int64(let crashes) = table["crashes"]! else {
            throw ResultsFileError.corrupt(path: path, detail: "/attempts: the counts are not integers")
        }
        var out: [TaskKey: TaskAttempts] = [:]
        for (i, key) in keys.enumerated() { out[key] = TaskAttempts(attempts: Int(attempts[i]), crashes: Int(crashes[i])) }
        return out
    }

    private static func readAnalysis(_ file: HDF5Handle) throws -> AnalysisTable {
        let group = try HDF5.openGroup(file, "analysis")
        var table = AnalysisTable()
        for (name, value) in try HDF5.attributes(group) where !HDF5.layoutAttributeNames.contains(name) {
            table.attributes[name] = value.text
        }
        let (labelled, flat) = try HDF5.readLabelled(group)
        table.labelled = labelled
        for name in flat {
            switch try HDF5.readColumn(group, name) {
            case .float64(let v): table.numericColumns[name] = v
            case .int64(let v): table.numericColumns[name] = v.map(Double.init)
            case .int32(let v): table.numericColumns[name] = v.map(Double.init)
            case .int8(let v): table.numericColumns[name] = v.map(Double.init)
            case .text(let v): table.stringColumns[name] = v
            }
        }
        return table
    }
}
