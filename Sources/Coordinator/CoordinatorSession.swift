import Foundation
import Logging
import MessagePassing
import Platform
import Vocabulary

/// Where finished task records go: the results file in a run, an array in tests.
///
/// The session appends a worker's records and notes the work it hands out next, then flushes
/// once before sending it: a crash loses only work in flight, and the next run knows which.
public protocol ResultsSink: AnyObject {
    /// Takes finished records (durable after the next `flush`).
    func append(_ records: [TaskRecord]) throws
    /// Notes work about to be handed out (durable after the next `flush`).
    func dispatching(_ units: [WorkUnit]) throws
    /// Notes work abandoned by a planned stop (SIGUSR1: the batch scripts' time-limit warning).
    func interrupted(_ units: [WorkUnit]) throws
    /// Makes everything taken and noted durable against a crash of this process.
    func flush() throws
}

/// What a run did, for the closing summary and for measurements.
public struct RunSummary: Sendable {
    public var tasksPlanned: Int
    public var tasksDone: Int
    public var tasksNotOK: Int
    public var ending: CoordinatorCore.Ending
    public var wallSeconds: Double
    /// CPU seconds rank 0 spent (with a one-rank run this includes the worker thread's).
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
    public var core = CoordinatorCore.Settings()
    /// Seconds between progress lines when stderr is not a terminal.
    public var logInterval: Double = 30
    public var interactive: Bool = isatty(STDERR_FILENO) != 0
    /// No progress lines at all.
    public var quiet = false
    /// Set when an MPI launcher started this process: if it goes (mpirun killed), the run stops
    /// as after a SIGHUP instead of computing on for nobody.
    public var parent: ParentWatch?
    /// How long to wait for every worker's hello.
    public var helloSeconds: Double = 600
    /// The longest sleep between polls of the transport, in seconds. A worker that finishes
    /// waits half of it on average for its reply; each wake-up costs rank 0 a few µs of CPU
    /// (~0.3 % of a core at 1 ms, against ~2 % of the workers' time lost at 5 ms).
    public var longestPoll: Double = 0.001

    public init() {}
}

/// A failure of the run on rank 0 (a transport error, a malformed message). Workers may be
/// mid-task: only an abort ends the job.
public struct CoordinatorFailure: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// Rank 0 of a run over a transport: greets the workers, serves them work from a
/// `CoordinatorCore`, stores their results in a sink, and lets every worker go.
public final class CoordinatorSession {
    let transport: Transport
    let options: CoordinatorOptions
    let logger: Logger
    public var workers: [Int] { Array(1..<transport.size) }

    public init(transport: Transport, options: CoordinatorOptions = CoordinatorOptions(),
                logger: Logger = Logger(label: "alphasweep.coordinator")) {
        precondition(transport.rank == 0, "the coordinator is rank 0")
        self.transport = transport
        self.options = options
        self.logger = logger
    }

    /// Sends the experiment to every worker and collects their hellos (in rank order).
    public func greet(_ experiment: Experiment) throws -> [WorkerHello] {
        for worker in workers { try transport.send(.experiment(experiment), to: worker) }
        var hellos: [Int: WorkerHello] = [:]
        let deadline = Clock.monotonicSeconds() + options.helloSeconds
        while hellos.count < workers.count {
            let left = deadline - Clock.monotonicSeconds()
            guard left > 0 else {
                let missing = workers.filter { hellos[$0] == nil }.map(String.init).joined(separator: ", ")
                throw CoordinatorFailure(description: "rank(s) \(missing) did not say hello within \(options.helloSeconds) s")
            }
            guard let envelope = try transport.receive(within: min(left, 1)) else { continue }
            guard case .hello(let hello) = envelope.message else {
                throw CoordinatorFailure(description: "expected a hello from rank \(envelope.source), got \(envelope.message.kind)")
            }
            hellos[envelope.source] = hello
        }
        return workers.map { hellos[$0]! }
    }

    /// Tells every worker to stop without giving it work (after `greet`, when the run ends
    /// before serving, e.g. the results file could not be opened).
    public func releaseAll() throws {
        for worker in workers { try transport.send(.stop, to: worker) }
    }

    /// Serves `work` (largest first) to the greeted workers until it is done, a stop signal's
    /// drain time is over, or storing results fails. Stop signals are read from `StopSignal`.
    /// Instances in `isolating` are handed out alone (they crashed a worker before).
    public func serve(_ work: [WorkUnit], into sink: ResultsSink, isolating: Set<InstanceKey> = []) throws -> RunSummary {
        let clock = Stopwatch()
        var core = CoordinatorCore(work: work, workers: workers, settings: options.core, isolating: isolating)
        let progress = ProgressReporter(total: core.tasksPlanned, interactive: options.interactive,
                                        logInterval: options.logInterval, quiet: options.quiet)
        var pending = workers.map { CoordinatorCore.Event.ready(worker: $0) }
        var ending: CoordinatorCore.Ending?
        while ending == nil {
            if pending.isEmpty {
                if !core.isDraining, let signal = StopSignal.pending ?? (options.parent?.parentIsGone == true ? SIGHUP : nil) {
                    let cause = signal == SIGHUP ? "the launcher (mpirun, slurmstepd) is gone" : "\(StopSignal.name(signal)) received"
                    logger.notice("\(cause): no new work; waiting up to \(options.core.drainSeconds) s for \(core.busyWorkers.count) rank(s) in flight")
                    pending.append(.stopRequested(signal: signal))
                } else if let envelope = try transport.receive(within: options.longestPoll) {
                    pending.append(try event(for: envelope, sink: sink))
                } else {
                    pending.append(.tick)
                }
            }
            let event = pending.removeFirst()
            let commands = core.handle(event, at: Clock.monotonicSeconds())
            let batches = commands.compactMap { command -> [WorkUnit]? in
                if case .send(let units, _) = command { return units } else { return nil }
            }
            var tookRecords = false
            if case .finished(_, let records) = event { tookRecords = !records.isEmpty }
            if storeError == nil && (tookRecords || !batches.isEmpty) {
                do {
                    if !batches.isEmpty { try sink.dispatching(batches.flatMap { $0 }) }
                    try sink.flush()
                } catch {
                    storeError = error
                    // Work must not go out undurable; without work to send, the commands
                    // (releases, the end) still run and the error is reported after.
                    if !batches.isEmpty {
                        pending.insert(.storeFailed(reason: "\(error)"), at: 0)
                        continue
                    }
                }
            }
            for command in commands {
                switch command {
                case .send(let units, let worker): try transport.send(.work(units), to: worker)
                case .park(let worker, let seconds): try transport.send(.wait(seconds: seconds), to: worker)
                case .release(let worker): try transport.send(.stop, to: worker)
                case .declareLost(let worker, let silent, let units):
                    logger.warning("rank \(worker) silent for \(Int(silent)) s, longer than its work can take: declared lost; its \(units) instance(s) go to the other ranks")
                case .finish(let end): ending = end
                }
            }
            if case .finished = event { progress.update(done: core.tasksDone, failed: core.tasksNotOK) }
        }
        if case .stopped(let signal) = ending!.reason, signal == SIGUSR1, !ending!.abandoned.isEmpty, storeError == nil {
            // A planned stop: the work abandoned did not crash anything.
            try? sink.interrupted(ending!.abandoned.flatMap { core.units(of: $0) })
            try? sink.flush()
        }
        progress.update(done: core.tasksDone, failed: core.tasksNotOK, force: true)
        return RunSummary(tasksPlanned: core.tasksPlanned, tasksDone: core.tasksDone, tasksNotOK: core.tasksNotOK,
                          ending: ending!, wallSeconds: clock.wallSeconds, coordinatorCPUSeconds: clock.cpuSeconds,
                          taskSeconds: core.taskSeconds, workers: workers.count)
    }

    /// The core's event for a message: results are taken by the sink first (and made durable
    /// with the work that follows them, before the worker gets it).
    private func event(for envelope: Envelope, sink: ResultsSink) throws -> CoordinatorCore.Event {
        switch envelope.message {
        case .results(let records):
            do {
                if !records.isEmpty { try sink.append(records) }
            } catch {
                storeError = error
                return .storeFailed(reason: "\(error)")
            }
            return .finished(worker: envelope.source, records: records)
        case .hello:
            return .ready(worker: envelope.source)
        default:
            throw CoordinatorFailure(description: "unexpected \(envelope.message.kind) message from rank \(envelope.source)")
        }
    }

    /// The error that made storing results fail, if it did (the run then failed, whatever its
    /// ending says).
    public private(set) var storeError: Error?
}
