import Foundation
import TestSupport
import XCTest

/// A fresh temporary directory whose name holds shell metacharacters, so any test that passes
/// it through a shell by mistake breaks.
func hostileTemporaryDirectory(_ label: String = "t") throws -> String {
    let base = FileManager.default.temporaryDirectory.path
    let dir = base + "/alphasweep-slurm-\(label)-\(UUID().uuidString.prefix(8)) $(touch pwned); x'y\"z"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// A fake `sbatch`: records every argument array and answers with the next job id. It also
/// answers `scontrol show config` (recorded apart, in `configQueries`) with `config`.
final class FakeSbatch: @unchecked Sendable {
    var calls: [[String]] = []
    var nextID = 4100
    /// Answers per call (index); default `"<id>\n"`.
    var answers: [Int: Result<String, Error>] = [:]
    var configQueries: [[String]] = []
    /// What `scontrol show config` prints (a failure: scontrol missing or failing).
    var config: Result<String, Error> = .success("Configuration data as of 2026-12-02T03:00:00\nMaxArraySize            = 1001\nMaxJobCount             = 10000\n")

    func run(_ argv: [String]) throws -> String {
        if argv.first.map({ URL(fileURLWithPath: $0).lastPathComponent == "scontrol" }) == true {
            configQueries.append(argv)
            return try config.get()
        }
        calls.append(argv)
        if let answer = answers[calls.count - 1] { return try answer.get() }
        nextID += 1
        return "\(nextID)\n"
    }
}

/// Runs `argv` through `/bin/sh -c "printf '%s\0' <line>"` and returns the arguments the shell saw.
func argumentsAfterShell(_ line: String) throws -> [String] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "printf '%s\\0' " + line]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    var parts = String(decoding: data, as: UTF8.self).components(separatedBy: "\0")
    parts.removeLast()
    return parts
}
