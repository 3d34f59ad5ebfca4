import Foundation
import ResultsFile
import TestSupport
import Vocabulary
import XCTest

/// Runs this test binary again, as a child process that executes one scenario of
/// ``ChildProcessEntry`` (selected by environment variables) — to kill a writer with SIGKILL,
/// hold a lock from another process, or write under a file-size limit.
enum ChildProcess {
    static let modeVariable = "ALPHASWEEP_RESULTS_CHILD"
    static let pathVariable = "ALPHASWEEP_RESULTS_CHILD_PATH"

    static func start(mode: String, path: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["ResultsFileTests.ChildProcessEntry/testChildProcessEntry"]
        var environment = ProcessInfo.processInfo.environment
        environment[modeVariable] = mode
        environment[pathVariable] = path
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs a scenario to its end (or its death).
    static func run(mode: String, path: String) throws -> Process {
        let process = try start(mode: mode, path: path)
        process.waitUntilExit()
        return process
    }

    /// Waits until `path` exists (a child's "ready" marker).
    static func waitFor(_ path: String, seconds: Double = 120) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: path) { return true }
            usleep(20_000)
        }
        return false
    }

    static func report(_ path: String) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path + ".report.json"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object
    }
}

/// The child side of ``ChildProcess``: does nothing unless started by it.
final class ChildProcessEntry: XCTestCase {
    func testChildProcessEntry() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let mode = environment[ChildProcess.modeVariable], let path = environment[ChildProcess.pathVariable] else {
            return
        }
        switch mode {
        case "crash": try crashAfterFlush(path)
        case "hold-lock": try holdLock(path)
        case "disk-full": try diskFull(path)
        default: fatalError("unknown child mode \(mode)")
        }
    }

    /// 50 rows flushed, 7 more appended but not flushed, then SIGKILL.
    private func crashAfterFlush(_ path: String) throws {
        let records = SampleRecords.awkward()
        let writer = try ResultsWriter.create(path: path, specText: Fixture.specText, specSHA256: Fixture.sha,
                                              provenance: Fixture.provenance, policy: .manual)
        try writer.append(Array(records[0..<50]))
        try writer.flush()
        try writer.append(Array(records[50..<57]))
        kill(getpid(), SIGKILL)
    }

    /// Holds the writer lock until killed.
    private func holdLock(_ path: String) throws {
        let writer = try ResultsWriter.create(path: path, specText: Fixture.specText, specSHA256: Fixture.sha,
                                              provenance: Fixture.provenance, policy: .manual)
        try writer.append(Array(SampleRecords.awkward().prefix(20)))
        try writer.flush()
        _ = FileManager.default.createFile(atPath: path + ".ready", contents: Data())
        while true { sleep(1) }
    }

    /// 300 rows with incompressible messages flushed; then RLIMIT_FSIZE of 64 KiB (SIGXFSZ
    /// ignored, so writes fail with EFBIG) and one more row: flush, checkpoint and close fail.
    private func diskFull(_ path: String) throws {
        var report: [String: Any] = [:]
        var random = SystemRandomNumberGenerator()
        var records = SampleRecords.awkward(s: [0.5, 0.75, 1.0, 1.25, 1.5], N: [16, 32, 64, 128], replicates: 3)
        for i in records.indices {
            records[i].outcome.message = String((0..<400).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement(using: &random)! })
        }
        let extra = records.removeLast()
        let writer = try ResultsWriter.create(path: path, specText: Fixture.specText, specSHA256: Fixture.sha,
                                              provenance: Fixture.provenance, policy: .manual)
        try writer.append(records)
        try writer.flush()
        report["flushedRows"] = records.count

        var saved = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        signal(SIGXFSZ, SIG_IGN)
        var limited = rlimit(rlim_cur: 64 * 1024, rlim_max: saved.rlim_max)
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limited)
        try writer.append(extra)
        func attempt(_ name: String, _ body: () throws -> Void) {
            do {
                try body()
                report[name] = "succeeded"
            } catch let error as ResultsFileError {
                report[name] = error.description
                report[name + "ExitCode"] = Int(error.exitCode)
            } catch {
                report[name] = "unexpected: \(error)"
            }
        }
        attempt("flush") { try writer.flush() }
        attempt("checkpoint") { try writer.checkpoint() }
        attempt("close") { try writer.close() }
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        let data = try JSONSerialization.data(withJSONObject: report)
        _ = FileManager.default.createFile(atPath: path + ".report.json", contents: data)
    }
}
