import CMPI
import Foundation
import Platform

/// The MPI world as a `Transport`: point-to-point byte messages on MPI_COMM_WORLD, the
/// message kind as the tag. Errors are returned, not fatal (MPI_ERRORS_RETURN).
public final class MPITransport: Transport {
    public let rank: Int
    public let size: Int

    /// True when an MPI launcher (mpirun, srun --mpi=pmix, a PMI-aware scheduler) started this
    /// process. A process started by hand runs alone without initialising MPI: MPI's singleton
    /// start costs time and files (and fails under a small file-size limit) for nothing.
    public static var isLaunched: Bool {
        let environment = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"].contains { environment[$0] != nil }
    }

    /// Initialises MPI (once per process).
    public init() throws {
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        if initialized == 0 {
            try Self.check(MPI_Init(nil, nil), "MPI_Init")
            MPI_Comm_set_errhandler(alphasweep_mpi_comm_world(), alphasweep_mpi_errors_return())
        }
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(alphasweep_mpi_comm_world(), &r)
        MPI_Comm_size(alphasweep_mpi_comm_world(), &s)
        rank = Int(r)
        size = Int(s)
    }

    public func send(_ message: Message, to destination: Int) throws {
        let body = message.body
        try body.withUnsafeBytes { raw in
            try Self.check(MPI_Send(raw.baseAddress, Int32(body.count), alphasweep_mpi_byte(), Int32(destination),
                                    message.kind.rawValue, alphasweep_mpi_comm_world()), "MPI_Send")
        }
    }

    /// Polls with MPI_Iprobe, sleeping between polls: Open MPI's blocking probe would spin a
    /// core while it waits. The sleep doubles from 50 µs to at most 1 ms, so a reply that
    /// arrives quickly is seen quickly and a long wait costs almost no CPU.
    public func receive(within timeout: Double) throws -> Envelope? {
        let deadline = Clock.monotonicSeconds() + timeout
        var nap: UInt32 = 50
        while true {
            var flag: Int32 = 0
            var status = MPI_Status()
            try Self.check(MPI_Iprobe(alphasweep_mpi_any_source(), alphasweep_mpi_any_tag(), alphasweep_mpi_comm_world(),
                                      &flag, &status), "MPI_Iprobe")
            if flag != 0 { return try receive(status) }
            let left = deadline - Clock.monotonicSeconds()
            guard left > 0 else { return nil }
            usleep(UInt32(min(Double(nap), max(1, left * 1e6))))
            nap = min(nap * 2, 1000)
        }
    }

    private func receive(_ status: MPI_Status) throws -> Envelope {
        var status = status
        var count: Int32 = 0
        try Self.check(MPI_Get_count(&status, alphasweep_mpi_byte(), &count), "MPI_Get_count")
        var body = [UInt8](repeating: 0, count: Int(count))
        try body.withUnsafeMutableBytes { raw in
            try Self.check(MPI_Recv(raw.baseAddress, count, alphasweep_mpi_byte(), status.MPI_SOURCE, status.MPI_TAG,
                                    alphasweep_mpi_comm_world(), alphasweep_mpi_status_ignore()), "MPI_Recv")
        }
        return Envelope(source: Int(status.MPI_SOURCE), message: try Message(tag: status.MPI_TAG, body: body))
    }

    /// Ends MPI for this process (every rank must call it, or `abort`).
    public func finalize() {
        var finalized: Int32 = 0
        MPI_Finalized(&finalized)
        if finalized == 0 { MPI_Finalize() }
    }

    /// Ends every rank of the job: the way out when a rank may be mid-task or gone.
    public func abort(code: Int32) -> Never {
        MPI_Abort(alphasweep_mpi_comm_world(), code)
        exit(code)
    }

    /// The library's own version line, e.g. "Open MPI v4.1.4, …" (callable before MPI_Init).
    public static var libraryVersion: String {
        var buffer = [CChar](repeating: 0, count: Int(alphasweep_mpi_max_library_version_string()) + 1)
        var length: Int32 = 0
        MPI_Get_library_version(&buffer, &length)
        return String(cString: buffer).split(separator: "\n").first.map(String.init)?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    static func check(_ code: Int32, _ call: String) throws {
        if code != alphasweep_mpi_success() { throw TransportFailure("\(call) failed with MPI error \(code)") }
    }
}
