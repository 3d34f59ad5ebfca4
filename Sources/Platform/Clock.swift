import Foundation

/// The clocks alphasweep measures with.
public enum Clock {
    /// Seconds on a monotonic clock (since an arbitrary start): for intervals and deadlines.
    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// CPU seconds (user + system) this process has used, all threads.
    public static func processCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// CPU seconds the calling thread has used (robust to other load on the machine).
    public static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// `date` as ISO 8601 UTC with seconds, e.g. "2026-05-01T12:34:56Z".
    public static func utcTimestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}

extension Clock {
    /// Now as ISO 8601 UTC with milliseconds (truncated), e.g. "2026-05-01T12:34:56.789Z": the
    /// start time of every task, so formatted by hand from gmtime_r — an ISO8601DateFormatter per
    /// call costs ~0.1 ms in ICU, more than a tiny sweep's task.
    public static func utcTimestampMilliseconds(_ date: Date = Date()) -> String {
        let since1970 = date.timeIntervalSince1970
        let seconds = since1970.rounded(.down)
        var whole = time_t(seconds)
        var parts = tm()
        var text = [CChar](repeating: 0, count: 32)
        guard gmtime_r(&whole, &parts) != nil, strftime(&text, text.count, "%Y-%m-%dT%H:%M:%S", &parts) > 0 else { return "" }
        let milliseconds = String(min(999, Int((since1970 - seconds) * 1000)))
        return String(cString: text) + "." + String(repeating: "0", count: 3 - milliseconds.count) + milliseconds + "Z"
    }
}

/// The resident memory this process has used.
public enum PeakMemory {
    /// The peak resident set size of this process so far, in bytes (getrusage's ru_maxrss,
    /// which Linux reports in KiB), or 0 when it cannot be read.
    public static func residentBytes() -> Int64 {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        return Int64(usage.ru_maxrss) * 1024
    }
}

/// Wall and CPU time of this process since the stopwatch was made.
public struct Stopwatch: Sendable {
    let wallStart = Clock.monotonicSeconds()
    let cpuStart = Clock.processCPUSeconds()

    public init() {}

    public var wallSeconds: Double { Clock.monotonicSeconds() - wallStart }
    public var cpuSeconds: Double { Clock.processCPUSeconds() - cpuStart }
}
