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
///
/// Every job runs in DIR (`--chdir`), so its logs are `logs/…` relative to it (Slurm's `%`
/// patterns in file names then never meet a `%` of the user's directory name).
public struct SubmitPlan: Equatable, Sendable {
    public var outDirectory: String
    public var shards: Int
    public var arrayCommand: [String]
    /// The merge command without its dependency; see `mergeCommand(after:)`.
    var mergeBase: [String]
    var mergeArguments: [String]

    public var specCopy: String { outDirectory + "/spec.yaml" }
    public var arrayScript: String { outDirectory + "/array.sbatch" }
    public var mergeScript: String { outDirectory + "/merge-analyze.sbatch" }
    public var logDirectory: String { outDirectory + "/logs" }
    public var commandsFile: String { outDirectory + "/submit-commands.txt" }
    public var mergedFile: String { outDirectory + "/merged.h5" }

    /// - Parameters:
    ///   - request: a validated request (see `SubmitRequest.validate()`).
    ///   - outDirectory: DIR, absolute.
    ///   - jobName: the array job's name; the merge job's is `jobName-merge`.
    public init(request: SubmitRequest, outDirectory: String, jobName: String) {
        self.outDirectory = outDirectory
        self.shards = request.shards
        var common: [String] = []
        if let partition = request.partition { common.append("--partition=\(partition)") }
        if let account = request.account { common.append("--account=\(account)") }
        if let time = request.time { common.append("--time=\(time)") }
        common += ["--chdir=\(outDirectory)", "--kill-on-invalid-dep=yes"]

        let k = request.shards
        arrayCommand = [request.sbatch, "--parsable",
                        "--job-name=\(jobName)",
                        "--array=0-\(k - 1)",
                        "--ntasks=\(request.ranksPerShard)",
                        "--cpus-per-task=1",
                        "--output=logs/%x-%A_%a.out"]
            + common
            + [outDirectory + "/array.sbatch", outDirectory + "/spec.yaml", outDirectory, String(k),
               request.alphasweepPath] + (request.archive.map { [absolutePath($0)] } ?? [])
        mergeBase = [request.sbatch, "--parsable",
                     "--job-name=\(jobName)-merge",
                     "--ntasks=1",
                     "--cpus-per-task=1",
                     "--output=logs/%x-%j.out"]
            + common
        mergeArguments = [outDirectory + "/merge-analyze.sbatch", outDirectory, String(k), request.alphasweepPath]
            + (request.archive.map { [absolutePath($0)] } ?? [])
    }

    /// The merge job's command: it starts once every task of `arrayJob` exited with 0, and is
    /// removed from the queue if one did not (`--kill-on-invalid-dep=yes`).
    public func mergeCommand(after arrayJob: JobID) -> [String] {
        mergeCommand(dependency: "afterok:\(arrayJob.id)")
    }

    func mergeCommand(dependency: String) -> [String] {
        mergeBase + ["--dependency=\(dependency)"] + mergeArguments
    }
}
