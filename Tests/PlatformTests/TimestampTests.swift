import Foundation
import Platform
import XCTest

final class TimestampTests: XCTestCase {
    /// The hand-formatted task start time agrees with Foundation's ISO 8601 formatter to the
    /// second and carries the milliseconds truncated, over dates from 1970 to 2100 (leap days,
    /// year ends, the last millisecond of a second).
    func testMillisecondTimestampsAgreeWithFoundationsFormatter() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var dates = [0, 951_782_400.25, 1_709_164_799.999, 1_767_225_599.5, 4_102_444_800.001].map { Date(timeIntervalSince1970: $0) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 { dates.append(Date(timeIntervalSince1970: Double.random(in: 0..<4_102_444_800, using: &generator))) }
        for date in dates {
            let text = Clock.utcTimestampMilliseconds(date)
            XCTAssertEqual(text.count, 24, text)
            XCTAssertEqual(String(text.prefix(19)) + "Z", formatter.string(from: date), "\(date.timeIntervalSince1970)")
            let fraction = date.timeIntervalSince1970 - date.timeIntervalSince1970.rounded(.down)
            XCTAssertEqual(Int(text.dropFirst(20).prefix(3)), Int(fraction * 1000), text)
            XCTAssertTrue(text.hasSuffix("Z"))
        }
        XCTAssertEqual(Clock.utcTimestampMilliseconds(Date(timeIntervalSince1970: 951_782_400.25)), "2000-02-29T00:00:00.250Z")
    }
}
