import Foundation
import Slurm
import TestSupport
import XCTest

/// MaxArraySize from `scontrol show config`, K split over array jobs, and the --max-running throttle.
final class ClusterLimitsTests: XCTestCase {
    var work = ""
    var spec = ""
    let binary = "/opt/alphasweep"

    override func setUpWithError() throws {
        work = try hostileTemporaryDirectory("limits")
        spec = work + "/spec.yaml"
        // 2 s × 4 N × 3 replicates = 24 instances: up to 24 shards.
        try FileManager.default.copyItem(atPath: Repository.root.appendingPathComponent("jobs/smoke.yaml").path, toPath: spec)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: work) }

    func request(_ k: Int, maxRunning: Int? = nil, dryRun: Bool = false) -> SubmitRequest {
        SubmitRequest(specPath: spec, shards: k, outDirectory: work + "/run", alphasweepPath: binary, dryRun: dryRun,
                      maxRunning: maxRunning)
    }

    func testParsesMaxArraySizeFromShowConfig() {
        let text = "Configuration data as of 2026-12-02T03:00:00\nMailProg                = /bin/true\nMaxArraySize            = 40001\nMaxJobCount             = 10000\n"
        XCTAssertEqual(ClusterLimits(showConfig: text)?.maxArraySize, 40001)
        XCTAssertEqual(ClusterLimits(showConfig: "MaxArraySize = 0")?.maxArraySize, 0)
        XCTAssertNil(ClusterLimits(showConfig: "MaxJobCount = 10\n"))
        XCTAssertNil(ClusterLimits(showConfig: "MaxArraySize = lots\n"))
        XCTAssertNil(ClusterLimits(showConfig: "MaxArraySizeX = 5\n"), "only the exact key")
    }

    func testQueryFallsBackToSlurmsDefaultAndSaysWhy() {
        let failing: CommandRunner = { _ in throw SubmitError("scontrol: not found in PATH", isBadInput: false) }
        let limits = ClusterLimits.query(scontrol: "scontrol", run: failing)
        XCTAssertEqual(limits.maxArraySize, 1001)
        XCTAssertTrue(limits.source.contains("not found in PATH"), limits.source)
        XCTAssertEqual(ClusterLimits.query(scontrol: "scontrol", run: { _ in "nothing useful\n" }).maxArraySize, 1001)
    }

    func testScontrolIsTheOneBesideAnExplicitSbatch() {
        var req = request(2)
        XCTAssertEqual(req.scontrol, "scontrol")
        req.sbatch = "/opt/slurm/bin/sbatch"
        XCTAssertEqual(req.scontrol, "/opt/slurm/bin/scontrol")
    }

    func testChunksCoverEveryShardOnceInOrder() {
        for (k, size) in [(1, 1), (5, 1), (10, 4), (12, 4), (1001, 1001), (1002, 1001), (24, 1000)] {
            let chunks = ArrayChunk.split(shards: k, maxArraySize: size)
            XCTAssertEqual(chunks.flatMap { Array($0.firstShard...$0.lastShard) }, Array(0..<k), "\(k)/\(size)")
            XCTAssertTrue(chunks.allSatisfy { $0.count <= size && $0.count >= 1 })
            XCTAssertEqual(chunks.count, (k + size - 1) / size)
        }
    }

    func testWithinMaxArraySizeOneArrayJobAskedOfTheCluster() throws {
        let fake = FakeSbatch()
        let result = try submitSweep(request(3, maxRunning: 2), run: fake.run)
        XCTAssertEqual(fake.configQueries, [["scontrol", "show", "config"]])
        XCTAssertEqual(result.limits.maxArraySize, 1001)
        XCTAssertEqual(fake.calls.count, 2)
        XCTAssertTrue(fake.calls[0].contains("--array=0-2%2"), "\(fake.calls[0])")
        XCTAssertFalse(fake.calls[0].contains { $0.hasPrefix("--dependency") })
        XCTAssertEqual(Array(fake.calls[0].suffix(5)), ["\(work)/run/array.sbatch", "\(work)/run/spec.yaml", "\(work)/run", "3", binary])
        XCTAssertTrue(result.summary.contains("at most 2 running at once"), result.summary)
    }

    func testBeyondMaxArraySizeSeveralArraysWithOffsetsAndOneMerge() throws {
        let fake = FakeSbatch()
        fake.config = .success("MaxArraySize            = 4\n")
        let result = try submitSweep(request(10), run: fake.run)
        XCTAssertEqual(fake.calls.count, 4)
        let arrays = fake.calls.prefix(3).map { argv in argv.first { $0.hasPrefix("--array=") }! }
        XCTAssertEqual(arrays, ["--array=0-3", "--array=0-3", "--array=0-1"])
        // Array job 1 runs shards 0-3 (no offset argument); 2 and 3 pass "" (no archive) and the first shard.
        XCTAssertEqual(fake.calls[0].last, binary)
        XCTAssertEqual(Array(fake.calls[1].suffix(2)), ["", "4"])
        XCTAssertEqual(Array(fake.calls[2].suffix(2)), ["", "8"])
        // Unthrottled: the arrays are independent; the merge waits for all three.
        XCTAssertFalse(fake.calls.prefix(3).joined().contains { $0.hasPrefix("--dependency") })
        XCTAssertTrue(fake.calls[3].contains("--dependency=afterok:4101:4102:4103"), "\(fake.calls[3])")
        XCTAssertEqual(result.arrayJobs.map(\.id), [4101, 4102, 4103])
        XCTAssertTrue(result.summary.contains("10 shards exceed MaxArraySize 4"), result.summary)
        XCTAssertTrue(result.summary.contains("shards 8-9 of 10"), result.summary)
    }

    func testThrottledChunksRunOneAfterAnother() throws {
        let fake = FakeSbatch()
        fake.config = .success("MaxArraySize = 4\n")
        _ = try submitSweep(request(9, maxRunning: 3), run: fake.run)
        XCTAssertEqual(fake.calls[0].first { $0.hasPrefix("--array=") }, "--array=0-3%3")
        XCTAssertFalse(fake.calls[0].contains { $0.hasPrefix("--dependency") })
        XCTAssertTrue(fake.calls[1].contains("--dependency=afterany:4101"))
        XCTAssertTrue(fake.calls[2].contains("--dependency=afterany:4102"))
        XCTAssertEqual(fake.calls[2].first { $0.hasPrefix("--array=") }, "--array=0-0%3")
    }

    func testArchiveAndOffsetArePositionalFifthAndSixth() throws {
        let fake = FakeSbatch()
        fake.config = .success("MaxArraySize = 2\n")
        var req = request(3)
        let archive = work + "/archive.h5"
        try Data().write(to: URL(fileURLWithPath: archive))
        req.archive = archive
        _ = try submitSweep(req, run: fake.run)
        XCTAssertEqual(fake.calls[0].last, archive)
        XCTAssertEqual(Array(fake.calls[1].suffix(2)), [archive, "2"])
    }

    func testDryRunShowsEveryArrayWithPlaceholders() throws {
        let fake = FakeSbatch()
        fake.config = .success("MaxArraySize = 2\n")
        let result = try submitSweep(request(3, maxRunning: 1, dryRun: true), run: fake.run)
        XCTAssertTrue(fake.calls.isEmpty)
        XCTAssertEqual(result.commands.count, 3)
        XCTAssertTrue(result.commands[1].contains("--dependency=afterany:<array job 1 id>"))
        XCTAssertTrue(result.commands[2].contains("--dependency=afterok:<array job 1 id>:<array job 2 id>"))
    }

    func testClusterWithoutArraysIsRefused() {
        let fake = FakeSbatch()
        fake.config = .success("MaxArraySize = 0\n")
        XCTAssertThrowsError(try submitSweep(request(2), run: fake.run)) { error in
            XCTAssertTrue("\(error)".contains("MaxArraySize=0"), "\(error)")
        }
        XCTAssertTrue(fake.calls.isEmpty)
    }

    func testMaxRunningOutOfRangeIsBadInput() {
        for value in [0, -1, 100_001] {
            XCTAssertThrowsError(try submitSweep(request(2, maxRunning: value), run: FakeSbatch().run)) { error in
                XCTAssertEqual((error as? SubmitError)?.isBadInput, true)
                XCTAssertTrue("\(error)".contains("--max-running"), "\(error)")
            }
        }
    }

    func testJobsFileListsEveryJobAndItsShards() throws {
        let fake = FakeSbatch()
        fake.config = .success("MaxArraySize = 4\n")
        let result = try submitSweep(request(6), run: fake.run)
        let text = try String(contentsOfFile: result.plan.jobsFile, encoding: .utf8)
        guard case .success(let jobs) = SubmittedJobs.parse(text) else { return XCTFail(text) }
        XCTAssertEqual(jobs.entries.map(\.kind), [.array, .array, .merge])
        XCTAssertEqual(jobs.entries.map(\.job), [4101, 4102, 4103])
        XCTAssertEqual(jobs.entries.map(\.shards), [[0, 1, 2, 3], [4, 5], Array(0..<6)])
        XCTAssertEqual(jobs.entries.map(\.firstShard), [0, 4, 0])
        // A second submission appends.
        _ = try submitSweep(request(6), run: fake.run)
        guard case .success(let again) = SubmittedJobs.parse(try String(contentsOfFile: result.plan.jobsFile, encoding: .utf8))
        else { return XCTFail() }
        XCTAssertEqual(again.entries.count, 6)
        XCTAssertEqual(SubmittedJobs.parse("array\tx\t0\t0-1\tt\n"), .failure(SubmittedJobs.ParseError(line: 1)))
    }
}
