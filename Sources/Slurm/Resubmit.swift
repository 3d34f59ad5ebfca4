import Foundation

/// Submits again only some shards of a sweep submitted before (`submit --resubmit DIR`): the
/// same flags (from `DIR/plan.json`), explicit array indices, and a new merge job after them
/// (the first merge was removed from the queue when a shard failed: `--kill-on-invalid-dep`).
/// Appends to `DIR/jobs.tsv` and `DIR/submit-commands.txt`.
///
/// - Parameters:
///   - dryRun: only return the commands, with placeholders for job ids.
/// - Returns: the commands, and the job ids (empty on a dry run).
public func resubmitShards(_ shards: [Int], plan: SubmitPlan, limits: ClusterLimits, dryRun: Bool,
                           run: CommandRunner = runCommand) throws -> (commands: [[String]], jobs: [JobID]) {
    precondition(!shards.isEmpty && shards.allSatisfy { (0..<plan.shards).contains($0) })
    let windows = plan.resubmission(of: shards, maxArraySize: limits.maxArraySize)
    if dryRun {
        let names = windows.indices.map { windows.count == 1 ? "<array job id>" : "<array job \($0 + 1) id>" }
        var commands = windows.indices.map {
            plan.resubmitCommand(firstShard: windows[$0].firstShard, shards: windows[$0].shards, after: $0 == 0 ? nil : names[$0 - 1])
        }
        commands.append(plan.mergeCommand(dependency: "afterok:" + names.joined(separator: ":")))
        return (commands, [])
    }
    var ran: [[String]] = [], jobs: [JobID] = [], entries: [SubmittedJobs.Entry] = []
    defer {
        try? SubmittedJobs.append(entries, to: plan.jobsFile)
        if let handle = FileHandle(forWritingAtPath: plan.commandsFile) {
            _ = try? handle.seekToEnd()
            try? handle.write(contentsOf: Data(ran.map { ShellQuoting.line($0) + "\n" }.joined().utf8))
            try? handle.close()
        }
    }
    for window in windows {
        let command = plan.resubmitCommand(firstShard: window.firstShard, shards: window.shards, after: jobs.last.map { String($0.id) })
        ran.append(command)
        let job = try submit(command, run: run, what: "the resubmitted shards \(window.shards.map(String.init).joined(separator: ","))")
        jobs.append(job)
        entries.append(.init(kind: .array, job: job.id, firstShard: window.firstShard, shards: window.shards,
                             submitted: SubmittedJobs.now()))
    }
    let merge = plan.mergeCommand(after: jobs)
    ran.append(merge)
    let mergeJob = try submit(merge, run: run, what: "the merge job")
    entries.append(.init(kind: .merge, job: mergeJob.id, shards: Array(0..<plan.shards), submitted: SubmittedJobs.now()))
    return (ran, jobs + [mergeJob])
}
