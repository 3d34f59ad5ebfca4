import ArgumentParser
import Coordinator
import Foundation
import MessagePassing
import Numerics
import Platform
import ResultsFile
import Sweep
import Vocabulary
import Worker

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a sweep (alone, or under mpirun/srun with rank 0 coordinating).",
        discussion: """
        Every rank runs this same command. Rank 0 reads the spec, writes the results file and hands \
        out work; ranks 1… train. With one rank, a thread of rank 0 trains. SIGTERM, SIGUSR1 or SIGINT \
        stop the sweep early: no new work is handed out, work in flight gets --drain-seconds to \
        finish (then it is abandoned), the results file is closed, and `--resume` continues later.
        """)

    @Argument(help: "The sweep spec (YAML).") var spec: String
    @Option(help: "The results file to write (HDF5).") var out: String
    @Flag(help: "Continue the results file: skip the tasks it holds, run the rest.") var resume = false
    @Option(help: "Run only shard I of K (0-based), e.g. 2/8: one task of a job array.") var shard: String?
    @Option(help: "After a stop signal, seconds to wait for work in flight.") var drainSeconds: Double = 3
    @Option(help: "Seconds between progress lines when stderr is not a terminal.") var logInterval: Double = 30
    @Option(help: "Seconds a busy rank may stay silent at least before it is declared lost.")
    var lostRankSeconds: Double = CoordinatorCore.Settings().minimumSilence
    @Flag(help: "With --resume: run again the tasks recorded failed or diverged (their rows are replaced).")
    var retryFailed = false
    @Option(help: ArgumentHelp("Run only the tasks this archive lacks (it is read, never changed): a grown spec's new work, in --out.",
                               valueName: "ARCHIVE.h5"))
    var extend: String?
    @Option(help: ArgumentHelp("When every task is done, write one line to this existing file (the batch scripts' check that the run finished).",
                               valueName: "PATH"))
    var receipt: String?
    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        diagnostics.apply()
        let mpi = MPITransport.isLaunched ? try MPITransport() : nil
        BLASEnvironment.useOneThreadUnlessConfigured()
        // Only processes that train keep freed matrices in the heap: rank 0 of an MPI run
        // holds the task table, whose memory should go back to the system when freed.
        if let mpi, mpi.rank > 0 {
            HeapPolicy.keepFreedMatricesInTheHeap()
            runWorker(mpi)
        }
        let ranks = mpi?.size ?? 1
        let plan: RunPlan
        do {
            plan = try RunPlan(command: self, ranks: ranks)
        } catch {
            // Nothing was written; the workers wait for the experiment: let them go.
            for worker in 1..<ranks { try? mpi?.send(.stop, to: worker) }
            mpi?.finalize()
            throw error
        }
        StopSignal.install()
        let outcome: RunOutcome
        if let mpi, ranks > 1 {
            outcome = plan.coordinate(over: mpi, ranks: ranks)
        } else {
            // One rank: a thread trains behind an in-process transport, so this thread keeps
            // listening for stop signals while a task runs.
            let network = InProcessNetwork(size: 2)
            HeapPolicy.keepFreedMatricesInTheHeap()
            try WorkerThread.start {
                try? WorkerLoop(transport: network.endpoint(1), recordedRank: 0).run()
            }
            outcome = plan.coordinate(over: network.endpoint(0), ranks: 1)
        }
        var code = outcome.error.map { AlphaSweep.report($0) } ?? outcome.exitCode
        if let line = outcome.completed, let receipt = plan.receipt {
            do { try receipt.write(line) } catch { code = AlphaSweep.report(error) }
        }
        if let mpi, outcome.mustAbort && ranks > 1 { mpi.abort(code: code) }
        // One rank: a task still running on the worker thread ends with the process.
        mpi?.finalize()
        if code != 0 { throw ExitCode(code) }
    }

    /// Ranks 1…: work until told to stop. A worker whose coordinator went silent exits
    /// without MPI (its peers may be unreachable), which ends the job.
    func runWorker(_ mpi: MPITransport) -> Never {
        for signalNumber in [SIGTERM, SIGUSR1, SIGINT] { signal(signalNumber, SIG_IGN) }
        do {
            var loop = WorkerLoop(transport: mpi)
            loop.parent = ParentWatch()
            try loop.run()
            mpi.finalize()
            AlphaSweep.end(0)
        } catch {
            AlphaSweep.end(AlphaSweep.report(error, note: "rank \(mpi.rank)"))
        }
    }
}

/// How a run on rank 0 ended, for the process to act on.
struct RunOutcome {
    var exitCode: Int32
    /// A worker may be mid-task or unreachable: only an abort ends the job.
    var mustAbort: Bool
    /// The error to report (after the file was closed), if the run failed.
    var error: Error?
    /// Set when every task of the run is in the results file: the receipt's line.
    var completed: String? = nil
}

/// What rank 0 checks before anything is written, and then does: open the results file,
/// greet the workers, serve the work, close the file.
struct RunPlan {
    let specPath: String
    let out: String
    let resume: Bool
    let sweep: SweepSpec
    let specText: String
    let shard: Shard
    let options: CoordinatorOptions
    let retryFailed: Bool
    let receipt: CompletionReceipt?
    /// Tasks of the archive being extended (`--extend`): not run.
    let excluded: Set<TaskKey>
    /// A task that crashed its worker this many times is recorded failed instead of run again.
    static let crashLimit = 3

    /// Refuses at once, before any file is written, a run that cannot fit: rank 0's tracking
    /// of the tasks, the largest instance beside the other ranks of this node, and the address
    /// space a process needs under `ulimit -v`.
    static func checkMemory(_ sweep: SweepSpec, specPath: String, shard: Shard, ranks: Int) throws {
        func gb(_ bytes: Double) -> String { String(format: "%.2f GB", bytes / 1e9) }
        // Before planning (which itself takes memory in proportion): the shard's share of the
        // grid by count, approximate because shards are balanced by cost, not by count.
        let tracked = (sweep.grid.taskCount + shard.count - 1) / shard.count
        if let available = MemoryLimit.available,
           let shortfall = MemoryBudget.shortfall(tasks: tracked, availableBytes: available) {
            throw BadInput("\(specPath): \(shortfall): split the grid into shards (--shard I/K, or `alphasweep submit --array K`)")
        }
        guard let largest = sweep.grid.N.max() else { return }
        let instance = MemoryModel(experiment: sweep.experiment).peakBytes(N: largest)
        let local = MemoryLimit.ranksOnThisNode(ranks: ranks)
        if let node = MemoryLimit.node, MemoryModel.instancesThatFit(instance, in: node / Double(local)) < 1 {
            throw BadInput("\(specPath): the instance with N=\(largest) (the largest) needs about \(gb(instance)) and each of the "
                + "\(local) rank(s) on this node may use \(gb(node / Double(local))): lower D or the largest N, or run fewer ranks per node")
        }
        if let limit = MemoryLimit.addressSpaceLimit, let mapped = MemoryLimit.mappedBytes {
            // The mapping at start holds the runtime and the libraries; to it comes the address
            // space a worker adds: OpenBLAS's buffers, its thread's stack and malloc arena
            // (64 MiB reserved per thread), then its instance; a 10 % margin for the rest.
            let buffers = Double(BLASEnvironment.threads) * BLASEnvironment.buffersPerThread * BLASEnvironment.bufferBytesPerThread
            let needed = 1.1 * (mapped + buffers + Double(WorkerThread.stackBytes) + Double(64 << 20) + instance - MemoryModel.baseBytes)
            if needed > limit {
                throw ResourceShortage("the address-space limit (ulimit -v) is \(gb(limit)) and this run needs about \(gb(needed)) "
                    + "(\(gb(mapped)) mapped at start, OpenBLAS's buffers \(gb(buffers)), "
                    + "the instance with N=\(largest) \(gb(instance - MemoryModel.baseBytes))): raise the limit")
            }
        }
    }

    init(command: Run, ranks: Int) throws {
        (sweep, specText) = try SweepSpec.load(path: command.spec)
        specPath = command.spec
        out = command.out
        resume = command.resume
        var selected = Shard.whole
        if let text = command.shard {
            guard let parsed = Shard(parsing: text) else {
                throw BadInput("--shard: expected I/K with 0 ≤ I < K, got '\(text)'")
            }
            selected = parsed
        }
        shard = selected
        guard shard.count <= min(Ranges.maxShards, sweep.grid.instanceCount) else {
            throw BadInput("--shard: K must be at most the sweep's \(sweep.grid.instanceCount) instances (and \(Ranges.maxShards)), got \(shard.count)")
        }
        guard !command.retryFailed || command.resume else { throw BadInput("--retry-failed: needs --resume") }
        retryFailed = command.retryFailed
        receipt = try command.receipt.map(CompletionReceipt.init(path:))
        if let archive = command.extend {
            guard (archive as NSString).standardizingPath != (command.out as NSString).standardizingPath else {
                throw BadInput("--extend: the archive is --out itself; to grow a file in place use --resume")
            }
            let contents = try ResultsReader.read(path: archive, includeJournal: true)
            let theirs = try contents.experiment ?? Self.experiment(ofSpecText: contents.specText, in: archive)
            guard theirs.sha256 == sweep.experimentSHA256 else {
                let differences = Experiment.differences(theirs.text, sweep.experiment.canonicalText,
                                                         firstLabel: "archive", secondLabel: "spec")
                throw ResultsFileError.experimentMismatch(path: archive, differences: differences.joined(separator: "; "))
            }
            excluded = Set(contents.records.map(\.key))
        } else {
            excluded = []
        }
        try Ranges.check(command.drainSeconds, 0...86_400, "--drain-seconds")
        try Ranges.check(command.logInterval, 0...1e6, "--log-interval")
        try Ranges.check(command.lostRankSeconds, 1...1e6, "--lost-rank-seconds")
        var options = CoordinatorOptions()
        options.core.drainSeconds = command.drainSeconds
        options.core.minimumSilence = command.lostRankSeconds
        options.logInterval = command.logInterval
        options.quiet = command.diagnostics.quiet
        if MPITransport.isLaunched { options.parent = ParentWatch() }
        self.options = options
        try Self.checkMemory(sweep, specPath: command.spec, shard: shard, ranks: ranks)
    }

    static func experiment(ofSpecText text: String, in file: String) throws -> (sha256: String, text: String) {
        let identity = try SweepSpec.identity(ofSpecText: text, file: "\(file):/spec", searchDirectories: ArchiveGrid.searchDirectories(file))
        return (identity.experimentSHA256, identity.experimentText)
    }

    /// Runs the sweep over `transport` (whose workers are the ranks 1…); never throws: every
    /// failure is in the outcome, after the results file was closed.
    func coordinate(over transport: Transport, ranks: Int) -> RunOutcome {
        let session = CoordinatorSession(transport: transport, options: options, logger: logger)
        let hellos: [WorkerHello]
        do {
            hellos = try session.greet(sweep.experiment)
        } catch {
            return RunOutcome(exitCode: 1, mustAbort: true, error: error)
        }
        let writer: ResultsWriter
        let done: Set<TaskKey>, suspects: Set<TaskKey>
        do {
            (writer, done, suspects) = try open(provenance: provenance(hellos, ranks: ranks, mpiLibrary: MPITransport.libraryVersion))
        } catch {
            do { try session.releaseAll() } catch { return RunOutcome(exitCode: 1, mustAbort: true, error: error) }
            return RunOutcome(exitCode: 1, mustAbort: false, error: error)
        }
        let work = SchedulePolicy.pendingWork(spec: sweep, done: done, shard: shard, excluded: excluded)
        let tasks = work.reduce(0) { $0 + $1.optimizers.count }
        let already = done.isEmpty ? "" : " (\(done.count) already in \(out))"
        let part = shard == .whole ? "" : " in shard \(shard)"
        logger.info("alphasweep \(AlphasweepVersion.current): \(tasks) tasks to run\(already)\(part) on \(ranks) rank(s); BLAS core \(BLASEnvironment.coreName), \(BLASEnvironment.threads) thread(s) per rank")

        let summary: RunSummary
        do {
            summary = try session.serve(work, into: WriterSink(writer: writer), isolating: Set(suspects.map(\.instance)))
        } catch {
            try? writer.close()
            return RunOutcome(exitCode: 1, mustAbort: true, error: AbortingError(error))
        }
        if let storeError = session.storeError {
            try? writer.close()
            return RunOutcome(exitCode: 1, mustAbort: summary.ending.mustAbort,
                              error: summary.ending.mustAbort ? AbortingError(storeError) : storeError)
        }
        if case .storeFailed = summary.ending.reason {
            try? writer.close()
            let error = session.storeError ?? CoordinatorFailure(description: "storing results failed")
            return RunOutcome(exitCode: 1, mustAbort: summary.ending.mustAbort,
                              error: summary.ending.mustAbort ? AbortingError(error) : error)
        }
        do {
            try writer.close()
        } catch {
            return RunOutcome(exitCode: 1, mustAbort: summary.ending.mustAbort, error: error)
        }
        logger.info("\(String(format: "wall %.1f s, coordinator CPU %.2f s, task time %.1f s, parallel efficiency %.1f%% over %d worker(s)", summary.wallSeconds, summary.coordinatorCPUSeconds, summary.taskSeconds, 100 * summary.parallelEfficiency, summary.workers))")
        return ending(summary)
    }

    private func ending(_ summary: RunSummary) -> RunOutcome {
        let ending = summary.ending
        if case .stopped(let signal) = ending.reason {
            logger.info("stopped by \(StopSignal.name(signal)) after \(summary.tasksDone) of \(summary.tasksPlanned) tasks; \(out) is closed and complete up to there: rerun with --resume to finish")
            if !ending.abandoned.isEmpty {
                logger.info("abandoning work in flight on rank(s) \(ending.abandoned.map(String.init).joined(separator: ", "))")
            }
            return RunOutcome(exitCode: 1, mustAbort: ending.mustAbort, error: nil)
        }
        if ending.reason == .everyWorkerLost {
            return RunOutcome(exitCode: 1, mustAbort: true, error: CoordinatorFailure(
                description: "every worker went silent (declared lost) with \(summary.tasksPlanned - summary.tasksDone) task(s) left; \(out) is closed: rerun with --resume"))
        }
        if !ending.lost.isEmpty {
            let lost = ending.lost.map(String.init).joined(separator: ", ")
            logger.warning("every task is done, but rank(s) \(lost) went silent and cannot finish MPI: ending the job with MPI_Abort; \(out) is complete")
            return RunOutcome(exitCode: 0, mustAbort: true, error: nil, completed: completedLine(summary))
        }
        return RunOutcome(exitCode: 0, mustAbort: false, error: nil, completed: completedLine(summary))
    }

    private func completedLine(_ summary: RunSummary) -> String {
        "complete: \(summary.tasksDone) task(s) run into \(out)\(shard == .whole ? "" : " (shard \(shard))")"
    }

    private func provenance(_ hellos: [WorkerHello], ranks: Int, mpiLibrary: String) -> Provenance {
        let hostnames = Array(Set(hellos.map(\.hostName) + [HostName.current])).sorted()
        let blasCores = Array(Set(hellos.map(\.blasCore) + [BLASEnvironment.coreName])).sorted()
        var provenance = Provenance(
            alphasweepVersion: AlphasweepVersion.current, created: Clock.utcTimestamp(), hostnames: hostnames,
            ranks: ranks, shard: shard.description, mpiLibrary: mpiLibrary,
            blasCore: blasCores.joined(separator: ","), commandLine: CommandLine.arguments.joined(separator: " "))
        provenance.slurm = SlurmIDs.current()
        return provenance
    }

    /// Creates the results file, or resumes it; returns the writer and the tasks already done.
    private func open(provenance: Provenance) throws -> (ResultsWriter, done: Set<TaskKey>, suspects: Set<TaskKey>) {
        let identity = sweep.identity(specText: specText)
        guard resume else {
            return (try ResultsWriter.create(path: out, identity: identity, provenance: provenance), [], [])
        }
        let out = self.out
        // The archive's spectrum files beside this run's spec first: most often the same ones.
        let searchDirectories = [URL(fileURLWithPath: specPath).deletingLastPathComponent().path] + ArchiveGrid.searchDirectories(out)
        let resumed = try ResultsWriter.resume(
            path: out, identity: identity, provenance: provenance,
            identify: { try SweepSpec.identity(ofSpecText: $0, file: "\(out):/spec", searchDirectories: searchDirectories) },
            retryFailed: retryFailed, crashLimit: Self.crashLimit)
        if let problem = resumed.journal.problem {
            logger.info("\(out).journal: dropped \(resumed.journal.ignoredBytes) bytes after its last intact row (\(problem)); tasks whose rows were in them run again")
        }
        if resumed.crashed > 0 {
            logger.warning("\(resumed.crashed) task(s) were in flight when the last run on \(out) died: counted as crashes")
        }
        if resumed.retried > 0 { logger.info("retrying \(resumed.retried) failed or diverged task(s)") }
        for record in resumed.givenUp {
            logger.warning("\(record.key): \(record.outcome.message): recorded failed and skipped (rerun it with --resume --retry-failed)")
        }
        return (resumed.writer, Set(resumed.existing.map(\.key)), resumed.suspects)
    }
}

/// Not enough of a resource (memory, address space) to run at all: exit 1, one line.
struct ResourceShortage: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// An error after which the job is aborted because workers may be mid-task: reported with
/// that note, so the one line says why Open MPI's abort banner follows.
struct AbortingError: Error {
    let underlying: Error
    init(_ underlying: Error) { self.underlying = underlying }
}

/// The results file as the coordinator's sink: every message's records are made durable
/// before the worker gets new work, so a crash loses only the work in flight.
final class WriterSink: ResultsSink {
    let writer: ResultsWriter
    init(writer: ResultsWriter) { self.writer = writer }
    func append(_ records: [TaskRecord]) throws { try writer.append(records) }
    func dispatching(_ units: [WorkUnit]) throws { try writer.noteDispatched(units) }
    func interrupted(_ units: [WorkUnit]) throws { try writer.noteInterrupted(units) }
    func flush() throws { try writer.flush() }
}
