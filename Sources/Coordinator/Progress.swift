import Foundation

/// Progress of a sweep: a live line on a terminal, plain periodic lines in batch logs.
final class ProgressReporter {
    let total: Int
    let interactive: Bool
    let logInterval: Double
    let start = Date()
    var lastPrint = Date.distantPast
    let write: (String) -> Void

    init(total: Int, interactive: Bool, logInterval: Double, write: @escaping (String) -> Void) {
        self.total = total
        self.interactive = interactive
        self.logInterval = logInterval
        self.write = write
    }

    func update(done: Int, failed: Int, force: Bool = false) {
        let now = Date()
        let interval = interactive ? 0.25 : logInterval
        guard force || now.timeIntervalSince(lastPrint) >= interval else { return }
        lastPrint = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : .infinity
        let percent = total > 0 ? 100 * Double(done) / Double(total) : 100
        var line = String(format: "%d/%d tasks (%.1f%%), %.1f tasks/s, elapsed %@, ETA %@",
                          done, total, percent, rate, Self.clock(elapsed), Self.clock(eta))
        if failed > 0 { line += ", \(failed) not ok" }
        if interactive {
            write("\r\u{1B}[K" + line + (done == total || force ? "\n" : ""))
        } else {
            write("[\(ISO8601DateFormatter().string(from: now))] progress: " + line + "\n")
        }
    }

    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
