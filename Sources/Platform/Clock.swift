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

/// Wall and CPU time of this process since the stopwatch was made.
public struct Stopwatch: Sendable {
    let wallStart = Clock.monotonicSeconds()
    let cpuStart = Clock.processCPUSeconds()

    public init() {}

    public var wallSeconds: Double { Clock.monotonicSeconds() - wallStart }
    public var cpuSeconds: Double { Clock.processCPUSeconds() - cpuStart }
}
