import Foundation
import Vocabulary

/// The messages between the coordinator (rank 0) and a worker (rank > 0), the whole protocol:
///
///     coordinator                         worker
///         ── experiment ───────────────────►
///         ◄───────────── hello (host, BLAS core)
///         ── work (units) ─────────────────►      ┐
///         ◄───────────── results (records)        ┘ repeated
///         ── wait (seconds) ───────────────►      nothing to hand out now: ask again (an
///         ◄───────────── results (none)           empty results message) after that long
///         ── stop ─────────────────────────►
///
/// After its hello, and after each results message, a worker waits for exactly one reply:
/// work, wait or stop. Every message is one point-to-point message whose tag is its kind.
public enum Message: Equatable, Sendable {
    case experiment(Experiment)
    case hello(WorkerHello)
    case work([WorkUnit])
    case results([TaskRecord])
    case wait(seconds: Double)
    case stop

    /// The message kinds, as MPI tags.
    public enum Kind: Int32, Sendable, CaseIterable {
        case experiment = 1
        case hello = 2
        case results = 3
        case work = 4
        case stop = 5
        case wait = 6
    }

    public var kind: Kind {
        switch self {
        case .experiment: return .experiment
        case .hello: return .hello
        case .work: return .work
        case .results: return .results
        case .wait: return .wait
        case .stop: return .stop
        }
    }

    /// The message body (its kind travels as the tag).
    public var body: [UInt8] {
        var writer = ByteWriter()
        switch self {
        case .experiment(let experiment):
            // JSON through Codable, so that no field of the experiment can be forgotten here;
            // doubles print as their shortest round-tripping form (a test checks the bits).
            writer.append(Array((try? Self.jsonEncoder.encode(experiment)) ?? Data()))
        case .hello(let hello):
            writer.put(hello.hostName, lengthBytes: 4)
            writer.put(hello.blasCore, lengthBytes: 4)
        case .work(let units):
            writer.put(UInt64(units.count))
            for unit in units { unit.encode(into: &writer) }
        case .results(let records):
            writer.put(UInt64(records.count))
            for record in records { record.encode(into: &writer) }
        case .wait(let seconds):
            writer.put(seconds)
        case .stop:
            break
        }
        return writer.bytes
    }

    /// A message from its tag and body.
    /// - Throws: `MalformedMessage` for an unknown tag or a body that is not of its kind.
    public init(tag: Int32, body: [UInt8]) throws {
        guard let kind = Kind(rawValue: tag) else { throw MalformedMessage(detail: "unknown tag \(tag)") }
        var reader = ByteReader(body)
        do {
            switch kind {
            case .experiment:
                self = .experiment(try Self.jsonDecoder.decode(Experiment.self, from: Data(body)))
                return
            case .hello:
                self = .hello(WorkerHello(hostName: try reader.readString(lengthBytes: 4),
                                          blasCore: try reader.readString(lengthBytes: 4)))
            case .work:
                let count = try reader.read(UInt64.self)
                guard count <= UInt64(body.count) else { throw MalformedMessage(detail: "work: \(count) units") }
                self = .work(try (0..<count).map { _ in try WorkUnit.decode(from: &reader) })
            case .results:
                let count = try reader.read(UInt64.self)
                guard count <= UInt64(body.count) else { throw MalformedMessage(detail: "results: \(count) records") }
                self = .results(try (0..<count).map { _ in try TaskRecord.decode(from: &reader) })
            case .wait:
                self = .wait(seconds: try reader.readDouble())
            case .stop:
                self = .stop
            }
        } catch let error as MalformedMessage {
            throw error
        } catch {
            throw MalformedMessage(detail: "\(kind): \(error)")
        }
        guard reader.isAtEnd else { throw MalformedMessage(detail: "\(kind): \(reader.remaining) bytes left over") }
    }

    static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()
    static let jsonDecoder = JSONDecoder()
}

/// What a worker tells the coordinator about itself once, for the results file's provenance.
public struct WorkerHello: Equatable, Sendable {
    public var hostName: String
    public var blasCore: String

    public init(hostName: String, blasCore: String) {
        self.hostName = hostName
        self.blasCore = blasCore
    }
}

/// A message whose bytes are not of its kind: a bug or a mismatch of alphasweep versions
/// between ranks.
public struct MalformedMessage: Error, CustomStringConvertible, Sendable {
    public let detail: String
    public var description: String { "malformed message between ranks (\(detail))" }
}
