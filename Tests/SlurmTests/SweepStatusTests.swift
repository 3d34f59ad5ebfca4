import Foundation
import Slurm
import XCTest

/// Reading Slurm's answers about array tasks, a shard's state, and the resubmission split.
final class SweepStatusTests: XCTestCase {
    func testSqueueLinesGiveTaskAndJobStates() {
        let states = SlurmJobStates.parseSqueue("4101|2|RUNNING\n4101|3|PENDING\n4102|N/A|PENDING\ngarbage\n")
        XCTAssertEqual(states.tasks, [ArrayTask(job: 4101, index: 2): "RUNNING", ArrayTask(job: 4101, index: 3): "PENDING"])
        XCTAssertEqual(states.jobs, [4102: "PENDING"])
    }

    func testSacctLinesKeepTheFirstWordAndSkipRanges() {
        let states = SlurmJobStates.parseSacct("4101_0|COMPLETED\n4101_1|CANCELLED by 0\n4101_[2-4]|PENDING\n4102|FAILED\n")
        XCTAssertEqual(states.tasks, [ArrayTask(job: 4101, index: 0): "COMPLETED", ArrayTask(job: 4101, index: 1): "CANCELLED"])
        XCTAssertEqual(states.jobs, [4102: "FAILED"])
    }

    func testScontrolOneLinersGiveTaskStates() {
        let text = """
            JobId=4103 ArrayJobId=4101 ArrayTaskId=2 JobName=x JobState=TIMEOUT Reason=TimeLimit
            JobId=4101 ArrayJobId=4101 ArrayTaskId=3-5%1 JobState=PENDING Reason=JobArrayTaskLimit
            JobId=4102 JobName=m JobState=CANCELLED Reason=Dependency
            """
        let states = SlurmJobStates.parseScontrol(text)
        XCTAssertEqual(states.tasks, [ArrayTask(job: 4101, index: 2): "TIMEOUT"])
        XCTAssertEqual(states.jobs, [4102: "CANCELLED"])
    }

    func testQueryFallsBackToScontrolWithoutAccountingAndSqueueWins() {
        let run: CommandRunner = { argv in
            switch argv[0] {
            case "sacct": throw SubmitError("sacct exited with 1: Slurm accounting storage is disabled", isBadInput: false)
            case "scontrol": return "JobId=9 ArrayJobId=7 ArrayTaskId=0 JobState=COMPLETED\nJobId=10 ArrayJobId=7 ArrayTaskId=1 JobState=RUNNING\n"
            default: return "7|1|COMPLETING\n"
            }
        }
        let states = SlurmJobStates.query(jobs: [7], run: run)
        XCTAssertEqual(states.sources, ["squeue", "scontrol"])
        XCTAssertEqual(states.tasks[ArrayTask(job: 7, index: 0)], "COMPLETED")
        XCTAssertEqual(states.tasks[ArrayTask(job: 7, index: 1)], "COMPLETING")
        XCTAssertTrue(states.problems.first?.contains("accounting storage is disabled") == true)
    }

    func testShardStateFromFileAndSlurm() {
        let task = ArrayTask(job: 5, index: 1)
        func state(_ done: Int, _ slurm: String?, task: ArrayTask? = ArrayTask(job: 5, index: 1)) -> ShardStatus.State {
            ShardStatus.classify(shard: 1, tasksDone: done, tasksExpected: 10, task: task, slurmState: slurm).state
        }
        XCTAssertEqual(state(10, nil), .done)
        XCTAssertEqual(state(10, "FAILED"), .done, "a complete file is done whatever the job said")
        XCTAssertEqual(state(3, "RUNNING"), .running)
        XCTAssertEqual(state(3, "COMPLETING"), .running)
        XCTAssertEqual(state(0, "PENDING"), .pending)
        XCTAssertEqual(state(0, "REQUEUED"), .pending)
        XCTAssertEqual(state(3, "TIMEOUT"), .failed)
        XCTAssertEqual(state(3, "COMPLETED"), .failed, "exit 0 with tasks missing is not done")
        XCTAssertEqual(state(3, nil), .failed)
        XCTAssertEqual(state(0, nil, task: nil), .failed)
        XCTAssertTrue(ShardStatus.classify(shard: 1, tasksDone: 3, tasksExpected: 10, task: task, slurmState: "NODE_FAIL")
            .note.contains("NODE_FAIL with 7 task(s) left"))
    }

    func testLatestSubmissionOfAShardWins() {
        let jobs = SubmittedJobs(entries: [
            .init(kind: .array, job: 10, firstShard: 0, shards: [0, 1, 2, 3], submitted: "t"),
            .init(kind: .array, job: 11, firstShard: 4, shards: [4, 5], submitted: "t"),
            .init(kind: .merge, job: 12, shards: Array(0..<6), submitted: "t"),
            .init(kind: .array, job: 20, firstShard: 0, shards: [2], submitted: "t"),
            .init(kind: .array, job: 21, firstShard: 4, shards: [5], submitted: "t"),
        ])
        let latest = latestTasks(jobs)
        XCTAssertEqual(latest[0], ArrayTask(job: 10, index: 0))
        XCTAssertEqual(latest[2], ArrayTask(job: 20, index: 2))
        XCTAssertEqual(latest[4], ArrayTask(job: 11, index: 0))
        XCTAssertEqual(latest[5], ArrayTask(job: 21, index: 1))
    }

    func testResubmissionKeepsIndicesBelowMaxArraySize() {
        let request = SubmitRequest(specPath: "s.yaml", shards: 10, outDirectory: "/d", alphasweepPath: "/a", maxRunning: 2)
        let plan = SubmitPlan(request: request, outDirectory: "/d", jobName: "j", maxArraySize: 4)
        let windows = plan.resubmission(of: [9, 1, 6, 2], maxArraySize: 4)
        XCTAssertEqual(windows.map(\.firstShard), [0, 4, 8])
        XCTAssertEqual(windows.map(\.shards), [[1, 2], [6], [9]])
        let second = plan.resubmitCommand(firstShard: 4, shards: [6], after: "77")
        XCTAssertTrue(second.contains("--array=2%2"), "\(second)")
        XCTAssertTrue(second.contains("--dependency=afterany:77"))
        XCTAssertEqual(Array(second.suffix(2)), ["", "4"])
        let first = plan.resubmitCommand(firstShard: 0, shards: [1, 2], after: nil)
        XCTAssertTrue(first.contains("--array=1,2%2"))
        XCTAssertEqual(first.last, "/a")
    }
}
