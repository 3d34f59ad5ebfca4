import Foundation
import Platform

/// Progress of a sweep on stderr: a live line on a terminal, a plain line every `logInterval`
/// seconds in batch logs ("[2026-05-01T12:00:00Z] progress: 120/3360 tasks (3.6%), …").
final class ProgressReporter {
    let total: Int
    let interactive: Bool
    let logInterval: Double
    let quiet: Bool
    let start = Clock.monotonicSeconds()
    var lastPrint = -Double.infinity

    init(total: Int, interactive: Bool, logInterval: Double, quiet: Bool) {
        self.total = total
        self.interactive = interactive
        self.logInterval = logInterval
        self.quiet = quiet
    }

    func update(done: Int, failed: Int, force: Bool = false) {
        guard !quiet else { return }
        let now = Clock.monotonicSeconds()
        guard force || now - lastPrint >= (interactive ? 0.25 : logInterval) else { return }
        lastPrint = now
        let elapsed = now - start
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : .infinity
        let percent = total > 0 ? 100 * Double(done) / Double(total) : 100
        var line = String(format: "%d/%d tasks (%.1f%%), %.1f tasks/s, elapsed %@, ETA %@",
                          done, total, percent, rate, Self.clock(elapsed), Self.clock(eta))
        if failed > 0 { line += ", \(failed) not ok" }
        let text = interactive ? "\r\u{1B}[K" + line + (done == total || force ? "\n" : "")
            : "[\(Clock.utcTimestamp())] progress: " + line + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
