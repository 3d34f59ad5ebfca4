import XCTest
final class SlurmPlaceholder: XCTestCase { func testNothing() {} }
