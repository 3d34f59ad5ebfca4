import ArgumentParser
import Foundation
import ResultsFile
import Slurm
import Sweep
import Vocabulary

struct Submit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit a sweep to Slurm: a job array of K shards, then a merge-and-analyze job.",
        discussion: """
        Array task I runs `alphasweep run SPEC --shard I/K` into DIR/shard-I.h5 (resuming the file \
        if it exists). Once every task exited with 0, a dependent job (afterok) merges the shards \
        into DIR/merged.h5 and writes DIR/alpha.json and DIR/figures/. The jobs read a copy of the \
        spec, DIR/spec.yaml; logs go to DIR/logs/; the sbatch commands that ran are in \
        DIR/submit-commands.txt. Submitting again to the same DIR resumes the shards (a different \
        spec is refused). 120 s before its time limit a task stops cleanly and can be resubmitted. \
        K may exceed the cluster's MaxArraySize (read with `scontrol show config`): the shards are \
        then split over several array jobs. DIR/jobs.tsv lists every job submitted there.
        """)

    @Argument(help: "The sweep spec (YAML).") var spec: String?
    @Option(name: .customLong("array"), help: ArgumentHelp("The number of shards, one array task each.", valueName: "K"))
    var shards: Int?
    @Option(help: ArgumentHelp("The output directory (created; shards, merged file, α table, figures, logs).", valueName: "DIR"))
    var out: String?
    @Option(help: ArgumentHelp("Submit again only the failed shards of a sweep submitted to DIR (see `alphasweep status DIR`), with its first flags, and a new merge job.",
                               valueName: "DIR"))
    var resubmit: String?
    @Option(help: "Slurm partition (or several, comma-separated).") var partition: String?
    @Option(help: "Time limit of each array task and of the merge job (Slurm format: 04:00:00, 1-12, …).") var time: String?
    @Option(help: "Slurm account to charge.") var account: String?
    @Option(help: "MPI ranks per shard: 1 trains in one process; R > 1 is one coordinator and R - 1 workers.")
    var ranksPerShard: Int = 1
    @Flag(help: "Print the sbatch commands; submit and write nothing.") var dryRun = false
    @Option(help: "The sbatch program (a name in PATH or a path).") var sbatch: String = "sbatch"
    @Option(help: ArgumentHelp("Grow this archive: the array runs only the tasks it lacks; the merge job merges it with them into DIR/merged.h5 (the archive is never modified).",
                               valueName: "ARCHIVE.h5"))
    var extend: String?
    @Option(help: ArgumentHelp("At most R array tasks run at once (--array=0-M%R).", valueName: "R"))
    var maxRunning: Int?
    @Option(help: ArgumentHelp("A shard stopped by its time limit requeues itself (and resumes) at most N times; 0: never.", valueName: "N"))
    var requeueLimit: Int = SubmitRequest.defaultRequeueLimit

    func validate() throws {
        if resubmit != nil {
            guard spec == nil, shards == nil, out == nil, extend == nil, partition == nil, time == nil, account == nil,
                  maxRunning == nil else {
                throw ValidationError("--resubmit DIR takes no spec, --array, --out, --extend, --partition, --time, --account or --max-running: it reuses those of DIR's first submission (DIR/plan.json)")
            }
        } else {
            guard spec != nil else { throw ValidationError("Missing expected argument '<spec>'") }
            guard shards != nil else { throw ValidationError("Missing expected argument '--array <K>'") }
            guard out != nil else { throw ValidationError("Missing expected argument '--out <DIR>'") }
        }
    }

    func run() throws {
        if let resubmit {
            print(try resubmitFailed(directory: resubmit, dryRun: dryRun))
            return
        }
        let spec = spec!, shards = shards!, out = out!
        if let extend {
            // The jobs read the archive later; a different experiment is refused now.
            let contents = try ResultsReader.read(path: extend, includeJournal: true)
            let (sweep, _) = try SweepSpec.load(path: spec)
            let theirs = try contents.experiment ?? RunPlan.experiment(ofSpecText: contents.specText, in: extend)
            guard theirs.sha256 == sweep.experimentSHA256 else {
                throw ResultsFileError.experimentMismatch(path: extend, differences: Experiment.differences(
                    theirs.text, sweep.experiment.canonicalText, firstLabel: "archive", secondLabel: "spec").joined(separator: "; "))
            }
        }
        let request = SubmitRequest(specPath: spec, shards: shards, outDirectory: out, partition: partition,
                                    time: time, account: account, ranksPerShard: ranksPerShard,
                                    sbatch: sbatch, dryRun: dryRun, archive: extend, maxRunning: maxRunning,
                                    requeueLimit: requeueLimit)
        do {
            print(try submitSweep(request).summary)
        } catch let error as SubmitError where error.isBadInput {
            throw BadInput(error.message)
        }
    }
}
