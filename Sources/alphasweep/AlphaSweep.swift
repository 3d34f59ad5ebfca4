import ArgumentParser
import Foundation
import Platform
import Sweep
import Vocabulary

/// An error from bad input (spec, arguments, files): exit code 2, one line on stderr.
struct BadInput: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

@main
struct AlphaSweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alphasweep",
        abstract: "Measure how the scaling exponent α in L(N) ∝ N^-α depends on the optimizer.",
        discussion: """
        Exit codes: 0 success, 2 bad input (spec, arguments, files), 1 anything else.
        """,
        version: AlphasweepVersion.current,
        subcommands: [Run.self, Analyze.self, Diagnose.self, Merge.self, Inspect.self, Plan.self, Submit.self, Status.self, Doctor.self, Benchmark.self]
    )

    /// ArgumentParser's own exit code for usage errors is 64; the contract says 2.
    static func main() {
        // Past a file-size limit (ulimit -f), writes must fail with EFBIG and a clear message
        // rather than the default SIGXFSZ killing the process mid-write.
        signal(SIGXFSZ, SIG_IGN)
        DiagnosticLogHandler.bootstrap()
        do {
            var command = try parseAsRoot()
            try command.run()
            end(0)
        } catch let code as ExitCode {
            end(code.rawValue)
        } catch {
            end(report(error))
        }
    }

    /// Ends the process without the libraries' exit handlers: every file is closed by now,
    /// and OpenBLAS's handler can hang joining a thread that is stuck (a task abandoned after a
    /// stop signal, a failed allocation under `ulimit -v`).
    static func end(_ code: Int32) -> Never {
        fflush(nil)
        _exit(code)
    }

    /// Writes the one stderr line an error deserves, with `note` appended in parentheses
    /// (stdout for help and version requests), and returns the exit code of the contract:
    /// 0, 2 bad input, 1 anything else.
    static func report(_ error: Error, note: String? = nil) -> Int32 {
        if let aborting = error as? AbortingError {
            return report(aborting.underlying, note: note ?? "aborting the MPI job: workers may be mid-task")
        }
        func fail(_ message: String, code: Int32) -> Int32 {
            let line = note.map { "\(message) (\($0))" } ?? message
            FileHandle.standardError.write(Data("alphasweep: \(line)\n".utf8))
            return code
        }
        if let error = error as? BadInput { return fail(error.description, code: 2) }
        if let error = error as? SpecError { return fail(error.description, code: 2) }
        let code = exitCode(for: error)
        if code == .success {
            print(fullMessage(for: error))
            return 0
        }
        if code == .validationFailure {
            let message = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            return fail(message.replacingOccurrences(of: "Error: ", with: ""), code: 2)
        }
        if let mapped = ErrorMapping.exitCode(for: error) { return fail(ErrorMapping.message(for: error), code: mapped) }
        return fail("\(error)", code: code == .failure ? 1 : code.rawValue)
    }
}
