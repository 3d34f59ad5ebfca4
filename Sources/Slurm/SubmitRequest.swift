import Foundation
import Platform

/// What `alphasweep submit SPEC --array K --out DIR …` asks for.
///
/// ```swift
/// let request = SubmitRequest(specPath: "jobs/default.yaml", shards: 8, outDirectory: "runs/a",
///                             partition: "short", time: "04:00:00", ranksPerShard: 9)
/// let result = try submitSweep(request)   // runs sbatch twice
/// print(result.arrayJob!.id, result.mergeJob!.id)
/// ```
public struct SubmitRequest: Equatable, Sendable {
    /// The sweep spec; validated, then copied to `DIR/spec.yaml`, which the jobs read.
    public var specPath: String
    /// K: the number of shards, one array task each (`--array 0-(K-1)`).
    public var shards: Int
    /// DIR: shard files, merged file, α table, figures, logs and the submitted scripts.
    public var outDirectory: String
    /// `--partition` (a name, or names separated by commas).
    public var partition: String?
    /// `--time` of each array task and of the merge job, in a Slurm time format
    /// (`MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`).
    public var time: String?
    /// `--account`.
    public var account: String?
    /// MPI ranks of each array task (`--ntasks`). With 1 the single rank runs the tasks itself;
    /// with R > 1 rank 0 coordinates and R - 1 ranks train.
    public var ranksPerShard: Int
    /// The `sbatch` to run: a name looked up in PATH, or a path.
    public var sbatch: String
    /// The alphasweep binary the jobs run (normally the running one: `Executables.current`).
    public var alphasweepPath: String
    /// Only plan: write nothing, submit nothing; the result lists the commands.
    public var dryRun: Bool
    /// A results file this sweep extends (`--extend`): the shards run only the tasks it lacks,
    /// and the merge job merges it with them into `DIR/merged.h5`; it is never modified. The
    /// caller has checked it holds the spec's experiment.
    public var archive: String?
    /// `--max-running R`: at most R array tasks at once (`--array=0-M%R`); nil: no throttle.
    public var maxRunning: Int?
    /// `--requeue-limit N`: an array task stopped by its time limit requeues itself (and
    /// resumes its shard) at most N times (`ALPHASWEEP_REQUEUE_LIMIT` in jobs/array.sbatch).
    public var requeueLimit: Int
    public static let defaultRequeueLimit = 3
    /// The `scontrol` that reports the cluster's MaxArraySize: beside `sbatch` when that is a
    /// path, else looked up in PATH.
    public var scontrol: String {
        sbatch.contains("/") ? URL(fileURLWithPath: sbatch).deletingLastPathComponent().appendingPathComponent("scontrol").path
                             : "scontrol"
    }

    public init(specPath: String, shards: Int, outDirectory: String,
                partition: String? = nil, time: String? = nil, account: String? = nil,
                ranksPerShard: Int = 1, sbatch: String = "sbatch",
                alphasweepPath: String = Executables.current, dryRun: Bool = false, archive: String? = nil,
                maxRunning: Int? = nil, requeueLimit: Int = SubmitRequest.defaultRequeueLimit) {
        self.specPath = specPath
        self.shards = shards
        self.outDirectory = outDirectory
        self.partition = partition
        self.time = time
        self.account = account
        self.ranksPerShard = ranksPerShard
        self.sbatch = sbatch
        self.alphasweepPath = alphasweepPath
        self.dryRun = dryRun
        self.archive = archive
        self.maxRunning = maxRunning
        self.requeueLimit = requeueLimit
    }
}

/// `path` made absolute against the current directory, with `.` and `..` resolved.
func absolutePath(_ path: String) -> String {
    let base = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
    return URL(fileURLWithPath: path, relativeTo: base).standardizedFileURL.path
}
