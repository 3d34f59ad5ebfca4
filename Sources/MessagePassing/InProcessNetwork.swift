import Foundation

/// Ranks as threads of one process: a mailbox per rank. A one-rank run trains on a thread
/// behind it (so its coordinator keeps listening for stop signals while a task runs), and
/// tests drive the coordinator through it without `mpirun`.
///
/// Messages travel as their encoded bytes, so the protocol's encoding is exercised too.
/// `cut(_:)` simulates a network partition: nothing reaches or leaves the rank any more.
public final class InProcessNetwork: @unchecked Sendable {
    public let size: Int
    private let condition = NSCondition()
    private var mailboxes: [[(source: Int, tag: Int32, body: [UInt8])]]
    private var isCut: [Bool]

    public init(size: Int) {
        precondition(size >= 1, "a network has at least one rank")
        self.size = size
        mailboxes = Array(repeating: [], count: size)
        isCut = Array(repeating: false, count: size)
    }

    /// The endpoint of `rank`.
    public func endpoint(_ rank: Int) -> Transport { Endpoint(network: self, rank: rank) }

    /// From now on messages to and from `rank` are dropped.
    public func cut(_ rank: Int) {
        condition.lock()
        isCut[rank] = true
        mailboxes[rank].removeAll()
        condition.unlock()
    }

    fileprivate func deliver(_ message: Message, from source: Int, to destination: Int) throws {
        guard (0..<size).contains(destination) else { throw TransportFailure("no rank \(destination)") }
        let body = message.body
        condition.lock()
        defer { condition.unlock() }
        guard !isCut[source], !isCut[destination] else { return }
        mailboxes[destination].append((source, message.kind.rawValue, body))
        condition.broadcast()
    }

    fileprivate func take(for rank: Int, within timeout: Double) throws -> Envelope? {
        let deadline = Date(timeIntervalSinceNow: max(0, timeout))
        condition.lock()
        while mailboxes[rank].isEmpty {
            guard timeout > 0, condition.wait(until: deadline) else { break }
        }
        let next = mailboxes[rank].isEmpty ? nil : mailboxes[rank].removeFirst()
        condition.unlock()
        guard let next else { return nil }
        return Envelope(source: next.source, message: try Message(tag: next.tag, body: next.body))
    }

    private final class Endpoint: Transport {
        let network: InProcessNetwork
        let rank: Int
        var size: Int { network.size }

        init(network: InProcessNetwork, rank: Int) {
            self.network = network
            self.rank = rank
        }

        func send(_ message: Message, to destination: Int) throws {
            try network.deliver(message, from: rank, to: destination)
        }

        func receive(within timeout: Double) throws -> Envelope? {
            try network.take(for: rank, within: timeout)
        }
    }
}
