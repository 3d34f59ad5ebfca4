import XCTest
final class ResultsFileTestsPlaceholder: XCTestCase { func testNothing() {} }
