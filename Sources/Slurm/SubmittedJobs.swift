import Foundation

/// `DIR/jobs.tsv`: every job `submit` queued for a sweep directory, one line each, appended at
/// every submission (so a resubmission's jobs follow the first ones):
///
///     array<TAB>JOBID<TAB>FIRST_SHARD<TAB>SHARDS<TAB>SUBMITTED (ISO 8601)
///     merge<TAB>JOBID<TAB>0<TAB>SHARDS<TAB>SUBMITTED
///
/// SHARDS is a range `0-999` or a list `3,7`; array task I runs shard FIRST_SHARD + I (the
/// batch script's 6th argument), so the array's indices are SHARDS - FIRST_SHARD. `status` reads it to ask squeue/sacct about the jobs.
public struct SubmittedJobs: Equatable, Sendable {
    public static let fileName = "jobs.tsv"

    public struct Entry: Equatable, Sendable {
        public enum Kind: String, Sendable { case array, merge }
        public var kind: Kind
        public var job: Int
        /// Array task I runs shard `firstShard + I`.
        public var firstShard: Int
        /// The shards the job runs (for a merge: all of them).
        public var shards: [Int]
        public var submitted: String

        public init(kind: Kind, job: Int, firstShard: Int = 0, shards: [Int], submitted: String) {
            self.kind = kind
            self.job = job
            self.firstShard = firstShard
            self.shards = shards
            self.submitted = submitted
        }

        /// The line (without its newline).
        var line: String {
            let list = shards.count > 1 && shards == Array(shards.first!...shards.last!)
                ? "\(shards.first!)-\(shards.last!)" : shards.map(String.init).joined(separator: ",")
            return [kind.rawValue, String(job), String(firstShard), list, submitted].joined(separator: "\t")
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry] = []) { self.entries = entries }

    /// Parses the file's text; nil (with the line number) for a line that is not an entry.
    public static func parse(_ text: String) -> Result<SubmittedJobs, ParseError> {
        var entries: [Entry] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5, let kind = Entry.Kind(rawValue: fields[0]), let job = Int(fields[1]), job > 0,
                  let first = Int(fields[2]), first >= 0, let shards = parseShards(fields[3]),
                  shards.allSatisfy({ $0 >= first }) else {
                return .failure(ParseError(line: number + 1))
            }
            entries.append(Entry(kind: kind, job: job, firstShard: first, shards: shards, submitted: fields[4]))
        }
        return .success(SubmittedJobs(entries: entries))
    }

    public struct ParseError: Error, Equatable {
        public var line: Int
        public init(line: Int) { self.line = line }
    }

    /// `3-7` or `1,4,9` (at most a million shards).
    static func parseShards(_ text: String) -> [Int]? {
        let range = text.split(separator: "-", omittingEmptySubsequences: false)
        if range.count == 2, let a = Int(range[0]), let b = Int(range[1]), a >= 0, b >= a, b - a < 1_000_000 {
            return Array(a...b)
        }
        let list = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
        guard !list.isEmpty, list.count <= 1_000_000, list.allSatisfy({ ($0 ?? -1) >= 0 }) else { return nil }
        return list.map { $0! }
    }

    /// Appends entries to `path` (created if absent).
    public static func append(_ entries: [Entry], to path: String) throws {
        let text = entries.map { $0.line + "\n" }.joined()
        if !FileManager.default.fileExists(atPath: path) {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    public static func now() -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date())
    }
}
