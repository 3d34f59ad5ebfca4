/// A message that has arrived, with the rank that sent it.
public struct Envelope: Equatable, Sendable {
    public let source: Int
    public let message: Message

    public init(source: Int, message: Message) {
        self.source = source
        self.message = message
    }
}

/// How ranks exchange `Message`s: MPI between processes (`MPITransport`) or queues between
/// threads of one process (`InProcessNetwork`: a one-rank run, and tests).
///
/// Messages from one rank to another arrive in the order they were sent. Nothing here says
/// when a rank is gone: a lost rank is one that stays silent (the coordinator decides).
public protocol Transport: AnyObject {
    /// This endpoint's rank, 0 for the coordinator.
    var rank: Int { get }
    /// The number of ranks.
    var size: Int { get }
    /// Sends `message` to `destination`; returns once the message is on its way.
    func send(_ message: Message, to destination: Int) throws
    /// The next message for this rank, waiting at most `timeout` seconds for one (0: only look).
    func receive(within timeout: Double) throws -> Envelope?
}

/// A transport that failed (an MPI call returned an error).
public struct TransportFailure: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
