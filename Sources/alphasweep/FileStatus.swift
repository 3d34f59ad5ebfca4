import Foundation
import Platform
import ResultsFile
import Sweep
import Vocabulary

/// `alphasweep status FILE.h5`: a live view of a sweep being written (or finished), built
/// from what a reader may read without disturbing the writer: the snapshot, the journal (both
/// read as `inspect` reads them, never locked) and the lock file's "pid=N host=H" (read, never
/// locked: taking even a shared lock could make a starting writer see the file as in use).
struct FileStatus {
    /// One rank's share of the current run.
    struct RankLine {
        var rank: Int32
        var host: String
        var tasks = 0
        var busySeconds = 0.0
        var peakRSSBytes: Int64 = 0
    }

    enum Writer: Equatable {
        /// A lock file names a live process on this host, or a process on another host.
        case running(pid: Int32, host: String, verified: Bool)
        /// A lock file names a process that is gone (killed with -9).
        case stale(pid: Int32, host: String)
        case none
    }

    var file: String
    var expected: Int
    var done: Int
    var notOK: [TaskRecord]
    var crashedAttempts: Int
    var journalRows: Int
    var writer: Writer
    /// Rows finished in the minute before `now` (by start time + wall time).
    var lastMinute: Int
    /// The cost model's estimate of the work those rows did, and of the work still to do
    /// (tasks are handed out largest first, so a task count alone would mislead the ETA).
    var lastMinuteCost: Double
    var remainingCost: Double
    /// The seconds that minute spans: 60, or less when the run started less than a minute ago.
    var window: Double
    var ranks: [RankLine]
    var run: ProvenanceRecord?
    var now: Date

    /// Reads the file's state now. Throws what `ResultsReader` throws (a missing or damaged file).
    static func read(path: String, now: Date = Date()) throws -> FileStatus {
        let contents = try ResultsReader.read(path: path, includeJournal: true)
        let archive = try ArchiveGrid(contents, file: path)
        let expected = archive.union.count()
        let inGrid = contents.records.filter { archive.expects($0.key) }
        let run = contents.provenance.last { $0.event != "merge" }
        let runStart = run.flatMap { parseUTC($0.provenance.created) }
        let costs = CostModel(experiment: archive.spec.experiment)
        // One cost per (optimizer, N), computed on first use: a file has many rows per pair.
        var taskCost: [OptimizerKind: [Int: Double]] = [:]
        func cost(_ key: TaskKey) -> Double {
            if let known = taskCost[key.optimizer]?[key.N] { return known }
            let computed = costs.cost(N: key.N, optimizers: [key.optimizer])
            taskCost[key.optimizer, default: [:]][key.N] = computed
            return computed
        }
        var remainingCost = 0.0
        for N in archive.hull.N {
            for optimizer in archive.hull.optimizers {
                remainingCost += Double(archive.union.count(optimizer: optimizer, N: N)) * cost(TaskKey(optimizer: optimizer, s: 0, N: N, replicate: 0))
            }
        }
        for record in inGrid { remainingCost -= cost(record.key) }
        var lastMinute = 0, lastMinuteCost = 0.0
        var ranks: [Int32: RankLine] = [:]
        for record in contents.records {
            guard let started = parseUTC(record.startedUTC) else { continue }
            let finished = started.addingTimeInterval(record.wallSeconds)
            if finished <= now && now.timeIntervalSince(finished) <= 60 {
                lastMinute += 1
                lastMinuteCost += cost(record.key)
            }
            // The current run's rows: those started after its provenance row was made (whole
            // seconds, so a second's margin).
            if let runStart, started.timeIntervalSince(runStart) >= -1 {
                var line = ranks[record.rank] ?? RankLine(rank: record.rank, host: record.host)
                line.tasks += 1
                line.busySeconds += record.wallSeconds
                line.peakRSSBytes = max(line.peakRSSBytes, record.peakRSSBytes)
                ranks[record.rank] = line
            }
        }
        return FileStatus(file: path, expected: expected, done: inGrid.count,
                          notOK: inGrid.filter { $0.outcome.status != .ok },
                          crashedAttempts: contents.attempts.values.reduce(0) { $0 + $1.crashes },
                          journalRows: contents.journal.rows, writer: writer(of: path), lastMinute: lastMinute,
                          lastMinuteCost: lastMinuteCost, remainingCost: max(0, remainingCost),
                          window: min(60, max(1, runStart.map { now.timeIntervalSince($0) } ?? 60)),
                          ranks: ranks.values.sorted { $0.rank < $1.rank }, run: run, now: now)
    }

    static func writer(of path: String) -> Writer {
        guard let holder = ResultsReader.writerRecordedInLock(path: path), let pid = holder.pid else { return .none }
        let host = holder.host ?? "?"
        guard host == HostName.current else { return .running(pid: pid, host: host, verified: false) }
        // kill(pid, 0) sends nothing; EPERM means the process exists under another user.
        return kill(pid, 0) == 0 || errno == EPERM ? .running(pid: pid, host: host, verified: true) : .stale(pid: pid, host: host)
    }

    static func parseUTC(_ text: String) -> Date? {
        guard !text.isEmpty else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return formatter.date(from: text)
    }

    var isRunning: Bool {
        if case .running = writer { return true }
        return false
    }

    /// The screen: a few lines of totals, one line per rank, the first failures.
    func render(maxFailures: Int = 5) -> String {
        var out: [String] = []
        let percent = expected > 0 ? 100 * Double(done) / Double(expected) : 100
        switch writer {
        case .running(let pid, let host, let verified):
            out.append("\(file): running — writer pid \(pid) on \(host)" + (verified ? "" : " (another host: not checked)"))
        case .stale(let pid, let host):
            out.append("\(file): not running — the lock file names pid \(pid) on \(host), which is gone (killed?); `run --resume` continues")
        case .none:
            out.append("\(file): " + (done >= expected ? "complete" : "not running (stopped or not started)"))
        }
        out.append("done      \(done) / \(expected) tasks (\(String(format: "%.1f", percent)) %)"
                   + (journalRows > 0 ? ", \(journalRows) of them in the journal only" : ""))
        let remaining = max(0, expected - done)
        if isRunning {
            var line = "rate      \(lastMinute) tasks in the last " + (window < 60 ? "\(Int(window)) s" : "minute")
            if lastMinuteCost > 0 && remaining > 0 {
                // Work left over work done per second, both in the cost model's units.
                let eta = remainingCost / lastMinuteCost * window
                line += "; ETA \(Self.duration(eta)) (\(Clock.utcTimestamp(now.addingTimeInterval(eta))), "
                    + "the work left by the cost model at that pace)"
            } else if remaining > 0 {
                line += "; ETA unknown (no task finished in the last minute)"
            }
            out.append(line)
        }
        let diverged = notOK.filter { $0.outcome.status == .diverged }.count
        out.append("failures  \(notOK.count) not ok (\(diverged) diverged, \(notOK.count - diverged) failed)"
                   + (crashedAttempts > 0 ? ", \(crashedAttempts) worker crash(es) on tasks still without a row" : ""))
        if let run {
            var line = "run       \(run.event) started \(run.provenance.created), \(run.provenance.ranks) rank(s)"
            let slurm = run.provenance.slurm.description
            if !slurm.isEmpty { line += ", Slurm \(slurm)" }
            out.append(line)
        }
        if !ranks.isEmpty {
            out.append("")
            let rows = [["rank", "host", "tasks", "busy", "peak RSS"]] + ranks.map { r in
                [String(r.rank), r.host.isEmpty ? "?" : r.host, String(r.tasks), Self.duration(r.busySeconds),
                 r.peakRSSBytes > 0 ? String(format: "%.0f MiB", Double(r.peakRSSBytes) / 1_048_576) : "?"]
            }
            let widths = rows[0].indices.map { k in rows.map { $0[k].count }.max()! }
            for row in rows {
                out.append("  " + row.enumerated().map { k, text in
                    k == 1 ? text.padding(toLength: widths[k], withPad: " ", startingAt: 0)
                        : String(repeating: " ", count: widths[k] - text.count) + text
                }.joined(separator: "  "))
            }
        }
        if !notOK.isEmpty {
            out.append("")
            out.append("first failures")
            for record in notOK.prefix(maxFailures) {
                out.append("  \(record.outcome.status.rawValue) \(record.key)"
                           + (record.outcome.message.isEmpty ? "" : ": \(record.outcome.message.prefix(100))"))
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// e.g. "42 s", "3 min 05 s", "2 h 07 min".
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return String(format: "%d min %02d s", s / 60, s % 60) }
        return String(format: "%d h %02d min", s / 3600, (s % 3600) / 60)
    }
}

/// The `status FILE.h5` entry point: prints the screen once, or with `watch` redraws it every
/// `interval` seconds (clearing a terminal first) until the writer is gone or `maxRedraws`.
func fileStatus(path: String, watch: Bool, interval: Double, maxRedraws: Int?) throws {
    let terminal = isatty(STDOUT_FILENO) == 1
    var redraws = 0
    while true {
        let screen: String
        do {
            screen = try FileStatus.read(path: path).render()
        } catch {
            // The first read must succeed (a wrong path is bad input); later ones may race a
            // rename by the writer, and the next redraw sees the new file.
            guard watch && redraws > 0 else { throw error }
            screen = "\(path): cannot be read just now (\(error)); retrying\n"
        }
        if watch && terminal { print("\u{1B}[H\u{1B}[2J", terminator: "") }
        print(screen, terminator: "")
        fflush(stdout)
        redraws += 1
        guard watch else { return }
        if let maxRedraws, redraws >= maxRedraws { return }
        if case .running = FileStatus.writer(of: path) {} else { return }
        if !terminal { print("") }
        Thread.sleep(forTimeInterval: interval)
    }
}
