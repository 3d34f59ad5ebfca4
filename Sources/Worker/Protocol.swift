import Foundation
import MessagePassing
import Sweep

/// The messages between the coordinator (rank 0) and a worker (rank > 0).
///
///     coordinator                         worker
///         ── spec (spec text) ──────────────►
///         ◄───────────── hello (host, BLAS core)
///         ── work (units) ──────────────────►      ┐
///         ◄───────────── ready (their results)     ┘ repeated
///         ── stop ──────────────────────────►
/// After its hello, and after each ready, a worker waits for exactly one reply: work or stop.
public enum MessageTag: Int32 {
    case spec = 1
    case hello = 2
    case ready = 3
    case work = 4
    case stop = 5
}

/// What a worker tells the coordinator about itself once, for the results file's provenance.
public struct WorkerHello: Equatable, Sendable {
    public var hostname: String
    public var blasCore: String

    public init(hostname: String, blasCore: String) {
        self.hostname = hostname
        self.blasCore = blasCore
    }

    public var encoded: [UInt8] {
        var w = WireWriter()
        w.put(hostname)
        w.put(blasCore)
        return w.bytes
    }

    public init(decoding bytes: [UInt8]) throws {
        var r = WireReader(bytes)
        hostname = try r.string()
        blasCore = try r.string()
    }
}
