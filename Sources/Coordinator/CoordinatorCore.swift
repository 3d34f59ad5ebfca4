import Sweep
import Vocabulary

/// Rank 0's decisions as a state machine: events in, commands out, no I/O and no clock of its
/// own (the time comes with each event). `CoordinatorSession` feeds it from a transport; tests
/// feed it directly.
///
/// Every worker is in one state: *waiting* for a reply (after its hello or its results; only
/// inside `handle`), *busy* with an assignment, *parked* (told to wait: nothing to hand out
/// while others are busy, whose units may yet come back), *released* (told to stop), or
/// *lost*: busy but silent past its assignment's deadline. A lost worker's units go back to
/// the front of the queue for the others; it cannot finish MPI, so the job must end with an
/// abort (`Ending.mustAbort`). After a stop signal the run *drains*: no new work, and busy
/// workers that have not finished by the drain deadline are *abandoned*.
public struct CoordinatorCore {
    public enum Event: Sendable {
        /// The worker said hello and waits for a reply.
        case ready(worker: Int)
        /// The worker's results are stored durably; it waits for a reply.
        case finished(worker: Int, records: [TaskRecord])
        /// A stop signal arrived (SIGTERM, SIGUSR1, SIGINT).
        case stopRequested(signal: Int32)
        /// Storing results failed: the run cannot go on.
        case storeFailed(reason: String)
        /// Nothing happened; time passed.
        case tick
    }

    public enum Command: Equatable, Sendable {
        case send([WorkUnit], to: Int)
        /// Tell the worker to wait: the next message comes within `seconds`.
        case park(Int, seconds: Double)
        case release(Int)
        /// A busy worker went silent past its deadline; its units are queued again.
        case declareLost(Int, silentSeconds: Double, units: Int)
        /// The run is over: every worker is released, lost or abandoned.
        case finish(Ending)
    }

    /// How a run ended.
    public struct Ending: Equatable, Sendable {
        public enum Reason: Equatable, Sendable {
            case complete
            case stopped(signal: Int32)
            case storeFailed(reason: String)
            /// Every worker was lost with work left: nothing can finish it.
            case everyWorkerLost
        }
        public var reason: Reason
        /// Workers still busy when the run ended (drain time over, or a store failure).
        public var abandoned: [Int]
        /// Workers declared lost during the run (and not back).
        public var lost: [Int]
        /// True when a worker may be mid-task or unreachable: only an MPI abort ends the job.
        public var mustAbort: Bool { !abandoned.isEmpty || !lost.isEmpty }

        public init(reason: Reason, abandoned: [Int], lost: [Int]) {
            self.reason = reason
            self.abandoned = abandoned
            self.lost = lost
        }
    }

    public struct Settings: Equatable, Sendable {
        /// After a stop signal, how long busy workers may take to finish.
        public var drainSeconds: Double = 3
        /// Small units are batched until a message carries this much work (flops).
        public var minimumBatchCost: Double = 2e8
        /// A busy worker is lost after max(`minimumSilence`, `silenceFactor` × its assignment's
        /// cost / the slowest rate seen so far) seconds without a word.
        public var minimumSilence: Double = 300
        public var silenceFactor: Double = 20
        /// The rate assumed before any result has arrived (flop/s): far below any real core's.
        public var initialRate: Double = 1e8
        /// How long a parked worker is told to wait; renewed at half that.
        public var parkSeconds: Double = 60

        public init() {}
    }

    struct Assignment {
        var units: [WorkUnit]
        var cost: Double
        var sentAt: Double
        var deadline: Double
    }

    public let settings: Settings
    public let workers: [Int]
    private var queue: [WorkUnit]
    private var next = 0
    private var remainingCost: Double
    private var busy: [Int: Assignment] = [:]
    /// Parked workers and when they were last told to wait.
    private var parked: [Int: Double] = [:]
    private var released = Set<Int>()
    private var lost = Set<Int>()
    private var drainDeadline: Double?
    private var stopSignal: Int32?
    /// The slowest rate (flop/s) of any finished assignment.
    private var slowestRate: Double?
    public private(set) var ending: Ending?

    public private(set) var tasksDone = 0
    public private(set) var tasksNotOK = 0
    /// The sum of the task times the records report.
    public private(set) var taskSeconds = 0.0
    public let tasksPlanned: Int

    /// Instances handed out alone, never batched: those that crashed a worker before, so that
    /// a crash is charged to the instance that caused it, not to its batch mates.
    private let isolated: Set<InstanceKey>

    /// - Parameters:
    ///   - work: the units to run, in the order to hand them out (largest first).
    ///   - workers: the ranks that do the work; each must then be announced by `.ready`.
    ///   - isolating: instances to hand out alone.
    public init(work: [WorkUnit], workers: [Int], settings: Settings = Settings(), isolating: Set<InstanceKey> = []) {
        self.queue = work
        self.workers = workers
        self.settings = settings
        self.isolated = isolating
        self.remainingCost = work.reduce(0) { $0 + $1.cost }
        self.tasksPlanned = work.reduce(0) { $0 + $1.optimizers.count }
    }

    public var busyWorkers: [Int] { busy.keys.sorted() }
    public var lostWorkers: [Int] { lost.sorted() }
    public var isDraining: Bool { drainDeadline != nil }

    /// The commands `event` calls for at time `now` (seconds on a monotonic clock).
    public mutating func handle(_ event: Event, at now: Double) -> [Command] {
        guard ending == nil else {
            // After the end, only a lost worker that came back can speak: let it go.
            switch event {
            case .ready(let worker), .finished(let worker, _): return [.release(worker)]
            default: return []
            }
        }
        var commands: [Command] = []
        switch event {
        case .ready(let worker):
            commands += reply(to: worker, at: now)
        case .finished(let worker, let records):
            account(records)
            if let assignment = busy.removeValue(forKey: worker) {
                let rate = max(assignment.cost, 1) / max(now - assignment.sentAt, 1e-6)
                slowestRate = min(slowestRate ?? .infinity, rate)
            }
            lost.remove(worker)  // a lost worker that came back works again
            commands += reply(to: worker, at: now)
        case .stopRequested(let signal):
            if stopSignal == nil {
                stopSignal = signal
                drainDeadline = now + settings.drainSeconds
            }
        case .storeFailed(let reason):
            commands += releaseParked()
            return commands + finish(.storeFailed(reason: reason), abandoning: true)
        case .tick:
            break
        }
        commands += checkDeadlines(at: now)
        guard ending == nil else { return commands }
        if !workers.isEmpty && lost.count == workers.count {
            return commands + finish(.everyWorkerLost, abandoning: false)
        }
        commands += serveParked(at: now)
        if busy.isEmpty && parked.isEmpty && (drainDeadline != nil || next == queue.count)
            && released.count + lost.count == workers.count {
            commands += finish(stopSignal.map { .stopped(signal: $0) } ?? .complete, abandoning: false)
        }
        return commands
    }

    /// The units `worker` holds (busy, or abandoned at the end).
    public func units(of worker: Int) -> [WorkUnit] { busy[worker]?.units ?? [] }

    /// How long a worker may stay silent on an assignment of `cost` flops.
    public func silenceLimit(cost: Double) -> Double {
        max(settings.minimumSilence, settings.silenceFactor * cost / (slowestRate ?? settings.initialRate))
    }

    // MARK: - Internals

    private mutating func reply(to worker: Int, at now: Double) -> [Command] {
        if drainDeadline == nil, let batch = takeBatch() {
            let cost = batch.reduce(0) { $0 + $1.cost }
            busy[worker] = Assignment(units: batch, cost: cost, sentAt: now, deadline: now + silenceLimit(cost: cost))
            return [.send(batch, to: worker)]
        }
        if drainDeadline == nil && !busy.isEmpty {
            parked[worker] = now
            return [.park(worker, seconds: settings.parkSeconds)]
        }
        released.insert(worker)
        return [.release(worker)]
    }

    private mutating func takeBatch() -> [WorkUnit]? {
        var count = SchedulePolicy.batchSize(queue: queue[next...], remainingCost: remainingCost,
                                             workers: max(1, workers.count - lost.count),
                                             minimumBatchCost: settings.minimumBatchCost)
        guard count > 0 else { return nil }
        if !isolated.isEmpty {
            if isolated.contains(queue[next].instance) {
                count = 1
            } else if let suspect = queue[next..<next + count].firstIndex(where: { isolated.contains($0.instance) }) {
                count = suspect - next
            }
        }
        let batch = Array(queue[next..<next + count])
        next += count
        remainingCost -= batch.reduce(0) { $0 + $1.cost }
        return batch
    }

    private mutating func account(_ records: [TaskRecord]) {
        tasksDone += records.count
        tasksNotOK += records.filter { $0.outcome.status != .ok }.count
        taskSeconds += records.reduce(0) { $0 + $1.wallSeconds }
    }

    private mutating func checkDeadlines(at now: Double) -> [Command] {
        var commands: [Command] = []
        for worker in busy.keys.sorted() where now > busy[worker]!.deadline {
            let assignment = busy.removeValue(forKey: worker)!
            lost.insert(worker)
            queue.insert(contentsOf: assignment.units, at: next)
            remainingCost += assignment.cost
            commands.append(.declareLost(worker, silentSeconds: now - assignment.sentAt, units: assignment.units.count))
        }
        if let deadline = drainDeadline, now >= deadline, !busy.isEmpty {
            commands += releaseParked()
            commands += finish(.stopped(signal: stopSignal!), abandoning: true)
        }
        return commands
    }

    /// Parked workers get work when there is some again (a lost worker's units), are released
    /// when the run is draining or nothing is left, and are told again to wait before their
    /// last wait runs out.
    private mutating func serveParked(at now: Double) -> [Command] {
        var commands: [Command] = []
        for worker in parked.keys.sorted() {
            let toldAt = parked[worker]!
            if next < queue.count || drainDeadline != nil || busy.isEmpty {
                parked.removeValue(forKey: worker)
                commands += reply(to: worker, at: now)
            } else if now - toldAt >= settings.parkSeconds / 2 {
                parked[worker] = now
                commands.append(.park(worker, seconds: settings.parkSeconds))
            }
        }
        return commands
    }

    private mutating func releaseParked() -> [Command] {
        let workers = parked.keys.sorted()
        parked.removeAll()
        released.formUnion(workers)
        return workers.map { .release($0) }
    }

    private mutating func finish(_ reason: Ending.Reason, abandoning: Bool) -> [Command] {
        ending = Ending(reason: reason, abandoned: abandoning ? busy.keys.sorted() : [], lost: lost.sorted())
        return [.finish(ending!)]
    }
}
