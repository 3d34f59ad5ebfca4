import Foundation
import TestSupport
import XCTest

/// The CLI as a user meets it, on the built binary: exit codes 0 (success), 2 (bad input),
/// 1 (anything else); every error one line on stderr naming the file or key; help on stdout.
final class CommandLineContractTests: XCTestCase {
    func run(_ arguments: [String], in directory: String? = nil) throws -> BuiltBinary.Result {
        try BuiltBinary.run(arguments, in: directory)
    }

    /// Exit status 2 and exactly one stderr line containing every one of `parts`.
    func assertBadInput(_ result: BuiltBinary.Result, _ parts: String..., file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, 2, result.stderr, file: file, line: line)
        XCTAssertEqual(result.errorLines.count, 1, result.stderr, file: file, line: line)
        for part in parts { XCTAssertTrue(result.stderr.contains(part), "'\(part)' not in: \(result.stderr)", file: file, line: line) }
        XCTAssertTrue(result.stderr.hasPrefix("alphasweep: "), result.stderr, file: file, line: line)
    }

    func testHelpAndVersionGoToStandardOutput() throws {
        let help = try run(["--help"])
        XCTAssertEqual(help.status, 0)
        for subcommand in ["run", "analyze", "merge", "inspect", "status", "plan", "submit", "doctor"] {
            XCTAssertTrue(help.stdout.contains(subcommand), "help lists \(subcommand)")
        }
        XCTAssertTrue(help.stderr.isEmpty)
        let runHelp = try run(["run", "--help"])
        XCTAssertEqual(runHelp.status, 0)
        XCTAssertTrue(runHelp.stdout.contains("--resume") && runHelp.stdout.contains("--shard") && runHelp.stdout.contains("--quiet"))
        let version = try run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertFalse(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }

    func testUsageErrorsExitWithTwoOnOneLine() throws {
        assertBadInput(try run(["frobnicate"]), "frobnicate")
        assertBadInput(try run(["run"]), "spec")
        assertBadInput(try run(["run", "x.yaml", "--out"]), "--out")
        assertBadInput(try run(["analyze", "r.h5", "--format", "xml"]), "xml")
        assertBadInput(try run(["merge", "only-one.h5", "--out", "m.h5"]), "at least two")
    }

    func testBadFilesAndSpecsExitWithTwoNamingThem() throws {
        let dir = Scratch.directory(self, label: "cli")
        assertBadInput(try run(["run", "missing.yaml", "--out", "r.h5"], in: dir), "missing.yaml", "no such file")
        let smoke = try String(contentsOfFile: Repository.path("jobs/smoke.yaml"), encoding: .utf8)
        try smoke.replacingOccurrences(of: "sigma:", with: "sgima:").write(toFile: dir + "/typo.yaml", atomically: true, encoding: .utf8)
        assertBadInput(try run(["run", "typo.yaml", "--out", "r.h5"], in: dir), "typo.yaml:", "sgima", "did you mean 'sigma'")
        try "not HDF5".write(toFile: dir + "/text.h5", atomically: true, encoding: .utf8)
        assertBadInput(try run(["inspect", "text.h5"], in: dir), "text.h5", "not an HDF5 file")
        assertBadInput(try run(["analyze", "absent.h5"], in: dir), "absent.h5", "no such file")
        assertBadInput(try run(["run", Repository.path("jobs/smoke.yaml"), "--out", "r.h5", "--shard", "3/2"], in: dir), "--shard")
        XCTAssertEqual(Scratch.listing(dir), ["text.h5", "typo.yaml"], "nothing written by a refused command")
    }

    func testASweepRunsAndItsFileIsInspectedAndAnalyzed() throws {
        let dir = Scratch.directory(self, label: "cli")
        let spec = Repository.path("jobs/smoke.yaml")
        let first = try run(["run", spec, "--out", "r.h5", "--quiet"], in: dir)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.isEmpty, "--quiet: \(first.stderr)")
        assertBadInput(try run(["run", spec, "--out", "r.h5"], in: dir), "r.h5 already exists")
        let inspect = try run(["inspect", "r.h5"], in: dir)
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        XCTAssertTrue(inspect.stdout.contains("120 of 120 done (complete)"), inspect.stdout)
        let json = try run(["analyze", "r.h5", "--format", "json", "--no-store", "--no-theory", "--resamples", "200"], in: dir)
        XCTAssertEqual(json.status, 0, json.stderr)
        let rows = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        XCTAssertEqual(rows?.count, 10)
        XCTAssertEqual(Set(rows?.compactMap { $0["optimizer"] as? String } ?? []), ["GD", "Adam", "MatSign", "SqrtNG", "NG"])
        let resumed = try run(["run", spec, "--out", "r.h5", "--resume", "--quiet"], in: dir)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
    }

    /// Anything but bad input exits with 1: here the results file hits a file-size limit.
    func testAnIOFailureExitsWithOneOnOneLine() throws {
        let dir = Scratch.directory(self, label: "cli")
        let result = try BuiltBinary.run(["-c", "ulimit -f 40; exec \"$0\" \"$@\"", BuiltBinary.path, "run",
                                          Repository.path("jobs/smoke.yaml"), "--out", "r.h5", "--quiet"],
                                         in: dir, executable: "/bin/sh")
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertEqual(result.errorLines.count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("r.h5") && result.stderr.contains("No space left") , result.stderr)
    }
}
