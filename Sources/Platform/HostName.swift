import Foundation

public enum HostName {
    /// This machine's host name (gethostname), "unknown" if it cannot be read.
    public static var current: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(cString: buffer)
    }
}
