/// The files and `sbatch` argument arrays of one submission: a pure function of the request.
///
/// Layout of the output directory DIR (absolute):
///
///     DIR/spec.yaml               the spec the jobs read (a copy: later edits of the original
///                                 do not reach jobs still in the queue)
///     DIR/array.sbatch            BatchScripts.array
///     DIR/merge-analyze.sbatch    BatchScripts.mergeAnalyze
///     DIR/logs/                   one log per array task and one for the merge job
///     DIR/shard-I.h5              written by array task I
///     DIR/merged.h5, alpha.json, figures/   written by the merge job
///     DIR/submit-commands.txt     the sbatch commands that ran, shell-quoted
///     DIR/jobs.tsv                every job submitted here and the shards it runs (`SubmittedJobs`)
///     DIR/plan.json               this plan, for `submit --resubmit DIR` and `status DIR`
///
/// Every job runs in DIR (`--chdir`), so its logs are `logs/…` relative to it (Slurm's `%`
/// patterns in file names then never meet a `%` of the user's directory name).
public struct SubmitPlan: Equatable, Sendable, Codable {
    public var outDirectory: String
    public var shards: Int
    /// The array jobs, in submission order: one unless K exceeds the cluster's MaxArraySize.
    public var chunks: [ArrayChunk]
    /// `--max-running R`: at most R array tasks run at once (`%R`). With several array jobs
    /// each waits for the one before it (afterany), so R holds for the whole sweep.
    public var maxRunning: Int?
    var arrayBase: [String]
    var arrayArguments: [String]
    var archiveArgument: String?
    /// The merge command without its dependency; see `mergeCommand(after:)`.
    var mergeBase: [String]
    var mergeArguments: [String]

    public var specCopy: String { outDirectory + "/spec.yaml" }
    public var arrayScript: String { outDirectory + "/array.sbatch" }
    public var mergeScript: String { outDirectory + "/merge-analyze.sbatch" }
    public var logDirectory: String { outDirectory + "/logs" }
    public var commandsFile: String { outDirectory + "/submit-commands.txt" }
    /// One line per job submitted to DIR, appended at each submission (`SubmittedJobs`).
    public var jobsFile: String { outDirectory + "/" + SubmittedJobs.fileName }
    public var mergedFile: String { outDirectory + "/merged.h5" }
    /// The plan itself (JSON), so `submit --resubmit DIR` reuses the same flags.
    public var planFile: String { outDirectory + "/plan.json" }
    /// The archive the sweep extends (`--extend`), absolute.
    public var archive: String? { archiveArgument }

    /// - Parameters:
    ///   - request: a validated request (see `SubmitRequest.validate()`).
    ///   - outDirectory: DIR, absolute.
    ///   - jobName: the array job's name; the merge job's is `jobName-merge`.
    ///   - maxArraySize: the cluster's MaxArraySize (≥ 1).
    public init(request: SubmitRequest, outDirectory: String, jobName: String,
                maxArraySize: Int = ClusterLimits.slurmDefaultMaxArraySize) {
        self.outDirectory = outDirectory
        self.shards = request.shards
        self.maxRunning = request.maxRunning
        self.chunks = ArrayChunk.split(shards: request.shards, maxArraySize: maxArraySize)
        var common: [String] = []
        if let partition = request.partition { common.append("--partition=\(partition)") }
        if let account = request.account { common.append("--account=\(account)") }
        if let time = request.time { common.append("--time=\(time)") }
        common += ["--chdir=\(outDirectory)", "--kill-on-invalid-dep=yes"]

        let k = request.shards
        arrayBase = [request.sbatch, "--parsable",
                     "--job-name=\(jobName)"]
        arrayArguments = ["--ntasks=\(request.ranksPerShard)",
                          "--cpus-per-task=1",
                          "--output=logs/%x-%A_%a.out",
                          // The job's environment, plus the cap on time-limit requeues.
                          "--export=ALL,ALPHASWEEP_REQUEUE_LIMIT=\(request.requeueLimit)"]
            + common
            + [outDirectory + "/array.sbatch", outDirectory + "/spec.yaml", outDirectory, String(k),
               request.alphasweepPath]
        archiveArgument = request.archive.map { absolutePath($0) }
        mergeBase = [request.sbatch, "--parsable",
                     "--job-name=\(jobName)-merge",
                     "--ntasks=1",
                     "--cpus-per-task=1",
                     "--output=logs/%x-%j.out"]
            + common
        mergeArguments = [outDirectory + "/merge-analyze.sbatch", outDirectory, String(k), request.alphasweepPath]
            + (request.archive.map { [absolutePath($0)] } ?? [])
    }

    /// The first array job's command (the only one unless K > MaxArraySize).
    public var arrayCommand: [String] { arrayCommand(chunk: 0, after: nil) }

    /// The command of array job `chunk`; `after` is the array job before it, which it waits
    /// for when the sweep is throttled (`--max-running`).
    public func arrayCommand(chunk index: Int, after previous: String?) -> [String] {
        let chunk = chunks[index]
        var command = arrayBase + ["--array=0-\(chunk.count - 1)" + (maxRunning.map { "%\($0)" } ?? "")]
        if let previous, maxRunning != nil { command.append("--dependency=afterany:\(previous)") }
        command += arrayArguments
        // array.sbatch's 5th and 6th arguments: the archive ("" for none) and the first shard.
        if chunk.firstShard > 0 {
            command += [archiveArgument ?? "", String(chunk.firstShard)]
        } else if let archiveArgument {
            command.append(archiveArgument)
        }
        return command
    }

    /// The merge job's command: it starts once every task of every array job exited with 0,
    /// and is removed from the queue if one did not (`--kill-on-invalid-dep=yes`).
    public func mergeCommand(after arrayJobs: [JobID]) -> [String] {
        mergeCommand(dependency: "afterok:" + arrayJobs.map { String($0.id) }.joined(separator: ":"))
    }

    public func mergeCommand(after arrayJob: JobID) -> [String] { mergeCommand(after: [arrayJob]) }

    func mergeCommand(dependency: String) -> [String] {
        mergeBase + ["--dependency=\(dependency)"] + mergeArguments
    }

    /// The array jobs that run again only `shards` (sorted, each < K), as in the first
    /// submission but with explicit indices: shards in one window of MaxArraySize
    /// [F, F + MaxArraySize) go to one array job with FIRST_SHARD = F and indices shard - F.
    public func resubmission(of shards: [Int], maxArraySize: Int) -> [(firstShard: Int, shards: [Int])] {
        let size = max(1, maxArraySize)
        var windows: [(firstShard: Int, shards: [Int])] = []
        for shard in shards.sorted() {
            let first = shard / size * size
            if windows.last?.firstShard == first { windows[windows.count - 1].shards.append(shard) } else { windows.append((first, [shard])) }
        }
        return windows
    }

    /// The command of one resubmitted array job (see `resubmission(of:maxArraySize:)`).
    public func resubmitCommand(firstShard: Int, shards: [Int], after previous: String?) -> [String] {
        let indices = shards.map { String($0 - firstShard) }.joined(separator: ",")
        var command = arrayBase + ["--array=" + indices + (maxRunning.map { "%\($0)" } ?? "")]
        if let previous, maxRunning != nil { command.append("--dependency=afterany:\(previous)") }
        command += arrayArguments
        if firstShard > 0 {
            command += [archiveArgument ?? "", String(firstShard)]
        } else if let archiveArgument {
            command.append(archiveArgument)
        }
        return command
    }

    /// The commands of a dry run, with placeholders for the job ids.
    var dryRunCommands: [[String]] {
        let names = chunks.count == 1 ? ["<array job id>"] : chunks.indices.map { "<array job \($0 + 1) id>" }
        var commands = chunks.indices.map { arrayCommand(chunk: $0, after: $0 == 0 ? nil : names[$0 - 1]) }
        commands.append(mergeCommand(dependency: "afterok:" + names.joined(separator: ":")))
        return commands
    }
}
