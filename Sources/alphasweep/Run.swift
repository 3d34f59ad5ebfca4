import ArgumentParser
import Coordinator
import Foundation
import MessagePassing
import Numerics
import ResultsFile
import Sweep
import Worker

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a sweep (alone, or under mpirun/srun with rank 0 coordinating).",
        discussion: """
        Every rank runs this same command. Rank 0 reads the spec, writes the results file and hands \
        out work; ranks 1… train. With one rank, rank 0 trains itself. SIGTERM, SIGUSR1 or SIGINT \
        stop the sweep early: no new work is handed out, work in flight gets --drain-seconds to \
        finish, the results file is closed, and `--resume` continues later.
        """)

    @Argument(help: "The sweep spec (YAML).") var spec: String
    @Option(help: "The results file to write (HDF5).") var out: String
    @Flag(help: "Continue the results file: skip the tasks it holds, run the rest.") var resume = false
    @Option(help: "Run only shard I of K (0-based), e.g. 2/8: one task of a job array.") var shard: String?
    @Option(help: "After a stop signal, seconds to wait for work in flight.") var drainSeconds: Double = 3
    @Option(help: "Seconds between progress lines when stderr is not a terminal.") var logInterval: Double = 30

    func run() throws {
        try MPI.initialize()
        BLASEnvironment.useOneThreadUnlessConfigured()
        if MPI.rank > 0 {
            try WorkerLoop.run(rank: MPI.rank)
            MPI.finalize()
            return
        }
        let workers = MPI.size - 1
        var release = WorkerRelease(workers: workers)
        do {
            let outcome = try coordinate(workers: workers, release: &release)
            try release.releaseAll()
            MPI.finalize()
            if outcome != 0 { throw ExitCode(outcome) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            if release.workersMayBeBusy {
                // A worker in the middle of sending its results waits for a receive rank 0
                // will never post: only an abort ends the job. The file is closed by now.
                MPI.abort(code: AlphaSweep.report(error, note: "aborting the MPI job: workers may be mid-task"))
            }
            try? release.releaseAll()
            MPI.finalize()
            throw error
        }
    }

    /// Rank 0's work; returns the exit code (0 complete, 1 stopped early).
    func coordinate(workers: Int, release: inout WorkerRelease) throws -> Int32 {
        let (sweep, text) = try SweepSpec.load(path: spec)
        var selected = Shard.whole
        if let shard {
            guard let parsed = Shard(parsing: shard) else {
                throw BadInput("--shard: expected I/K with 0 ≤ I < K, got '\(shard)'")
            }
            selected = parsed
        }
        guard drainSeconds >= 0, drainSeconds.isFinite else { throw BadInput("--drain-seconds: must be ≥ 0") }
        // Before planning (which itself takes memory in proportion): the shard's share of the
        // grid by count, approximate because shards are balanced by cost, not by count.
        let tracked = (sweep.taskCount + selected.count - 1) / selected.count
        if let available = MemoryLimit.available,
           let shortfall = Coordinator.memoryShortfall(tasks: tracked, availableBytes: available) {
            throw BadInput("\(spec): \(shortfall): split the grid into shards (--shard I/K, or `alphasweep submit --array K`)")
        }
        StopSignal.install()

        var hellos: [WorkerHello] = []
        if workers > 0 {
            hellos = try release.broadcastSpec(text)
        }
        let hostnames = Array(Set(hellos.map(\.hostname) + [MPI.processorName])).sorted()
        let blasCores = Array(Set(hellos.map(\.blasCore) + [BLASEnvironment.coreName])).sorted()
        let provenance = Provenance(
            alphasweepVersion: AlphasweepVersion.current, created: Provenance.timestamp(), hostnames: hostnames,
            ranks: workers + 1, shard: selected.description, mpiLibrary: MPI.libraryVersion,
            blasCore: blasCores.joined(separator: ","), commandLine: CommandLine.arguments.joined(separator: " "))

        let writer: ResultsWriter
        var done = Set<TaskKey>()
        if resume {
            let (opened, existing, journal) = try ResultsWriter.resume(path: out, specSHA256: sweep.sha256, provenance: provenance)
            writer = opened
            done = Set(existing.map(\.key))
            if let problem = journal.problem {
                log("\(out).journal: dropped \(journal.ignoredBytes) bytes after its last intact row (\(problem)); "
                    + "tasks whose rows were in them run again")
            }
        } else {
            writer = try ResultsWriter.create(path: out, specText: text, specSHA256: sweep.sha256, provenance: provenance)
        }
        let sink = WriterSink(writer: writer)
        let work = SchedulePolicy.pendingWork(spec: sweep, done: done, shard: selected)
        var options = CoordinatorOptions()
        options.drainSeconds = drainSeconds
        options.logInterval = logInterval
        let coordinator = Coordinator(work: work, sink: sink, options: options, workers: max(workers, 1))
        log("alphasweep \(AlphasweepVersion.current): \(work.reduce(0) { $0 + $1.optimizers.count }) tasks to run"
            + (done.isEmpty ? "" : " (\(done.count) already in \(out))")
            + (selected == .whole ? "" : " in shard \(selected)")
            + " on \(workers + 1) rank(s); BLAS core \(BLASEnvironment.coreName), \(BLASEnvironment.threads) thread(s) per rank")

        let summary: RunSummary
        var abandoned: [Int] = []
        do {
            if workers == 0 {
                summary = try coordinator.runLocally(TaskRunner(spec: sweep, rank: 0))
            } else {
                release.workersMayBeBusy = true
                (summary, abandoned) = try coordinator.serve(workers: workers)
                release.markStopped(except: abandoned)
                release.workersMayBeBusy = !abandoned.isEmpty
            }
        } catch {
            try? writer.close()
            throw error
        }
        try writer.close()
        log(String(format: "wall %.1f s, coordinator CPU %.2f s, task time %.1f s, parallel efficiency %.1f%% over %d worker(s)",
                   summary.wallSeconds, summary.coordinatorCPUSeconds, summary.taskSeconds,
                   100 * summary.parallelEfficiency, summary.workers))
        if let signal = summary.stoppedBy {
            log("stopped by \(StopSignal.name(signal)) after \(summary.tasksDone) of \(summary.tasksPlanned) tasks; "
                + "\(out) is closed and complete up to there: rerun with --resume to finish")
            if !abandoned.isEmpty {
                log("abandoning work in flight on rank(s) \(abandoned.map(String.init).joined(separator: ", "))")
                MPI.abort(code: 1)
            }
            return 1
        }
        return 0
    }
}

func log(_ line: String) {
    FileHandle.standardError.write(Data(("alphasweep: " + line + "\n").utf8))
}

/// The results file as the coordinator's sink: every message's records are made durable
/// before the worker gets new work, so a crash loses only the work in flight.
final class WriterSink: ResultsSink {
    let writer: ResultsWriter
    init(writer: ResultsWriter) { self.writer = writer }
    func append(_ records: [TaskRecord]) throws {
        try writer.append(records)
        try writer.flush()
    }
}

/// Rank 0's bookkeeping of which workers still wait for a word from it, so that every exit
/// path — success, bad input, failure — lets them finish instead of hanging in MPI.
struct WorkerRelease {
    let workers: Int
    var specSent = false
    var greeted = Set<Int>()
    var stopped = Set<Int>()
    /// Set while work is handed out: a failure then may leave a worker mid-task or mid-send.
    var workersMayBeBusy = false

    init(workers: Int) { self.workers = workers }

    /// Sends the spec text to every worker and collects their hellos.
    mutating func broadcastSpec(_ text: String) throws -> [WorkerHello] {
        for rank in 1...workers { try MPI.send(Array(text.utf8), to: rank, tag: MessageTag.spec.rawValue) }
        specSent = true
        var hellos: [WorkerHello] = []
        while greeted.count < workers {
            let envelope = try MPI.waitForAny()
            let bytes = try MPI.receive(envelope)
            guard envelope.tag == MessageTag.hello.rawValue else {
                throw MPI.Failure(call: "unexpected message tag \(envelope.tag) from rank \(envelope.source)", code: -1)
            }
            hellos.append(try WorkerHello(decoding: bytes))
            greeted.insert(envelope.source)
        }
        return hellos
    }

    /// After serving: every worker was told to stop except those abandoned while busy.
    mutating func markStopped(except busy: [Int]) {
        stopped = Set(1...workers).subtracting(busy)
    }

    /// Tells every worker not yet stopped to stop, once it is waiting for a reply.
    mutating func releaseAll() throws {
        guard workers > 0 else { return }
        if !specSent {
            for rank in 1...workers { try MPI.send([], to: rank, tag: MessageTag.stop.rawValue) }
            stopped = Set(1...workers)
            return
        }
        for rank in greeted.subtracting(stopped) {
            try MPI.send([], to: rank, tag: MessageTag.stop.rawValue)
            stopped.insert(rank)
        }
        while stopped.count < workers {
            let envelope = try MPI.waitForAny()
            _ = try MPI.receive(envelope)
            if !stopped.contains(envelope.source) {
                try MPI.send([], to: envelope.source, tag: MessageTag.stop.rawValue)
                stopped.insert(envelope.source)
            }
        }
    }
}
