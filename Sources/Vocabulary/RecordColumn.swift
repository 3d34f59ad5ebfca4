/// One column of the task record, the single declaration from which every format follows:
///
/// - the HDF5 results file: one dataset `/results/<name>` per column, in this order, of
///   `storage`'s type (strings fixed-length, NUL-padded UTF-8); a column added after the
///   first layout (`layout` > 1) may be absent from older files and reads as its value in
///   `TaskRecord.blank`;
/// - the journal and the messages between ranks: one field per column of the record layout,
///   in this order, encoded by `ByteWriter` (numbers little-endian; strings with a 1- or
///   4-byte length);
/// - equality (`TaskRecord.hasSameResult`): the `.key` and `.result` columns, bitwise;
/// - canonical order: `TaskKey`'s, over the `.key` columns.
public struct RecordColumn: Sendable {
    /// How a column is stored.
    public enum Storage: Sendable, Equatable {
        /// UTF-8 text; in byte encodings preceded by its length in `lengthBytes` (1 or 4) bytes.
        case text(lengthBytes: Int)
        case float64
        case int64
        case int32
        case int8
    }

    /// What a column means for a task.
    public enum Part: Sendable, Equatable {
        /// Part of the task's identity.
        case key
        /// Part of its result: two records of one task must agree on it bitwise.
        case result
        /// How, where or with what remark it ran; may differ between two runs of a task.
        case context
    }

    public let name: String
    public let storage: Storage
    public let part: Part
    /// The record layout that introduced the column (1: the first).
    public let layout: Int
    let value: Accessor

    init(name: String, storage: Storage, part: Part, layout: Int = 1, value: Accessor) {
        self.name = name
        self.storage = storage
        self.part = part
        self.layout = layout
        self.value = value
    }

    /// A column's value in a record, and how to set it from a decoded one.
    enum Accessor: Sendable {
        case text(@Sendable (TaskRecord) -> String, @Sendable (inout TaskRecord, String) throws -> Void)
        case real(@Sendable (TaskRecord) -> Double, @Sendable (inout TaskRecord, Double) throws -> Void)
        case integer(@Sendable (TaskRecord) -> Int64, @Sendable (inout TaskRecord, Int64) throws -> Void)
    }

    /// The value as text for messages: numbers with their bit pattern, strings as they are.
    func shown(_ record: TaskRecord) -> String {
        switch value {
        case .text(let get, _): return get(record)
        case .real(let get, _):
            let x = get(record)
            return "\(x) (0x\(String(x.bitPattern, radix: 16)))"
        case .integer(let get, _): return String(get(record))
        }
    }

    func sameValue(_ a: TaskRecord, _ b: TaskRecord) -> Bool {
        switch value {
        case .text(let get, _): return get(a) == get(b)
        case .real(let get, _): return get(a).bitPattern == get(b).bitPattern
        case .integer(let get, _): return get(a) == get(b)
        }
    }
}

/// A stored value that no record can hold (an unknown optimizer or status, an N beyond Int).
public struct RecordDecodingError: Error, CustomStringConvertible, Sendable {
    public let column: String
    public let problem: String
    public init(column: String, problem: String) {
        self.column = column
        self.problem = problem
    }
    public var description: String { "\(column): \(problem)" }
}

extension TaskRecord {
    /// The record layout this build writes: 2 added `attempts`; 3 added `host`, `started_utc`
    /// and `peak_rss_bytes`.
    public static let layout = 3

    /// The columns of `layout` (default: the current one), in order.
    public static func columns(layout: Int) -> [RecordColumn] { columns.filter { $0.layout <= layout } }

    /// The columns of the results file's `/results` group, in order.
    public static let columns: [RecordColumn] = [
        RecordColumn(name: "optimizer", storage: .text(lengthBytes: 1), part: .key, value: .text(
            { $0.key.optimizer.rawValue },
            { record, name in
                guard let kind = OptimizerKind(rawValue: name) else {
                    throw RecordDecodingError(column: "optimizer", problem: "unknown optimizer '\(name)'")
                }
                record.key.optimizer = kind
            })),
        // Keys are checked as they are read: a NaN s or a negative N would make a row that
        // equals no task and sorts nowhere.
        RecordColumn(name: "s", storage: .float64, part: .key, value: .real(
            { $0.key.s },
            { record, s in
                guard s.isFinite, s > 0 else { throw RecordDecodingError(column: "s", problem: "\(s) is not a positive number") }
                record.key.instance.s = s
            })),
        RecordColumn(name: "N", storage: .int64, part: .key, value: .integer(
            { Int64($0.key.N) },
            { record, n in
                guard n >= 1 else { throw RecordDecodingError(column: "N", problem: "\(n) is not a positive feature count") }
                record.key.instance.N = Int(n)
            })),
        RecordColumn(name: "replicate", storage: .int64, part: .key, value: .integer(
            { Int64($0.key.replicate) },
            { record, r in
                guard r >= 0 else { throw RecordDecodingError(column: "replicate", problem: "\(r) is negative") }
                record.key.instance.replicate = Int(r)
            })),
        RecordColumn(name: "test_loss", storage: .float64, part: .result, value: .real(
            { $0.outcome.testLoss }, { $0.outcome.testLoss = $1 })),
        RecordColumn(name: "train_loss", storage: .float64, part: .result, value: .real(
            { $0.outcome.trainLoss }, { $0.outcome.trainLoss = $1 })),
        RecordColumn(name: "lr", storage: .float64, part: .result, value: .real(
            { $0.outcome.lr }, { $0.outcome.lr = $1 })),
        RecordColumn(name: "lr_at_grid_edge", storage: .int8, part: .result, value: .integer(
            { $0.outcome.lrAtGridEdge ? 1 : 0 }, { $0.outcome.lrAtGridEdge = $1 != 0 })),
        RecordColumn(name: "status", storage: .text(lengthBytes: 1), part: .result, value: .text(
            { $0.outcome.status.rawValue },
            { record, name in
                guard let status = TrainingOutcome.Status(rawValue: name) else {
                    throw RecordDecodingError(column: "status", problem: "unknown status '\(name)'")
                }
                record.outcome.status = status
            })),
        RecordColumn(name: "message", storage: .text(lengthBytes: 4), part: .context, value: .text(
            // Read back capped too: a crafted journal or file cannot smuggle in a longer one.
            { $0.outcome.message }, { $0.outcome.message = TrainingOutcome.sanitized($1) })),
        RecordColumn(name: "wall_seconds", storage: .float64, part: .context, value: .real(
            { $0.wallSeconds }, { $0.wallSeconds = $1 })),
        RecordColumn(name: "rank", storage: .int32, part: .context, value: .integer(
            { Int64($0.rank) },
            { record, value in
                guard let rank = Int32(exactly: value) else {
                    throw RecordDecodingError(column: "rank", problem: "\(value) is not a rank")
                }
                record.rank = rank
            })),
        RecordColumn(name: "attempts", storage: .int32, part: .context, layout: 2, value: .integer(
            { Int64($0.attempts) },
            { record, value in
                guard let attempts = Int32(exactly: value), attempts >= 1 else {
                    throw RecordDecodingError(column: "attempts", problem: "\(value) is not a number of attempts")
                }
                record.attempts = attempts
            })),
        RecordColumn(name: "host", storage: .text(lengthBytes: 1), part: .context, layout: 3, value: .text(
            { $0.host }, { record, host in record.host = String(host.prefix(255)) })),
        RecordColumn(name: "started_utc", storage: .text(lengthBytes: 1), part: .context, layout: 3, value: .text(
            { $0.startedUTC }, { record, text in record.startedUTC = String(text.prefix(64)) })),
        RecordColumn(name: "peak_rss_bytes", storage: .int64, part: .context, layout: 3, value: .integer(
            { $0.peakRSSBytes },
            { record, bytes in
                guard bytes >= 0 else { throw RecordDecodingError(column: "peak_rss_bytes", problem: "\(bytes) is negative") }
                record.peakRSSBytes = bytes
            })),
    ]

    /// A record with every column at a neutral value, to be filled column by column.
    public static let blank = TaskRecord(
        key: TaskKey(optimizer: .gd, s: 0, N: 0, replicate: 0),
        outcome: TrainingOutcome(testLoss: .nan, trainLoss: .nan, lr: .nan, lrAtGridEdge: false, status: .failed),
        wallSeconds: 0, rank: 0)
}
