import Foundation

/// One task of a job array: `JOB_INDEX` in Slurm's notation.
public struct ArrayTask: Hashable, Sendable, CustomStringConvertible {
    public var job: Int
    public var index: Int
    public init(job: Int, index: Int) {
        self.job = job
        self.index = index
    }
    public var description: String { "\(job)_\(index)" }
}

/// What Slurm says about some jobs: the state of each array task and of each plain job, from
/// squeue (jobs in the queue), then sacct (finished jobs, where accounting is kept), else
/// `scontrol show job` (finished jobs for MinJobAge, 300 s by default, when there is no
/// accounting). A task absent from all three is unknown: Slurm forgot it.
public struct SlurmJobStates: Equatable, Sendable {
    public var tasks: [ArrayTask: String] = [:]
    public var jobs: [Int: String] = [:]
    /// The tools that answered, in order ("squeue", "sacct", "scontrol").
    public var sources: [String] = []
    /// Why a tool gave nothing (its one-line error), for the report.
    public var problems: [String] = []

    public init() {}

    /// Slurm's states of a job in the queue that has not started yet / has.
    public static let pendingStates: Set<String> = ["PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD",
                                                    "SUSPENDED"]
    public static let runningStates: Set<String> = ["CONFIGURING", "RUNNING", "COMPLETING", "SIGNALING", "STAGE_OUT",
                                                    "RESIZING"]

    /// Asks squeue, sacct and (when sacct cannot answer) scontrol about `jobs`, through `run`.
    public static func query(jobs: [Int], run: CommandRunner) -> SlurmJobStates {
        var states = SlurmJobStates()
        guard !jobs.isEmpty else { return states }
        let list = jobs.map(String.init).joined(separator: ",")
        var finished = SlurmJobStates()
        do {
            finished.absorb(parseSacct(try run(["sacct", "-n", "-P", "-X", "-j", list, "-o", "JobID,State"])))
            states.sources.append("sacct")
        } catch {
            states.problems.append("sacct: \(error)")
            var answered = false
            for job in jobs {
                if let text = try? run(["scontrol", "-o", "show", "job", String(job)]) {
                    finished.absorb(parseScontrol(text))
                    answered = true
                }
            }
            if answered { states.sources.append("scontrol") }
        }
        states.absorb(finished)
        do {
            // squeue last: it is the live view of whatever is still queued or running.
            states.absorb(parseSqueue(try run(["squeue", "-h", "-r", "-j", list, "-o", "%F|%K|%T"])))
            states.sources.insert("squeue", at: 0)
        } catch {
            states.problems.append("squeue: \(error)")
        }
        return states
    }

    mutating func absorb(_ other: SlurmJobStates) {
        tasks.merge(other.tasks) { _, new in new }
        jobs.merge(other.jobs) { _, new in new }
    }

    /// `squeue -h -r -o '%F|%K|%T'`: array job id, task index (N/A for a plain job), state.
    public static func parseSqueue(_ text: String) -> SlurmJobStates {
        var states = SlurmJobStates()
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 3, let job = Int(fields[0]), !fields[2].isEmpty else { continue }
            if let index = Int(fields[1]) { states.tasks[ArrayTask(job: job, index: index)] = fields[2] } else { states.jobs[job] = fields[2] }
        }
        return states
    }

    /// `sacct -n -P -X -o JobID,State`: `4101_2|COMPLETED`, `4102|CANCELLED by 0`; ranges of
    /// pending tasks (`4101_[3-5]`) are left to squeue.
    public static func parseSacct(_ text: String) -> SlurmJobStates {
        var states = SlurmJobStates()
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 2, let state = fields[1].split(separator: " ").first.map(String.init) else { continue }
            let id = fields[0].split(separator: "_", omittingEmptySubsequences: false)
            if id.count == 2, let job = Int(id[0]), let index = Int(id[1]) {
                states.tasks[ArrayTask(job: job, index: index)] = state
            } else if id.count == 1, let job = Int(id[0]) {
                states.jobs[job] = state
            }
        }
        return states
    }

    /// `scontrol -o show job J`: one line per record with `JobId=… ArrayJobId=… ArrayTaskId=…
    /// JobState=…`; a record whose ArrayTaskId is a range (pending tasks) is left to squeue.
    public static func parseScontrol(_ text: String) -> SlurmJobStates {
        var states = SlurmJobStates()
        for line in text.split(whereSeparator: \.isNewline) {
            var fields: [String: String] = [:]
            for word in line.split(separator: " ") {
                let pair = word.split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2, fields[pair[0]] == nil { fields[pair[0]] = pair[1] }
            }
            guard let state = fields["JobState"] else { continue }
            if let job = fields["ArrayJobId"].flatMap(Int.init) {
                if let index = fields["ArrayTaskId"].flatMap(Int.init) { states.tasks[ArrayTask(job: job, index: index)] = state }
            } else if let job = fields["JobId"].flatMap(Int.init) {
                states.jobs[job] = state
            }
        }
        return states
    }
}

/// Where one shard of a submitted sweep stands.
public struct ShardStatus: Equatable, Sendable {
    public enum State: String, Sendable { case pending, running, done, failed }

    public var shard: Int
    public var state: State
    public var tasksDone: Int
    public var tasksExpected: Int
    /// The array task that ran it last (`4101_2`), if any was submitted.
    public var task: ArrayTask?
    /// Slurm's state of that task, when Slurm still knows it.
    public var slurmState: String?
    /// Why, in a few words (for failed shards especially).
    public var note: String

    public init(shard: Int, state: State, tasksDone: Int, tasksExpected: Int, task: ArrayTask?, slurmState: String?, note: String) {
        self.shard = shard
        self.state = state
        self.tasksDone = tasksDone
        self.tasksExpected = tasksExpected
        self.task = task
        self.slurmState = slurmState
        self.note = note
    }

    /// A shard is done when its file holds every task it was given, whatever Slurm says; pending
    /// or running while Slurm has its task in the queue; failed otherwise (it ended, or was
    /// never run, short of its tasks).
    public static func classify(shard: Int, tasksDone: Int, tasksExpected: Int, task: ArrayTask?,
                                slurmState: String?) -> ShardStatus {
        func status(_ state: State, _ note: String) -> ShardStatus {
            ShardStatus(shard: shard, state: state, tasksDone: tasksDone, tasksExpected: tasksExpected, task: task,
                        slurmState: slurmState, note: note)
        }
        if tasksDone >= tasksExpected { return status(.done, "") }
        if let slurmState {
            if SlurmJobStates.pendingStates.contains(slurmState) { return status(.pending, "") }
            if SlurmJobStates.runningStates.contains(slurmState) { return status(.running, "") }
            return status(.failed, "job ended \(slurmState) with \(tasksExpected - tasksDone) task(s) left")
        }
        guard let task else { return status(.failed, "never submitted") }
        return status(.failed, "\(task) is no longer known to Slurm and its file is incomplete")
    }
}

/// The latest array task submitted for each shard, from `DIR/jobs.tsv` (a later submission of a
/// shard replaces an earlier one).
public func latestTasks(_ jobs: SubmittedJobs) -> [Int: ArrayTask] {
    var latest: [Int: ArrayTask] = [:]
    for entry in jobs.entries where entry.kind == .array {
        for shard in entry.shards { latest[shard] = ArrayTask(job: entry.job, index: shard - entry.firstShard) }
    }
    return latest
}
