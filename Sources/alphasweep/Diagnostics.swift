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
