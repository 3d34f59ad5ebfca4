import Foundation
import Platform

/// Runs one command given as an argument array and returns its standard output.
/// `argv[0]` is the program: a name looked up in PATH or a path.
public typealias CommandRunner = (_ argv: [String]) throws -> String

/// Runs `argv` with Foundation's `Process` (no shell), waits, and returns standard output.
/// - Throws: `SubmitError` (not bad input) when the program is missing or exits non-zero; the
///   message carries its last line on standard error.
public func runCommand(_ argv: [String]) throws -> String {
    guard let name = argv.first else { throw SubmitError.failure("no command to run") }
    guard let program = Executables.find(name) else {
        throw SubmitError.failure("\(name): not found in PATH (is this a Slurm login node? --sbatch PATH names another)")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = Array(argv.dropFirst())
    process.standardInput = FileHandle.nullDevice
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    do { try process.run() } catch {
        throw SubmitError.failure("\(program): cannot start: \(error.localizedDescription)")
    }
    // Read both pipes to the end at once, so that neither can fill up and block the child.
    let errorBox = DataBox()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { errorBox.data = err.fileHandleForReading.readDataToEndOfFile() }
    let output = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    let stdout = String(decoding: output, as: UTF8.self)
    let stderr = String(decoding: errorBox.data, as: UTF8.self)
    guard process.terminationReason == .exit, process.terminationStatus == 0 else {
        let last = stderr.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        let how = process.terminationReason == .exit ? "exited with \(process.terminationStatus)" : "was killed by signal \(process.terminationStatus)"
        throw SubmitError.failure("\(URL(fileURLWithPath: program).lastPathComponent) \(how)\(last.isEmpty ? "" : ": \(last)")")
    }
    return stdout
}

private final class DataBox: @unchecked Sendable { var data = Data() }
