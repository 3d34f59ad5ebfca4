import Foundation
import MessagePassing
import Numerics
import Sweep

/// The life of a worker rank: receive the spec, then ask for work until told to stop.
public enum WorkerLoop {
    /// Returns when the coordinator says stop. Stop signals are left to the coordinator, which
    /// decides when the sweep ends; a worker finishes the unit in hand.
    public static func run(rank: Int) throws {
        for signalNumber in [SIGTERM, SIGUSR1, SIGINT] { signal(signalNumber, SIG_IGN) }
        let first = try MPI.waitForMessage(from: 0)
        let specBytes = try MPI.receive(first)
        guard first.tag == MessageTag.spec.rawValue else { return }
        let spec = try SweepSpec.parse(String(decoding: specBytes, as: UTF8.self), file: "<spec sent by rank 0>")
        try MPI.send(WorkerHello(hostname: MPI.processorName, blasCore: BLASEnvironment.coreName).encoded,
                     to: 0, tag: MessageTag.hello.rawValue)
        let runner = TaskRunner(spec: spec, rank: Int32(rank))
        while true {
            let envelope = try MPI.waitForMessage(from: 0)
            let bytes = try MPI.receive(envelope)
            guard envelope.tag == MessageTag.work.rawValue else { return }
            let results = runner.run(try WorkUnit.decode(bytes))
            try MPI.send(TaskRecord.encode(results), to: 0, tag: MessageTag.ready.rawValue)
        }
    }
}
