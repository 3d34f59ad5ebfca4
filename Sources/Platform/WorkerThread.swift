import Foundation

/// A thread started with pthreads, so that a failure to start it (too little memory for its
/// stack under a `ulimit -v`) is an error instead of a thread that silently never runs.
public enum WorkerThread {
    public struct StartFailure: Error, CustomStringConvertible {
        public let code: Int32
        public var description: String {
            "cannot start a thread: \(String(cString: strerror(code))) (the process's memory limit, ulimit -v, may be too small)"
        }
    }

    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// The stack of a worker thread: the size of a main thread's default stack and more, so a
    /// task runs the same on a one-rank run's thread as on an MPI rank's main thread.
    public static let stackBytes = 16 << 20

    /// Runs `body` on a new detached thread with a stack of `stackBytes`.
    public static func start(stackBytes: Int = stackBytes, _ body: @escaping () -> Void) throws {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackBytes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let box = Unmanaged.passRetained(Box(body))
        var thread = pthread_t()
        let code = pthread_create(&thread, &attributes, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, box.toOpaque())
        guard code == 0 else {
            box.release()
            throw StartFailure(code: code)
        }
    }
}
