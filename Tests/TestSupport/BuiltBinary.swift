import Foundation

/// The `alphasweep` binary built beside the test bundle, run as a user runs it.
public enum BuiltBinary {
    /// `.build/<configuration>/alphasweep`: the directory of the running test bundle.
    public static var path: String {
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        return bundle.appendingPathComponent("alphasweep").path
    }

    public struct Result {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        /// The lines of standard error.
        public var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }
    }

    /// Runs the binary with `arguments` in `directory`, waits at most `timeout` seconds
    /// (then kills it), and returns what it printed.
    /// `executable` runs instead of the binary when given (e.g. a shell that sets a limit first).
    public static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
                           timeout: Double = 120, executable: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable ?? path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = env["OPENBLAS_NUM_THREADS"] ?? "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let collected = Collected()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { collected.stderr = err.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { collected.stdout = out.fileHandleForReading.readDataToEndOfFile() }
        if group.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            kill(process.processIdentifier, SIGKILL)
            group.wait()
        }
        process.waitUntilExit()
        return Result(status: process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus,
                      stdout: String(decoding: collected.stdout, as: UTF8.self),
                      stderr: String(decoding: collected.stderr, as: UTF8.self))
    }

    private final class Collected: @unchecked Sendable {
        var stdout = Data()
        var stderr = Data()
    }
}
