import Foundation

/// Replaces the `/analysis` group of a results file, atomically (the snapshot is rewritten
/// with the new group; rows, spec, provenance and root attributes are unchanged; a journal,
/// if any, is left as it is).
///
/// - Parameters:
///   - path: the results file; no writer may be running on it.
///   - numericColumns: float64 datasets `/analysis/<name>`.
///   - stringColumns: string datasets `/analysis/<name>` (fixed-length UTF-8).
///   - attributes: string attributes of `/analysis`.
///   - labelled: arrays over named dimensions (netCDF-4 layout, for xarray).
/// - Throws: ``ResultsFileError`` — read errors, `inUse`, `invalidArgument` for a bad or
///   repeated column name or a read-only file, I/O errors (the old file stays intact).
/// Throws unless `writeAnalysis(to: path, …)` may replace `path`: a regular file (no link), its
/// side files regular or absent, its directory writable and the file not marked read-only.
/// `analyze` asks this before any work, so a refusal changes nothing and prints nothing else.
public func requireAnalysisStorable(in path: String) throws {
    guard FileSystem.exists(path) else { throw ResultsFileError.fileNotFound(path: path) }
    try FileSystem.requireWritableKinds(resultsPath: path)
    try FileSystem.requireWritableDirectory(for: path)
    try ResultsWriter.requireReplaceable(path)
}

public func writeAnalysis(to path: String, numericColumns: [String: [Double]], stringColumns: [String: [String]],
                          attributes: [String: String], labelled: LabelledArrays = LabelledArrays()) throws {
    if let problem = labelled.problem() { throw ResultsFileError.invalidArgument("/analysis: \(problem)") }
    if let name = attributes.keys.first(where: HDF5.layoutAttributeNames.contains) {
        throw ResultsFileError.invalidArgument("/analysis attribute \(name) is reserved for the labelled arrays' layout")
    }
    let labelledNames = Set(labelled.dimensions.map(\.name) + labelled.variables.map(\.name))
    if let name = Array(numericColumns.keys) .first(where: labelledNames.contains)
        ?? Array(stringColumns.keys).first(where: labelledNames.contains) {
        throw ResultsFileError.invalidArgument("/analysis/\(name) is given both as a column and as a labelled array")
    }
    for name in Array(numericColumns.keys) + Array(stringColumns.keys) + Array(attributes.keys) {
        guard !name.isEmpty, name != ".", !name.contains("/"), !name.contains("\0") else {
            throw ResultsFileError.invalidArgument("'\(name)' cannot be an HDF5 name in /analysis")
        }
    }
    if let name = numericColumns.keys.first(where: { stringColumns[$0] != nil }) {
        throw ResultsFileError.invalidArgument("/analysis/\(name) is given both as a numeric and a string column")
    }
    try requireAnalysisStorable(in: path)
    let lock = try WriterLock.acquire(for: path)
    defer { lock.release() }
    var snapshot = try Snapshot.read(from: path)
    try ResultsWriter.requireReplaceable(path)
    FileSystem.removeStaleTemporaries(of: path)
    snapshot.analysis = AnalysisTable(numericColumns: numericColumns, stringColumns: stringColumns, attributes: attributes,
                                      labelled: labelled)
    try snapshot.write(to: path, mode: FileSystem.mode(of: path))
}
