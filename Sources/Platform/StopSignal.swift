import Foundation

/// The signals that ask a sweep to stop early (Slurm's warning signal, scancel, Ctrl-C).
/// The handler only records the signal; the coordinator acts on it.
public enum StopSignal {
    nonisolated(unsafe) static let received: UnsafeMutablePointer<sig_atomic_t> = {
        let pointer = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return pointer
    }()

    public static func install() {
        _ = received
        for signalNumber in [SIGTERM, SIGUSR1, SIGINT] {
            signal(signalNumber) { number in StopSignal.received.pointee = number }
        }
    }

    /// Forgets a received signal (a process that runs several sweeps, and tests).
    public static func reset() { received.pointee = 0 }

    /// The signal number received, or nil.
    public static var pending: Int32? {
        let value = received.pointee
        return value == 0 ? nil : Int32(value)
    }

    public static func name(_ number: Int32) -> String {
        switch number {
        case SIGTERM: return "SIGTERM"
        case SIGUSR1: return "SIGUSR1"
        case SIGINT: return "SIGINT"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(number)"
        }
    }
}
