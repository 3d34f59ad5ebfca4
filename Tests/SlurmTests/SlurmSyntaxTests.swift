import Slurm
import TestSupport
import XCTest

final class SlurmSyntaxTests: XCTestCase {
    func testTimeFormatsSlurmAccepts() {
        for time in ["30", "90", "30:00", "04:00:00", "100:00:00", "1-12", "2-04:30", "7-00:00:00", "UNLIMITED", "INFINITE"] {
            XCTAssertTrue(SlurmSyntax.isTime(time), time)
        }
    }

    func testTimeFormatsRefused() {
        for time in ["", "1h", "04:60:00", "1:2:3:4", "-1", "1--2", "1-", "-12:00", "1-2-3", "12:00 ", "$(touch /tmp/pwned)", "1;2", "01:5a"] {
            XCTAssertFalse(SlurmSyntax.isTime(time), time)
        }
    }

    func testPartitionNames() {
        for ok in ["debug", "gpu-a100", "short,long", "p_1.2"] { XCTAssertTrue(SlurmSyntax.isPartition(ok), ok) }
        for bad in ["", "debug; touch /tmp/pwned", "$(touch /tmp/pwned)", "a,,b", ",a", "a b", "`id`", "a\nb", "--wrap=id"] {
            XCTAssertFalse(SlurmSyntax.isPartition(bad), bad)
        }
    }

    func testAccountNames() {
        XCTAssertTrue(SlurmSyntax.isName("proj-123_x.y"))
        for bad in ["", "a,b", "a;b", "a b", "'a'", "$HOME"] { XCTAssertFalse(SlurmSyntax.isName(bad), bad) }
    }
}

final class ShellQuotingTests: XCTestCase {
    func testPlainArgumentsStayReadable() {
        XCTAssertEqual(ShellQuoting.line(["sbatch", "--array=0-2", "--output=logs/%x-%A_%a.out", "/tmp/a/b.sbatch"]),
                       "sbatch --array=0-2 --output=logs/%x-%A_%a.out /tmp/a/b.sbatch")
        XCTAssertEqual(ShellQuoting.quote(""), "''")
        XCTAssertEqual(ShellQuoting.quote("a b"), "'a b'")
        XCTAssertEqual(ShellQuoting.quote("it's"), "'it'\\''s'")
    }

    /// What a shell makes of a quoted line is exactly the argument array, hostile values included.
    func testAShellReadsBackTheSameArguments() throws {
        let argv = ["sbatch", "--partition=debug; touch /tmp/pwned", "$(touch /tmp/pwned)", "`id`", "a'b\"c",
                    "x\\y", "*", "~", "a\nb", "", "!", "#c", "--opt=v w", "ünïcödé"]
        XCTAssertEqual(try argumentsAfterShell(ShellQuoting.line(argv)), argv)
    }
}

final class JobIDTests: XCTestCase {
    func testParsableOutput() {
        XCTAssertEqual(JobID(parsableOutput: "123\n"), JobID(id: 123))
        XCTAssertEqual(JobID(parsableOutput: "123;cluster1\n"), JobID(id: 123, cluster: "cluster1"))
        XCTAssertEqual(JobID(parsableOutput: "Site banner: be nice\n  456  \n\n"), JobID(id: 456))
        XCTAssertEqual(JobID(parsableOutput: "789;"), JobID(id: 789))
        XCTAssertEqual(JobID(id: 5, cluster: "c").description, "5;c")
    }

    func testNoJobID() {
        for output in ["", "\n", "Submitted batch job 12\n", "12a", "-3", ";c", "99999999999999999999999"] {
            XCTAssertNil(JobID(parsableOutput: output), output)
        }
    }
}
