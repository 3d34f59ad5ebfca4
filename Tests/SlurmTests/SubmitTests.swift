import Foundation
import Slurm
import TestSupport
import XCTest

final class SubmitTests: XCTestCase {
    var work = ""
    var spec = ""
    let binary = "/opt/alpha sweep/bin/alphasweep"

    override func setUpWithError() throws {
        work = try hostileTemporaryDirectory("submit")
        // The spec's own name is hostile too; the jobs only ever see DIR/spec.yaml.
        spec = work + "/smoke $(touch pwned); rm -rf x.yaml"
        try FileManager.default.copyItem(atPath: Repository.root.appendingPathComponent("jobs/smoke.yaml").path, toPath: spec)
    }

    override func tearDownWithError() throws {
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/pwned"), "something ran a shell")
        try? FileManager.default.removeItem(atPath: work)
    }

    func request(_ k: Int = 3, out: String? = nil, partition: String? = nil, time: String? = nil,
                 account: String? = nil, ranks: Int = 1, dryRun: Bool = false) -> SubmitRequest {
        SubmitRequest(specPath: spec, shards: k, outDirectory: out ?? work + "/run; echo x", partition: partition,
                      time: time, account: account, ranksPerShard: ranks, alphasweepPath: binary, dryRun: dryRun)
    }

    func testArrayThenDependentMergeAsArgumentArrays() throws {
        let fake = FakeSbatch()
        let dir = work + "/run; echo x"
        let result = try submitSweep(request(3, partition: "debug", time: "1-02:00:00", account: "proj", ranks: 2), run: fake.run)

        XCTAssertEqual(result.arrayJob, JobID(id: 4101))
        XCTAssertEqual(result.mergeJob, JobID(id: 4102))
        XCTAssertEqual(fake.calls.count, 2)
        XCTAssertEqual(fake.calls[0], [
            "sbatch", "--parsable", "--job-name=alphasweep-smoke___touch_pwned___rm_-rf_x", "--array=0-2",
            "--ntasks=2", "--cpus-per-task=1", "--output=logs/%x-%A_%a.out", "--export=ALL,ALPHASWEEP_REQUEUE_LIMIT=3",
            "--partition=debug", "--account=proj", "--time=1-02:00:00", "--chdir=\(dir)", "--kill-on-invalid-dep=yes",
            "\(dir)/array.sbatch", "\(dir)/spec.yaml", dir, "3", binary,
        ])
        XCTAssertEqual(fake.calls[1], [
            "sbatch", "--parsable", "--job-name=alphasweep-smoke___touch_pwned___rm_-rf_x-merge", "--ntasks=1",
            "--cpus-per-task=1", "--output=logs/%x-%j.out",
            "--partition=debug", "--account=proj", "--time=1-02:00:00", "--chdir=\(dir)", "--kill-on-invalid-dep=yes",
            "--dependency=afterok:4101",
            "\(dir)/merge-analyze.sbatch", dir, "3", binary,
        ])
        XCTAssertEqual(result.commands, fake.calls)
    }

    /// A spec's relative spectrum files are copied beside DIR/spec.yaml (the jobs' spec), where
    /// the jobs look for them; one that leaves the spec's directory is refused before anything
    /// is submitted.
    func testSpectrumFilesTravelWithTheSpecCopy() throws {
        let eigenvalues = (1...256).map { "\(pow(Double($0), -1.2))" }.joined(separator: "\n") + "\n"
        try FileManager.default.createDirectory(atPath: work + "/data", withIntermediateDirectories: true)
        try eigenvalues.write(toFile: work + "/data/eigs.txt", atomically: true, encoding: .utf8)
        let text = try String(contentsOfFile: spec, encoding: .utf8).replacingOccurrences(of: "s: [0.75, 1.5]", with: "s: [0.75, 5.0]")
        try (text + "spectrum_files: {5.0: data/eigs.txt}\n").write(toFile: spec, atomically: true, encoding: .utf8)
        let fake = FakeSbatch()
        let plan = try submitSweep(request(), run: fake.run).plan
        XCTAssertEqual(try String(contentsOfFile: plan.outDirectory + "/data/eigs.txt", encoding: .utf8), eigenvalues)
        try (text + "spectrum_files: {5.0: ../eigs.txt}\n").write(toFile: spec, atomically: true, encoding: .utf8)
        try eigenvalues.write(toFile: work + "/../eigs.txt", atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: work + "/../eigs.txt") }
        let refused = FakeSbatch()
        XCTAssertThrowsError(try submitSweep(request(out: work + "/other"), run: refused.run)) { error in
            XCTAssertTrue("\(error)".contains("leaves the spec's directory"), "\(error)")
        }
        XCTAssertTrue(refused.calls.isEmpty)
    }

    func testPreparesTheOutputDirectory() throws {
        let fake = FakeSbatch()
        let result = try submitSweep(request(), run: fake.run)
        let plan = result.plan
        let fm = FileManager.default
        XCTAssertTrue(fm.fileExists(atPath: plan.logDirectory))
        XCTAssertEqual(try String(contentsOfFile: plan.specCopy, encoding: .utf8), try String(contentsOfFile: spec, encoding: .utf8))
        XCTAssertEqual(try String(contentsOfFile: plan.arrayScript, encoding: .utf8), BatchScripts.array)
        XCTAssertEqual(try String(contentsOfFile: plan.mergeScript, encoding: .utf8), BatchScripts.mergeAnalyze)
        XCTAssertTrue(fm.isExecutableFile(atPath: plan.arrayScript))
    }

    func testCommandsFileHoldsTheCommandsShellQuoted() throws {
        let fake = FakeSbatch()
        let result = try submitSweep(request(), run: fake.run)
        let text = try String(contentsOfFile: result.plan.commandsFile, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        XCTAssertEqual(lines, result.commandLines)
        XCTAssertEqual(lines.count, 2)
        for (line, argv) in zip(lines, fake.calls) { XCTAssertEqual(try argumentsAfterShell(line), argv) }
    }

    func testClusterSuffixIsDroppedFromTheDependency() throws {
        let fake = FakeSbatch()
        fake.answers[0] = .success("77;cluster2\n")
        let result = try submitSweep(request(), run: fake.run)
        XCTAssertEqual(result.arrayJob, JobID(id: 77, cluster: "cluster2"))
        XCTAssertTrue(fake.calls[1].contains("--dependency=afterok:77"))
    }

    func testHostileFlagValuesAreRefusedBeforeAnythingRuns() throws {
        let hostile: [(String, SubmitRequest)] = [
            ("partition", request(partition: "debug; touch /tmp/pwned")),
            ("partition", request(partition: "$(touch /tmp/pwned)")),
            ("account", request(account: "a,b")),
            ("time", request(time: "01:00:00; id")),
            ("time", request(time: "1h")),
            ("array", request(0)),
            ("ranks", request(ranks: 0)),
            ("out", request(out: "")),
            ("out", request(out: work + "/a\nb")),
        ]
        for (what, req) in hostile {
            let fake = FakeSbatch()
            XCTAssertThrowsError(try submitSweep(req, run: fake.run), what) { error in
                XCTAssertEqual((error as? SubmitError)?.isBadInput, true, "\(what): \(error)")
            }
            XCTAssertTrue(fake.calls.isEmpty, what)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/run; echo x"), "a refused submission wrote files")
    }

    func testMoreShardsThanInstancesIsBadInput() {
        // smoke.yaml: 2 s × 4 N × 3 replicates = 24 instances.
        XCTAssertNoThrow(try submitSweep(request(24, dryRun: true), run: FakeSbatch().run))
        XCTAssertThrowsError(try submitSweep(request(25), run: FakeSbatch().run)) { error in
            XCTAssertEqual((error as? SubmitError)?.isBadInput, true)
            XCTAssertTrue("\(error)".contains("24 instances"), "\(error)")
        }
    }

    func testBadSpecIsBadInput() throws {
        try "D: [oops\n".write(toFile: spec, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try submitSweep(request(), run: FakeSbatch().run)) { error in
            XCTAssertEqual((error as? SubmitError)?.isBadInput, true)
        }
        var missing = request()
        missing.specPath = work + "/nope.yaml"
        XCTAssertThrowsError(try submitSweep(missing, run: FakeSbatch().run)) { error in
            XCTAssertEqual((error as? SubmitError)?.isBadInput, true)
            XCTAssertTrue("\(error)".contains("nope.yaml"))
        }
    }

    func testOutThatIsAFileIsBadInput() throws {
        let file = work + "/file"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try submitSweep(request(out: file), run: FakeSbatch().run)) { error in
            XCTAssertEqual((error as? SubmitError)?.isBadInput, true)
        }
    }

    func testDryRunWritesAndRunsNothing() throws {
        let fake = FakeSbatch()
        let result = try submitSweep(request(dryRun: true), run: fake.run)
        XCTAssertTrue(fake.calls.isEmpty)
        XCTAssertNil(result.arrayJob)
        XCTAssertEqual(result.commands.count, 2)
        XCTAssertTrue(result.commands[1].contains("--dependency=afterok:<array job id>"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: result.plan.outDirectory))
        XCTAssertTrue(result.summary.hasPrefix("dry run"))
    }

    func testResubmittingTheSameSweepIsAllowedAnotherIsRefused() throws {
        _ = try submitSweep(request(), run: FakeSbatch().run)
        // Same sweep, different comments: fine (the shards resume).
        let text = try String(contentsOfFile: spec, encoding: .utf8)
        try ("# a comment\n" + text).write(toFile: spec, atomically: true, encoding: .utf8)
        XCTAssertNoThrow(try submitSweep(request(), run: FakeSbatch().run))
        // Another sweep in the same directory: refused, nothing submitted.
        try text.replacingOccurrences(of: "seeds: 3", with: "seeds: 4").write(toFile: spec, atomically: true, encoding: .utf8)
        let fake = FakeSbatch()
        XCTAssertThrowsError(try submitSweep(request(), run: fake.run)) { error in
            XCTAssertEqual((error as? SubmitError)?.isBadInput, true)
            XCTAssertTrue("\(error)".contains("another sweep"), "\(error)")
        }
        XCTAssertTrue(fake.calls.isEmpty)
    }

    func testSbatchFailureIsNotBadInputAndIsRecorded() throws {
        let fake = FakeSbatch()
        fake.answers[0] = .failure(SubmitError("sbatch exited with 1: Invalid partition name specified", isBadInput: false))
        XCTAssertThrowsError(try submitSweep(request(), run: fake.run)) { error in
            let e = error as? SubmitError
            XCTAssertEqual(e?.isBadInput, false)
            XCTAssertTrue(e?.message.contains("Invalid partition") == true)
        }
        XCTAssertEqual(fake.calls.count, 1, "no merge job without an array job")
        let text = try String(contentsOfFile: work + "/run; echo x/submit-commands.txt", encoding: .utf8)
        XCTAssertEqual(text.split(separator: "\n").count, 1)
    }

    func testMergeFailureNamesTheQueuedArrayJob() throws {
        let fake = FakeSbatch()
        fake.answers[1] = .failure(SubmitError("sbatch exited with 1: boom", isBadInput: false))
        XCTAssertThrowsError(try submitSweep(request(), run: fake.run)) { error in
            XCTAssertTrue("\(error)".contains("scancel 4101"), "\(error)")
        }
    }

    func testGarbledSbatchOutputIsAnError() {
        let fake = FakeSbatch()
        fake.answers[0] = .success("Submitted batch job 12\n")
        XCTAssertThrowsError(try submitSweep(request(), run: fake.run)) { error in
            XCTAssertEqual((error as? SubmitError)?.isBadInput, false)
            XCTAssertTrue("\(error)".contains("no job id"), "\(error)")
        }
    }

    func testExplicitSbatchPathMustBeExecutable() {
        var req = request()
        req.sbatch = work + "/no-such-sbatch"
        XCTAssertThrowsError(try submitSweep(req, run: FakeSbatch().run)) { error in
            XCTAssertEqual((error as? SubmitError)?.isBadInput, true)
        }
    }
}

/// `runCommand` with stand-ins for sbatch: arguments arrive intact, failures carry stderr.
final class RealRunnerTests: XCTestCase {
    func testArgumentsArriveAsOneArgumentEach() throws {
        let hostile = ["--partition=debug; touch /tmp/pwned-alphasweep", "$(touch /tmp/pwned-alphasweep)", "a b", ""]
        let out = try runCommand(["printf", "%s\\n"] + hostile)
        XCTAssertEqual(out, hostile.map { $0 + "\n" }.joined())
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/pwned-alphasweep"))
    }

    func testFailureCarriesStandardError() {
        XCTAssertThrowsError(try runCommand(["sh", "-c", "echo 'sbatch: error: Invalid account' >&2; exit 1"])) { error in
            XCTAssertEqual((error as? SubmitError)?.isBadInput, false)
            XCTAssertTrue("\(error)".contains("Invalid account"), "\(error)")
        }
    }

    func testMissingProgram() {
        XCTAssertThrowsError(try runCommand(["no-such-sbatch-\(UUID().uuidString)"])) { error in
            XCTAssertTrue("\(error)".contains("not found in PATH"), "\(error)")
        }
    }
}
