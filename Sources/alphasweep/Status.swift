import ArgumentParser
import Foundation
import Slurm

/// `alphasweep status PATH`: a results file (`FileStatus.swift`) or a directory made by
/// `submit` (`SweepStatus.swift`).
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A live, read-only view of a sweep: done/expected, rate, ETA, per-rank work, failures.",
        discussion: """
        Given a results file, reads its snapshot, journal and lock file without locking or \
        writing anything, so it is safe while a run writes the file. --watch redraws until the \
        writer is gone.

        Given DIR made by `alphasweep submit`: each shard pending, running, done or failed (from \
        squeue, sacct where Slurm keeps accounting, else scontrol and the shard files), its tasks \
        done of expected, the merge job, and the command that resubmits only the failed shards \
        (`alphasweep submit --resubmit DIR`). A shard is done when its file holds all its tasks.
        """)

    @Argument(help: "A results file (HDF5), or a directory made by `submit`.") var path: String
    @Flag(help: "Redraw every --interval seconds until the writer is gone.") var watch = false
    @Option(help: "Seconds between redraws with --watch.") var interval: Double = 2
    @Option(help: ArgumentHelp("Stop after this many redraws (for scripts and tests).", visibility: .hidden))
    var maxRedraws: Int?

    func validate() throws {
        try Ranges.check(interval, 0.1...3600, "--interval")
        if let maxRedraws { try Ranges.check(maxRedraws, 1...1_000_000, "--max-redraws") }
    }

    func run() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            print(try SweepDirectoryStatus.load(directory: path, run: runCommand).text)
            return
        }
        try fileStatus(path: path, watch: watch, interval: interval, maxRedraws: maxRedraws)
    }
}
