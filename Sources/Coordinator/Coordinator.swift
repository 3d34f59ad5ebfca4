import Foundation
import MessagePassing
import Sweep
import Worker

/// Where finished task records go: the results file in a run, an array in tests.
public protocol ResultsSink: AnyObject {
    /// Records must be durable against a crash of this process when this returns.
    func append(_ records: [TaskRecord]) throws
}

/// What a run did, for the closing summary and for measurements.
public struct RunSummary: Sendable {
    public var tasksPlanned: Int
    public var tasksDone: Int
    public var tasksNotOK: Int
    public var stoppedBy: Int32?
    public var wallSeconds: Double
    /// CPU seconds rank 0 spent coordinating (for P = 1 this includes the task work).
    public var coordinatorCPUSeconds: Double
    /// The sum of the task wall times reported by the workers.
    public var taskSeconds: Double
    public var workers: Int

    /// Sum of task times / (workers × wall time).
    public var parallelEfficiency: Double {
        wallSeconds > 0 && workers > 0 ? taskSeconds / (Double(workers) * wallSeconds) : 0
    }
}

public struct CoordinatorOptions: Sendable {
    /// After a stop signal, how long to wait for the units in flight before abandoning them.
    public var drainSeconds: Double = 3
    /// Seconds between progress lines when stderr is not a terminal.
    public var logInterval: Double = 30
    public var interactive: Bool = isatty(STDERR_FILENO) != 0
    /// Small units are batched until a message carries this much work (amortises messaging).
    public var minimumBatchFlops: Double = 2e8
    /// The longest sleep between polls, in µs. A worker that finishes waits half of it on
    /// average for its next unit; each wake-up costs rank 0 a few µs of CPU (~0.3 % of a core
    /// at 1 ms, against ~2 % of the workers' time lost at 5 ms on the default sweep).
    public var longestPollSleepMicroseconds: UInt32 = 1000

    public init() {}
}

/// Rank 0: hands out work largest-first, gathers results, appends them to the results file.
public final class Coordinator {
    /// Rank 0's memory per task it tracks (work queue, tasks done, the results file's rows held
    /// for snapshot rewrites), with a margin over the ~510 bytes `Tests/python/test_limits.py`
    /// measures end to end.
    public static let trackedBytesPerTask = 600

    /// Why a run of `tasks` tasks would not fit in `availableBytes` of memory on rank 0 (more
    /// than 80 % of it), or nil when it fits.
    public static func memoryShortfall(tasks: Int, availableBytes: Double) -> String? {
        let needed = Double(tasks) * Double(trackedBytesPerTask)
        guard needed > 0.8 * availableBytes else { return nil }
        return String(format: "%d tasks need about %.1f GB on rank 0 to track (%d bytes each) and it may use %.1f GB",
                      tasks, needed / 1e9, trackedBytesPerTask, availableBytes / 1e9)
    }

    let queue: [WorkUnit]
    let sink: ResultsSink
    let options: CoordinatorOptions
    let progress: ProgressReporter
    var summary: RunSummary
    var next = 0
    var remainingFlops: Double

    public init(work: [WorkUnit], sink: ResultsSink, options: CoordinatorOptions = CoordinatorOptions(), workers: Int) {
        self.queue = work
        self.sink = sink
        self.options = options
        let total = work.reduce(0) { $0 + $1.optimizers.count }
        self.progress = ProgressReporter(total: total, interactive: options.interactive, logInterval: options.logInterval) {
            FileHandle.standardError.write(Data($0.utf8))
        }
        self.summary = RunSummary(tasksPlanned: total, tasksDone: 0, tasksNotOK: 0, stoppedBy: nil, wallSeconds: 0,
                                  coordinatorCPUSeconds: 0, taskSeconds: 0, workers: workers)
        self.remainingFlops = work.reduce(0) { $0 + $1.flops }
    }

    func record(_ records: [TaskRecord]) throws {
        guard !records.isEmpty else { return }
        try sink.append(records)
        summary.tasksDone += records.count
        summary.tasksNotOK += records.filter { $0.outcome.status != .ok }.count
        summary.taskSeconds += records.reduce(0) { $0 + $1.wallSeconds }
        progress.update(done: summary.tasksDone, failed: summary.tasksNotOK)
    }

    func takeBatch(workers: Int) -> [WorkUnit] {
        let count = SchedulePolicy.batchSize(queue: queue[next...], remainingFlops: remainingFlops, workers: workers,
                                             minimumBatchFlops: options.minimumBatchFlops)
        let batch = Array(queue[next..<next + count])
        next += count
        remainingFlops -= batch.reduce(0) { $0 + $1.flops }
        return batch
    }

    /// P = 1: rank 0 runs the tasks itself, checking for a stop signal between units.
    public func runLocally(_ runner: TaskRunner) throws -> RunSummary {
        let clock = RunClock()
        while next < queue.count {
            if let signal = StopSignal.pending { summary.stoppedBy = signal; break }
            let unit = queue[next]
            next += 1
            try record(runner.run(unit))
        }
        return finish(clock)
    }

    /// P > 1: serve work to ranks 1…workers, each of which has said hello and waits for a
    /// reply, until the queue is empty (or a stop signal), then stop them. Polls with short
    /// sleeps: Open MPI's blocking receive would spin a core. Returns the ranks still busy
    /// when a stop signal's drain time ran out (their work is abandoned).
    public func serve(workers: Int) throws -> (RunSummary, abandonedRanks: [Int]) {
        let clock = RunClock()
        var busy = Set<Int>()
        var active = workers
        var stopDeadline: Date?
        func reply(to rank: Int) throws {
            let batch = stopDeadline == nil ? takeBatch(workers: workers) : []
            if batch.isEmpty {
                try MPI.send([], to: rank, tag: MessageTag.stop.rawValue)
                active -= 1
            } else {
                try MPI.send(WorkUnit.encode(batch), to: rank, tag: MessageTag.work.rawValue)
                busy.insert(rank)
            }
        }
        for rank in 1...workers { try reply(to: rank) }
        var nap: UInt32 = 50
        while active > 0 {
            if stopDeadline == nil, let signal = StopSignal.pending {
                summary.stoppedBy = signal
                stopDeadline = Date().addingTimeInterval(options.drainSeconds)
                FileHandle.standardError.write(Data("\nalphasweep: \(StopSignal.name(signal)) received: no new work; waiting up to \(options.drainSeconds) s for \(busy.count) rank(s) in flight\n".utf8))
            }
            guard let envelope = try MPI.poll() else {
                if let deadline = stopDeadline, Date() >= deadline { break }
                usleep(nap)
                nap = min(nap * 2, options.longestPollSleepMicroseconds)
                continue
            }
            nap = 50
            let bytes = try MPI.receive(envelope)
            guard envelope.tag == MessageTag.ready.rawValue else {
                throw MPI.Failure(call: "unexpected message tag \(envelope.tag) from rank \(envelope.source)", code: -1)
            }
            try record(TaskRecord.decode(bytes))
            busy.remove(envelope.source)
            try reply(to: envelope.source)
        }
        return (finish(clock), busy.sorted())
    }

    func finish(_ clock: RunClock) -> RunSummary {
        progress.update(done: summary.tasksDone, failed: summary.tasksNotOK, force: true)
        summary.wallSeconds = clock.wallSeconds
        summary.coordinatorCPUSeconds = clock.cpuSeconds
        return summary
    }
}

/// Wall and CPU time of this process since creation.
struct RunClock {
    let wallStart = DispatchTime.now()
    let cpuStart = RunClock.processCPUSeconds()

    var wallSeconds: Double { Double(DispatchTime.now().uptimeNanoseconds - wallStart.uptimeNanoseconds) / 1e9 }
    var cpuSeconds: Double { RunClock.processCPUSeconds() - cpuStart }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
