/// Rank 0's memory for the tasks it tracks (work queue, tasks done, the results file's rows
/// held for snapshot rewrites).
public enum MemoryBudget {
    /// Bytes per task, with a margin over the ~810–910 bytes `Tests/python/test_limits.py`
    /// measures end to end (~510 before record layout 3's trace columns and the `/grid` view).
    public static let bytesPerTrackedTask = 1000

    /// Why a run of `tasks` tasks would not fit in `availableBytes` of memory on rank 0 (more
    /// than 80 % of it), or nil when it fits.
    public static func shortfall(tasks: Int, availableBytes: Double) -> String? {
        let needed = Double(tasks) * Double(bytesPerTrackedTask)
        guard needed > 0.8 * availableBytes else { return nil }
        return String(format: "%d tasks need about %.1f GB on rank 0 to track (%d bytes each) and it may use %.1f GB",
                      tasks, needed / 1e9, bytesPerTrackedTask, availableBytes / 1e9)
    }
}
