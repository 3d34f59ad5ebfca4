import Platform
import XCTest

final class MemoryLimitTests: XCTestCase {
    /// Every cgroup memory limit from the process's group up to the root counts; "max" and
    /// missing files impose nothing; without a memory cgroup there is no limit.
    func testCgroupLimitsWalkUpToTheRoot() {
        let files = ["/sys/fs/cgroup/system.slice/slurmstepd.scope/job_7/memory.max": "4294967296\n",
                     "/sys/fs/cgroup/system.slice/slurmstepd.scope/memory.max": "max\n",
                     "/sys/fs/cgroup/system.slice/memory.max": "17179869184",
                     "/sys/fs/cgroup/memory.max": "garbage"]
        let limits = MemoryLimit.cgroupLimits(membership: "0::/system.slice/slurmstepd.scope/job_7\n") { files[$0] }
        XCTAssertEqual(limits, [4294967296, 17179869184])
        XCTAssertEqual(MemoryLimit.cgroupLimits(membership: "0::/\n") { _ in "1000" }, [1000])
        XCTAssertEqual(MemoryLimit.cgroupLimits(membership: "1:cpu:/\n") { _ in "1000" }, [])
        // cgroup v1: the memory controller's line (possibly sharing it with others).
        let v1 = ["/sys/fs/cgroup/memory/slurm/job_7/memory.limit_in_bytes": "2147483648",
                  "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712"]
        XCTAssertEqual(MemoryLimit.cgroupLimits(membership: "5:cpu:/\n4:memory,hugetlb:/slurm/job_7\n") { v1[$0] },
                       [2147483648, 9223372036854771712])
        XCTAssertNotNil(MemoryLimit.available)
        // A hybrid host: the v2 line and the v1 memory line both count (Slurm's --mem sits in v1).
        let hybrid = ["/sys/fs/cgroup/memory/slurm/uid_0/job_9/memory.limit_in_bytes": "1073741824",
                      "/sys/fs/cgroup/user.slice/memory.max": "max"]
        XCTAssertEqual(MemoryLimit.cgroupLimits(membership: "12:memory:/slurm/uid_0/job_9\n0::/user.slice\n") { hybrid[$0] },
                       [1073741824])
        XCTAssertNotNil(MemoryLimit.mappedBytes)
    }
}

final class ClockTests: XCTestCase {
    func testTheClocksMoveForwardAndTheTimestampIsUTC() {
        let a = Clock.monotonicSeconds(), cpu = Clock.threadCPUSeconds()
        var x = 0.0
        for i in 0..<2_000_000 { x += Double(i).squareRoot() }
        XCTAssertGreaterThan(x, 0)
        XCTAssertGreaterThan(Clock.monotonicSeconds(), a)
        XCTAssertGreaterThan(Clock.threadCPUSeconds(), cpu)
        XCTAssertGreaterThanOrEqual(Clock.processCPUSeconds(), Clock.threadCPUSeconds() - 1e-3)
        XCTAssertEqual(Clock.utcTimestamp(Date(timeIntervalSince1970: 1_777_636_800)), "2026-05-01T12:00:00Z")
    }

    func testExecutablesAreFoundOnThePathOrByPath() {
        XCTAssertEqual(Executables.find("/bin/sh"), "/bin/sh")
        XCTAssertNotNil(Executables.find("sh"))
        XCTAssertNil(Executables.find("no-such-program-\(UUID().uuidString)"))
        XCTAssertNil(Executables.find("/etc/passwd"), "not executable")
        XCTAssertNil(Executables.find("/tmp"), "a directory")
        XCTAssertFalse(HostName.current.isEmpty)
    }
}
