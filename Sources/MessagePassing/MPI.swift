import CMPI
import Foundation

/// A thin layer over the MPI C API: what alphasweep needs (point-to-point byte messages,
/// a barrier, abort) and nothing of the science.
public enum MPI {
    public struct Failure: Error, CustomStringConvertible {
        public let call: String
        public let code: Int32
        public init(call: String, code: Int32) {
            self.call = call
            self.code = code
        }
        public var description: String { "\(call) failed with MPI error \(code)" }
    }

    /// Initialises MPI once per process; errors come back as codes instead of aborting.
    public static func initialize() throws {
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        if initialized != 0 { return }
        try check(MPI_Init(nil, nil), "MPI_Init")
        MPI_Comm_set_errhandler(alphasweep_mpi_comm_world(), alphasweep_mpi_errors_return())
    }

    public static func finalize() {
        var finalized: Int32 = 0
        MPI_Finalized(&finalized)
        if finalized == 0 { MPI_Finalize() }
    }

    /// Ends every rank of the job: the way out when one rank cannot go on.
    public static func abort(code: Int32) -> Never {
        MPI_Abort(alphasweep_mpi_comm_world(), code)
        exit(code)
    }

    public static var rank: Int {
        var r: Int32 = 0
        MPI_Comm_rank(alphasweep_mpi_comm_world(), &r)
        return Int(r)
    }

    public static var size: Int {
        var s: Int32 = 0
        MPI_Comm_size(alphasweep_mpi_comm_world(), &s)
        return Int(s)
    }

    public static var processorName: String {
        var buffer = [CChar](repeating: 0, count: Int(alphasweep_mpi_max_processor_name()) + 1)
        var length: Int32 = 0
        MPI_Get_processor_name(&buffer, &length)
        return String(cString: buffer)
    }

    /// The library's own version line, e.g. "Open MPI v4.1.4, …".
    public static var libraryVersion: String {
        var buffer = [CChar](repeating: 0, count: Int(alphasweep_mpi_max_library_version_string()) + 1)
        var length: Int32 = 0
        MPI_Get_library_version(&buffer, &length)
        return String(cString: buffer).split(separator: "\n").first.map(String.init)?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    public static func barrier() throws {
        try check(MPI_Barrier(alphasweep_mpi_comm_world()), "MPI_Barrier")
    }

    /// Sends bytes to `destination` with `tag` (blocking until the buffer may be reused).
    public static func send(_ bytes: [UInt8], to destination: Int, tag: Int32) throws {
        try bytes.withUnsafeBytes { raw in
            try check(MPI_Send(raw.baseAddress, Int32(bytes.count), alphasweep_mpi_byte(), Int32(destination), tag,
                               alphasweep_mpi_comm_world()), "MPI_Send")
        }
    }

    /// A message that has arrived and may be received.
    public struct Envelope {
        public let source: Int
        public let tag: Int32
        public let count: Int
    }

    /// Checks for a message from anyone without blocking.
    public static func poll() throws -> Envelope? {
        var flag: Int32 = 0
        var status = MPI_Status()
        try check(MPI_Iprobe(alphasweep_mpi_any_source(), alphasweep_mpi_any_tag(), alphasweep_mpi_comm_world(), &flag, &status),
                  "MPI_Iprobe")
        guard flag != 0 else { return nil }
        return try envelope(status)
    }

    /// Waits for a message from `source` (blocking; Open MPI spins while it waits, so only
    /// workers, which have nothing else to do, call this).
    public static func waitForMessage(from source: Int) throws -> Envelope {
        var status = MPI_Status()
        try check(MPI_Probe(Int32(source), alphasweep_mpi_any_tag(), alphasweep_mpi_comm_world(), &status), "MPI_Probe")
        return try envelope(status)
    }

    /// Waits for a message from anyone, sleeping between polls so the wait costs no CPU.
    public static func waitForAny() throws -> Envelope {
        var nap: UInt32 = 50
        while true {
            if let envelope = try poll() { return envelope }
            usleep(nap)
            nap = min(nap * 2, 5000)
        }
    }

    /// Receives the message an envelope announced.
    public static func receive(_ envelope: Envelope) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: envelope.count)
        try bytes.withUnsafeMutableBytes { raw in
            try check(MPI_Recv(raw.baseAddress, Int32(envelope.count), alphasweep_mpi_byte(), Int32(envelope.source),
                               envelope.tag, alphasweep_mpi_comm_world(), alphasweep_mpi_status_ignore()), "MPI_Recv")
        }
        return bytes
    }

    static func envelope(_ status: MPI_Status) throws -> Envelope {
        var status = status
        var count: Int32 = 0
        try check(MPI_Get_count(&status, alphasweep_mpi_byte(), &count), "MPI_Get_count")
        return Envelope(source: Int(status.MPI_SOURCE), tag: status.MPI_TAG, count: Int(count))
    }

    static func check(_ code: Int32, _ call: String) throws {
        if code != alphasweep_mpi_success() { throw Failure(call: call, code: code) }
    }
}
