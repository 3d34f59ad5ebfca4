import XCTest
final class AnalysisTestsPlaceholder: XCTestCase { func testNothing() {} }
