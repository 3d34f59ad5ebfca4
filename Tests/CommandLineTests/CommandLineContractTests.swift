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

    /// `plan --node-cores --node-memory`: one rank per core while memory holds that many of
    /// the largest instance, otherwise the ranks that fit with the other cores as BLAS threads;
    /// nothing fits → no recommendation; a malformed size is a usage error.
    func testPlanRecommendsRanksAndThreadsForANode() throws {
        let dir = Scratch.directory(self, label: "plan")
        let two = Repository.path("bench/cluster.yaml")  // 2 instances
        let cluster = dir + "/cluster-16.yaml"           // 32 instances
        try String(contentsOfFile: two, encoding: .utf8).replacingOccurrences(of: "seeds: 1", with: "seeds: 16")
            .write(toFile: cluster, atomically: true, encoding: .utf8)
        let few = try run(["plan", two, "--node-cores", "16", "--node-memory", "64G", "--workers", "1"])
        XCTAssertTrue(few.stdout.contains("2 worker rank(s) × OPENBLAS_NUM_THREADS=8 (only 2 instance(s))"), few.stdout)
        let roomy = try run(["plan", cluster, "--node-cores", "16", "--node-memory", "64G", "--workers", "1"])
        XCTAssertEqual(roomy.status, 0, roomy.stderr)
        XCTAssertTrue(roomy.stdout.contains("16 worker rank(s) × OPENBLAS_NUM_THREADS=1"), roomy.stdout)
        // The N = 4096 instance needs ~0.9 GB: 4 GB holds a few, the other cores become threads.
        let tight = try run(["plan", cluster, "--node-cores", "16", "--node-memory", "4G", "--workers", "1"])
        XCTAssertEqual(tight.status, 0, tight.stderr)
        let pattern = try Regex(#"at most (\d+) rank.*\n.*: (\d+) worker rank\(s\) × OPENBLAS_NUM_THREADS=(\d+)"#)
        let advice = try XCTUnwrap(tight.stdout.firstMatch(of: pattern), tight.stdout)
        let number = { (i: Int) in Int(advice.output[i].substring ?? "") ?? -1 }
        let (fit, ranks, threads) = (number(1), number(2), number(3))
        XCTAssertTrue(fit >= 2 && fit < 16, tight.stdout)
        XCTAssertEqual(ranks, fit)
        XCTAssertEqual(threads, 16 / ranks)
        let none = try run(["plan", cluster, "--node-cores", "16", "--node-memory", "512Mi", "--workers", "1"])
        XCTAssertTrue(none.stdout.contains("does not fit") && !none.stdout.contains("recommended"), none.stdout)
        assertBadInput(try run(["plan", cluster, "--node-memory", "lots"]), "--node-memory", "lots")
        assertBadInput(try run(["plan", cluster, "--node-cores", "0"]), "--node-cores")
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
