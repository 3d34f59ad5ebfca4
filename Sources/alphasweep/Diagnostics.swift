import ArgumentParser
import Foundation
import Logging

/// Every diagnostic line goes through swift-log to stderr as "alphasweep: <message>", the
/// format batch logs have always had; `--quiet` keeps only warnings and errors.
struct DiagnosticLogHandler: LogHandler {
    /// The lowest level printed, for every logger of the process (set once from `--quiet`).
    nonisolated(unsafe) static var threshold: Logger.Level = .info

    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level {
        get { Self.threshold }
        set { Self.threshold = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard event.level >= Self.threshold else { return }
        FileHandle.standardError.write(Data("alphasweep: \(event.message)\n".utf8))
    }

    static func bootstrap() {
        LoggingSystem.bootstrap { _ in DiagnosticLogHandler() }
    }
}

/// `--quiet`, shared by the subcommands that talk while they work.
struct DiagnosticOptions: ParsableArguments {
    @Flag(help: "Print only warnings and errors (no progress, no notes).") var quiet = false

    func apply() {
        if quiet { DiagnosticLogHandler.threshold = .warning }
    }
}

/// The CLI's logger.
let logger = Logger(label: "alphasweep")

/// The stated range of every numeric flag: a value outside it is bad input (exit 2), caught
/// before anything is allocated or written. (A `ValidationError`, so that ArgumentParser
/// reports it as one, from `validate()` as from `run()`.)
enum Ranges {
    static func check<T: Comparable>(_ value: T, _ range: ClosedRange<T>, _ flag: String) throws {
        guard range.contains(value) else {
            throw ValidationError("\(flag): must be in \(range.lowerBound)…\(range.upperBound), got \(value)")
        }
    }

    static func check(_ value: Double, _ range: ClosedRange<Double>, _ flag: String) throws {
        guard value.isFinite, range.contains(value) else {
            throw ValidationError("\(flag): must be a number in \(range.lowerBound)…\(range.upperBound), got \(value)")
        }
    }

    /// The most shards (or ranks) any command plans for.
    static let maxShards = 1_000_000
}
