import Foundation
import MessagePassing
import Numerics
import Platform
import Vocabulary

/// The life of a worker: receive the experiment, say hello, then run the work it is handed
/// until told to stop (see `Message` for the protocol).
public struct WorkerLoop {
    /// The coordinator answers a worker's results at once; a worker that hears nothing for
    /// this long (after its results, or past a wait it was given) takes the coordinator for
    /// gone and ends, instead of waiting forever on a rank that no longer exists.
    public var patience: Double = 900
    /// Set when an MPI launcher started this process: if it goes, the worker ends at once.
    public var parent: ParentWatch?
    let transport: Transport
    /// The rank written into records (0 for the thread behind a one-rank run).
    let recordedRank: Int32

    public init(transport: Transport, recordedRank: Int32? = nil) {
        self.transport = transport
        self.recordedRank = recordedRank ?? Int32(transport.rank)
    }

    /// Returns when the coordinator says stop.
    /// - Throws: `CoordinatorSilent` when it stays silent past `patience`, transport errors.
    public func run() throws {
        var message = try next(within: patience)
        guard case .experiment(let experiment) = message else {
            if case .stop = message { return }
            throw TransportFailure("expected the experiment first, got \(message.kind)")
        }
        BLASEnvironment.reserveBuffer()
        try transport.send(.hello(WorkerHello(hostName: HostName.current, blasCore: BLASEnvironment.coreName)), to: 0)
        let runner = TaskRunner(experiment: experiment, rank: recordedRank)
        var wait = patience
        while true {
            message = try next(within: wait)
            wait = patience
            switch message {
            case .work(let units):
                try transport.send(.results(runner.run(units)), to: 0)
            case .wait(let seconds):
                // Parked: the next message (work, stop or another wait) comes within that long.
                wait = seconds + patience
            case .stop:
                return
            default:
                throw TransportFailure("unexpected \(message.kind) message from the coordinator")
            }
        }
    }

    private func next(within seconds: Double) throws -> Message {
        let deadline = Clock.monotonicSeconds() + seconds
        while true {
            let left = deadline - Clock.monotonicSeconds()
            guard left > 0 else { throw CoordinatorSilent(seconds: seconds) }
            if parent?.parentIsGone == true { throw LauncherGone() }
            if let envelope = try transport.receive(within: min(left, 1)), envelope.source == 0 {
                return envelope.message
            }
        }
    }
}

/// The process that launched this worker (mpirun's daemon, slurmstepd) is gone.
public struct LauncherGone: Error, CustomStringConvertible {
    public var description: String { "the MPI launcher of this rank is gone: ending" }
}

/// The coordinator said nothing for longer than a worker's patience.
public struct CoordinatorSilent: Error, CustomStringConvertible {
    public let seconds: Double
    public var description: String { "the coordinator (rank 0) has been silent for \(Int(seconds)) s: giving up" }
}
