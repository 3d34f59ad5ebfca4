/// The values of one column of a table, as the results file stores them (HDF5 datasets are
/// written from these and read back into them: integers widened to `int64`, floats to `float64`).
public enum ColumnValues: Equatable, Sendable {
    case float64([Double])
    case int64([Int64])
    case int32([Int32])
    case int8([Int8])
    /// UTF-8 strings.
    case text([String])

    public var count: Int {
        switch self {
        case .float64(let v): return v.count
        case .int64(let v): return v.count
        case .int32(let v): return v.count
        case .int8(let v): return v.count
        case .text(let v): return v.count
        }
    }
}

extension RecordColumn {
    /// This column of `records`, stored as `storage` says.
    public func values(_ records: [TaskRecord]) -> ColumnValues {
        switch (value, storage) {
        case (.text(let get, _), _): return .text(records.map(get))
        case (.real(let get, _), _): return .float64(records.map(get))
        case (.integer(let get, _), .int64): return .int64(records.map(get))
        case (.integer(let get, _), .int32): return .int32(records.map { Int32(truncatingIfNeeded: get($0)) })
        case (.integer(let get, _), _): return .int8(records.map { Int8(truncatingIfNeeded: get($0)) })
        }
    }
}

/// A table that cannot be turned into records, naming the column (and row) at fault.
public struct RecordTableError: Error, CustomStringConvertible, Sendable {
    public let problem: String
    public var description: String { problem }
}

extension TaskRecord {
    /// The records of a table of columns read back from a results file (`table[name]` for
    /// every column of `TaskRecord.columns`, all of one length; a column added after the first
    /// layout may be absent and then reads as its value in `blank`).
    /// - Throws: `RecordTableError` naming the column, or the row and the column, at fault.
    public static func records(from table: [String: ColumnValues]) throws -> [TaskRecord] {
        try records(from: table, columns: columns)
    }

    /// The keys of a table that holds only (at least) the key columns.
    public static func keys(from table: [String: ColumnValues]) throws -> [TaskKey] {
        try records(from: table, columns: columns.filter { $0.part == .key }).map(\.key)
    }

    static func records(from table: [String: ColumnValues], columns: [RecordColumn]) throws -> [TaskRecord] {
        let count = table[columns[0].name]?.count ?? 0
        var records = [TaskRecord](repeating: blank, count: count)
        for column in columns {
            guard let stored = table[column.name] else {
                if column.layout > 1 { continue }
                throw RecordTableError(problem: "no \(column.name) column")
            }
            guard stored.count == count else { throw RecordTableError(problem: "\(column.name) has \(stored.count) rows, not \(count)") }
            func fail(_ i: Int, _ error: Error) -> RecordTableError {
                RecordTableError(problem: "row \(i): \(error)")
            }
            switch (column.value, stored) {
            case (.text(_, let set), .text(let v)):
                for i in 0..<count { do { try set(&records[i], v[i]) } catch { throw fail(i, error) } }
            case (.real(_, let set), .float64(let v)):
                for i in 0..<count { do { try set(&records[i], v[i]) } catch { throw fail(i, error) } }
            case (.real(_, let set), .int64(let v)):
                for i in 0..<count { do { try set(&records[i], Double(v[i])) } catch { throw fail(i, error) } }
            case (.integer(_, let set), .int64(let v)):
                for i in 0..<count { do { try set(&records[i], v[i]) } catch { throw fail(i, error) } }
            case (.text, _):
                throw RecordTableError(problem: "\(column.name) is not a string dataset")
            case (.real, _):
                throw RecordTableError(problem: "\(column.name) is not a numeric dataset")
            case (.integer, _):
                throw RecordTableError(problem: "\(column.name) is not an integer dataset")
            }
        }
        return records
    }
}
