import Foundation
import XCTest

public enum Scratch {
    /// A fresh empty directory, removed when `test` ends.
    public static func directory(_ test: XCTestCase, label: String = "test") -> String {
        let dir = NSTemporaryDirectory() + "alphasweep-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// The bytes of a file, nil when it does not exist.
    public static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    public static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Files in `dir`, sorted.
    public static func listing(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }
}

public enum Repository {
    /// The repository's root directory, found from this file's path.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The absolute path of `relative` (e.g. "jobs/smoke.yaml").
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}
