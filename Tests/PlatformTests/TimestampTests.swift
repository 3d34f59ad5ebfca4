import Foundation
import Platform
import XCTest

final class TimestampTests: XCTestCase {
    /// The hand-formatted task start time agrees with Foundation's ISO 8601 formatter to the
    /// second and carries the milliseconds truncated, over fixed dates from 1970 to 2100 (leap days,
    /// year ends, the last millisecond of a second).
    func testMillisecondTimestampsAgreeWithFoundationsFormatter() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var dates = [0, 951_782_400.25, 1_709_164_799.999, 1_767_225_599.5, 4_102_444_800.001].map { Date(timeIntervalSince1970: $0) }
        // A fixed spread of instants (step 2 052 222.4571 s, about 24 days) with every fraction.
        for i in 0..<2000 { dates.append(Date(timeIntervalSince1970: Double(i) * 2_052_222.4571)) }
        for date in dates {
            let text = Clock.utcTimestampMilliseconds(date)
            XCTAssertEqual(text.count, 24, text)
            // Foundation rounds to the nearest second; the task times truncate: compare whole seconds.
            let second = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
            XCTAssertEqual(String(text.prefix(19)) + "Z", formatter.string(from: second), "\(date.timeIntervalSince1970)")
            let fraction = date.timeIntervalSince1970 - date.timeIntervalSince1970.rounded(.down)
            XCTAssertEqual(Int(text.dropFirst(20).prefix(3)), Int(fraction * 1000), text)
            XCTAssertTrue(text.hasSuffix("Z"))
        }
        XCTAssertEqual(Clock.utcTimestampMilliseconds(Date(timeIntervalSince1970: 951_782_400.25)), "2000-02-29T00:00:00.250Z")
    }
}
