import XCTest
final class SweepTestsPlaceholder: XCTestCase { func testNothing() {} }
