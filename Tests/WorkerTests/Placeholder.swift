import XCTest
final class WorkerTestsPlaceholder: XCTestCase { func testNothing() {} }
