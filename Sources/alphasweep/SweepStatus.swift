import ArgumentParser
import Foundation
import ResultsFile
import Slurm
import Sweep
import Vocabulary

/// A submitted sweep directory read back: its plan, jobs, shard files and what Slurm says.
struct SweepDirectoryStatus {
    let directory: String
    let plan: SubmitPlan
    let shards: [ShardStatus]
    let merge: (job: Int?, state: String)
    let sources: [String]
    let problems: [String]

    var failed: [Int] { shards.filter { $0.state == .failed }.map(\.shard) }
    var active: [Int] { shards.filter { $0.state == .pending || $0.state == .running }.map(\.shard) }

    static func load(directory: String, run: CommandRunner) throws -> SweepDirectoryStatus {
        let dir = URL(fileURLWithPath: directory).standardizedFileURL.path
        let planPath = dir + "/plan.json", jobsPath = dir + "/" + SubmittedJobs.fileName
        guard let planData = FileManager.default.contents(atPath: planPath) else {
            throw BadInput("\(planPath): missing: \(directory) is not a sweep directory made by `alphasweep submit` (of this version)")
        }
        let plan: SubmitPlan
        do { plan = try JSONDecoder().decode(SubmitPlan.self, from: planData) } catch {
            throw BadInput("\(planPath): not a submission plan (\(error))")
        }
        let (sweep, _) = try SweepSpec.load(path: dir + "/spec.yaml")
        var jobs = SubmittedJobs()
        if let text = try? String(contentsOfFile: jobsPath, encoding: .utf8) {
            switch SubmittedJobs.parse(text) {
            case .success(let parsed): jobs = parsed
            case .failure(let error): throw BadInput("\(jobsPath): line \(error.line) is not a job entry")
            }
        }
        // The tasks each shard was given: the same split the jobs make (`run --shard I/K`).
        var excluded = Set<TaskKey>()
        if let archive = plan.archive { excluded = Set(try ResultsReader.read(path: archive, includeJournal: true).records.map(\.key)) }
        var expected = [Int](repeating: 0, count: plan.shards)
        SchedulePolicy.forEachAssignment(spec: sweep, shards: plan.shards, excluded: excluded) { unit, shard in
            expected[shard] += unit.optimizers.count
        }
        let latest = latestTasks(jobs)
        let mergeJob = jobs.entries.last(where: { $0.kind == .merge })?.job
        let slurm = SlurmJobStates.query(jobs: Array(Set(jobs.entries.map(\.job))).sorted(), run: run)
        var shards: [ShardStatus] = []
        var problems = slurm.problems
        for shard in 0..<plan.shards {
            let file = dir + "/shard-\(shard).h5"
            var done = 0
            if FileManager.default.fileExists(atPath: file) {
                do {
                    done = Set(try ResultsReader.read(path: file, includeJournal: true).records.map(\.key)).count
                } catch {
                    problems.append("shard-\(shard).h5: \(error)")
                }
            }
            let task = latest[shard]
            var status = ShardStatus.classify(shard: shard, tasksDone: done, tasksExpected: expected[shard], task: task,
                                              slurmState: task.flatMap { slurm.tasks[$0] })
            // The batch script's record of its time-limit requeues (jobs/array.sbatch).
            if let record = try? String(contentsOfFile: file + ".requeues", encoding: .utf8) {
                let count = record.split(separator: "\n").count
                status.note += (status.note.isEmpty ? "" : "; ") + "requeued \(count)× after a time limit"
            }
            shards.append(status)
        }
        let mergeState: String
        if let mergeJob, let state = slurm.jobs[mergeJob] {
            mergeState = state
        } else {
            mergeState = FileManager.default.fileExists(atPath: plan.mergedFile) ? "done (merged.h5 exists)" : "not running"
        }
        return SweepDirectoryStatus(directory: dir, plan: plan, shards: shards, merge: (mergeJob, mergeState),
                                    sources: slurm.sources, problems: problems)
    }

    var text: String {
        let done = shards.reduce(0) { $0 + $1.tasksDone }, expected = shards.reduce(0) { $0 + $1.tasksExpected }
        var counts: [ShardStatus.State: Int] = [:]
        for shard in shards { counts[shard.state, default: 0] += 1 }
        var lines = [
            "sweep      \(directory)",
            "tasks      \(done) of \(expected) done",
            "shards     \(plan.shards): " + [ShardStatus.State.done, .running, .pending, .failed]
                .map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", "),
            "merge      " + (merge.job.map { "job \($0): " } ?? "") + merge.state,
            "from       " + (sources.isEmpty ? "the shard files only (Slurm did not answer)" : sources.joined(separator: ", ") + " and the shard files"),
            "",
            "shard  state     tasks        job            slurm        note",
        ]
        for shard in shards {
            lines.append(String(shard.shard).padding(toLength: 7, withPad: " ", startingAt: 0)
                         + shard.state.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                         + "\(shard.tasksDone)/\(shard.tasksExpected)".padding(toLength: 13, withPad: " ", startingAt: 0)
                         + (shard.task.map(String.init(describing:)) ?? "-").padding(toLength: 15, withPad: " ", startingAt: 0)
                         + (shard.slurmState ?? "-").padding(toLength: 13, withPad: " ", startingAt: 0)
                         + shard.note)
        }
        for problem in problems { lines.append("note: \(problem)") }
        if !failed.isEmpty {
            lines += ["", "to resubmit only the \(failed.count) failed shard(s): alphasweep submit --resubmit \(ShellQuoting.quote(directory))"]
            if !active.isEmpty { lines.append("(after the \(active.count) pending or running shard(s) have ended)") }
        }
        return lines.joined(separator: "\n")
    }
}

/// `submit --resubmit DIR`: the failed shards only, with the first submission's flags.
func resubmitFailed(directory: String, dryRun: Bool) throws -> String {
    let status = try SweepDirectoryStatus.load(directory: directory, run: runCommand)
    guard !status.failed.isEmpty else {
        return "nothing to resubmit in \(status.directory): no shard failed (\(status.active.count) pending or running)"
    }
    guard status.active.isEmpty else {
        throw BadInput("--resubmit: shard(s) \(status.active.map(String.init).joined(separator: ",")) of \(directory) are still pending or running: wait for them or scancel them first")
    }
    // The scontrol beside the sbatch the first submission used (see SubmitRequest.scontrol).
    let sbatch = status.plan.arrayCommand.first ?? "sbatch"
    let scontrol = sbatch.contains("/") ? URL(fileURLWithPath: sbatch).deletingLastPathComponent().appendingPathComponent("scontrol").path
                                        : "scontrol"
    let limits = ClusterLimits.query(scontrol: scontrol, run: runCommand)
    let (commands, jobs) = try resubmitShards(status.failed, plan: status.plan, limits: limits, dryRun: dryRun)
    let shards = status.failed.map(String.init).joined(separator: ",")
    if dryRun {
        return (["dry run: nothing submitted; would resubmit shard(s) \(shards) with"] + commands.map(ShellQuoting.line)).joined(separator: "\n")
    }
    let ids = jobs.map { String($0.id) }
    return "resubmitted shard(s) \(shards): array job(s) \(ids.dropLast().joined(separator: ", ")), merge job \(ids.last!)\n"
        + "watch with: alphasweep status \(ShellQuoting.quote(status.directory))"
}
