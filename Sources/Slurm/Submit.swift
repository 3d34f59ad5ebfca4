import Foundation
import Sweep
import Vocabulary

/// What a submission did: the jobs Slurm accepted and the commands that ran.
public struct SubmitResult: Equatable, Sendable {
    /// The array job (nil on a dry run).
    public var arrayJob: JobID?
    /// The merge-and-analyze job (nil on a dry run).
    public var mergeJob: JobID?
    /// The `sbatch` argument arrays, in order. On a dry run the merge command's dependency reads
    /// `afterok:<array job id>`.
    public var commands: [[String]]
    public var plan: SubmitPlan
    public var dryRun: Bool

    /// The commands, one shell-quoted line each (what `submit-commands.txt` holds).
    public var commandLines: [String] { commands.map(ShellQuoting.line) }

    /// A few lines for the user: the job ids and where the results will be.
    public var summary: String {
        guard let arrayJob, let mergeJob else {
            return "dry run: nothing submitted; would run\n" + commandLines.joined(separator: "\n")
        }
        let dir = plan.outDirectory
        return """
            submitted array job \(arrayJob) (\(plan.shards) shard\(plan.shards == 1 ? "" : "s") -> \(dir)/shard-I.h5)
            submitted merge job \(mergeJob) (after every shard succeeded -> \(dir)/merged.h5, \(dir)/alpha.json, \(dir)/figures)
            logs in \(dir)/logs; commands in \(plan.commandsFile); watch with: squeue -j \(arrayJob.id),\(mergeJob.id)
            """
    }
}

/// Submits a sweep as a Slurm job array of K shards plus a dependent merge-and-analyze job.
///
/// Checks the flags and the spec, prepares DIR (see `SubmitPlan`), runs `sbatch --parsable`
/// for the array job, then for the merge job with `--dependency=afterok:<array job id>`, and
/// records the commands that ran in `DIR/submit-commands.txt`. A second submission to the same
/// DIR resumes the shard files already there; it is refused if DIR holds another sweep.
///
/// - Parameters:
///   - request: what to submit.
///   - run: runs one argument array, returns its standard output (tests pass a fake).
/// - Returns: the job ids and commands.
/// - Throws: `SubmitError`; `isBadInput` for errors in the request, the spec or DIR.
public func submitSweep(_ request: SubmitRequest, run: CommandRunner = runCommand) throws -> SubmitResult {
    try request.validate()
    let spec: SweepSpec
    let specText: String
    do {
        (spec, specText) = try SweepSpec.load(path: request.specPath)
    } catch let error as SpecError {
        throw SubmitError.badInput(error.description)
    }
    let instances = spec.grid.instances.count
    guard request.shards <= instances else {
        throw SubmitError.badInput("--array: \(request.shards) shards but the sweep has only \(instances) instances (at most one shard each)")
    }
    if request.sbatch.contains("/"), !FileManager.default.isExecutableFile(atPath: request.sbatch) {
        throw SubmitError.badInput("--sbatch: '\(request.sbatch)' is not an executable file")
    }

    let dir = absolutePath(request.outDirectory)
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    if fm.fileExists(atPath: dir, isDirectory: &isDirectory), !isDirectory.boolValue {
        throw SubmitError.badInput("--out: '\(request.outDirectory)' exists and is not a directory")
    }
    let stem = URL(fileURLWithPath: request.specPath).deletingPathExtension().lastPathComponent
    let plan = SubmitPlan(request: request, outDirectory: dir, jobName: "alphasweep-" + SlurmSyntax.jobName(stem))
    try checkSameSweep(plan: plan, spec: spec)

    if request.dryRun {
        return SubmitResult(arrayJob: nil, mergeJob: nil,
                            commands: [plan.arrayCommand, plan.mergeCommand(dependency: "afterok:<array job id>")],
                            plan: plan, dryRun: true)
    }

    try checkSpectrumFilesCanBeCopied(spec)
    try prepare(plan: plan, specText: specText, spectra: spec.experiment.spectrumFiles)
    var ran: [[String]] = []
    defer { try? (ran.map(ShellQuoting.line).joined(separator: "\n") + "\n").write(toFile: plan.commandsFile, atomically: true, encoding: .utf8) }

    ran.append(plan.arrayCommand)
    let arrayJob = try submit(plan.arrayCommand, run: run, what: "the array job")
    let mergeCommand = plan.mergeCommand(after: arrayJob)
    ran.append(mergeCommand)
    let mergeJob: JobID
    do {
        mergeJob = try submit(mergeCommand, run: run, what: "the merge job")
    } catch let error as SubmitError {
        throw SubmitError.failure("\(error.message) (array job \(arrayJob) is queued: cancel it with `scancel \(arrayJob.id)`, "
                                  + "or submit the merge by hand: \(ShellQuoting.line(mergeCommand)))")
    }
    return SubmitResult(arrayJob: arrayJob, mergeJob: mergeJob, commands: ran, plan: plan, dryRun: false)
}

private func submit(_ argv: [String], run: CommandRunner, what: String) throws -> JobID {
    let output: String
    do { output = try run(argv) } catch let error as SubmitError {
        throw SubmitError.failure("submitting \(what): \(error.message)")
    } catch {
        throw SubmitError.failure("submitting \(what): \(error)")
    }
    guard let job = JobID(parsableOutput: output) else {
        let shown = output.trimmingCharacters(in: .whitespacesAndNewlines)
        throw SubmitError.failure("submitting \(what): sbatch printed no job id (\(shown.isEmpty ? "nothing" : "'\(shown.prefix(200))'"))")
    }
    return job
}

/// Refuses a DIR that already holds the shards of a different sweep (by the spec's canonical
/// sha256, so comments and key order do not matter).
private func checkSameSweep(plan: SubmitPlan, spec: SweepSpec) throws {
    guard FileManager.default.fileExists(atPath: plan.specCopy) else { return }
    let existing: SweepSpec
    do { existing = try SweepSpec.load(path: plan.specCopy).spec } catch {
        throw SubmitError.badInput("\(plan.specCopy): unreadable spec of an earlier submission (\(error)); choose another --out")
    }
    guard existing.sha256 == spec.sha256 else {
        throw SubmitError.badInput("--out: \(plan.outDirectory) holds another sweep (its spec.yaml differs); choose another --out")
    }
}

/// The jobs read DIR/spec.yaml, so a relative spectrum file is copied to the same relative
/// place under DIR: it must stay inside the spec's directory.
private func checkSpectrumFilesCanBeCopied(_ spec: SweepSpec) throws {
    for file in spec.experiment.spectrumFiles where !file.writtenPath.hasPrefix("/") {
        if file.writtenPath.split(separator: "/").contains("..") {
            throw SubmitError.badInput("spectrum_files: '\(file.writtenPath)' leaves the spec's directory; submit copies the spec "
                                       + "and its spectrum files into --out, so give a path below the spec's directory or an absolute one")
        }
    }
}

/// Creates DIR and DIR/logs, copies the spec (unless the same sweep's copy is there) and its
/// relative spectrum files, and writes the two batch scripts.
private func prepare(plan: SubmitPlan, specText: String, spectra: [FileSpectrum]) throws {
    let fm = FileManager.default
    do {
        try fm.createDirectory(atPath: plan.logDirectory, withIntermediateDirectories: true)
        if !fm.fileExists(atPath: plan.specCopy) {
            try specText.write(toFile: plan.specCopy, atomically: true, encoding: .utf8)
        }
        for file in spectra where !file.writtenPath.hasPrefix("/") {
            let copy = URL(fileURLWithPath: plan.outDirectory).appendingPathComponent(file.writtenPath)
            guard !fm.fileExists(atPath: copy.path) else { continue }
            try fm.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fm.copyItem(atPath: file.foundPath, toPath: copy.path)
        }
        for (path, text) in [(plan.arrayScript, BatchScripts.array), (plan.mergeScript, BatchScripts.mergeAnalyze)] {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
    } catch {
        throw SubmitError.failure("\(plan.outDirectory): cannot prepare the output directory: \(error.localizedDescription)")
    }
}
