import Coordinator
import XCTest

final class MemoryBudgetTests: XCTestCase {
    /// A run fits while its tracked tasks take at most 80 % of the node's memory.
    func testARunIsRefusedOnlyPastEightyPercentOfMemory() throws {
        let perTask = Double(MemoryBudget.bytesPerTrackedTask)
        let gigabytes24 = 24e9
        let fits = Int(0.8 * gigabytes24 / perTask)
        XCTAssertNil(MemoryBudget.shortfall(tasks: fits, availableBytes: gigabytes24))
        let message = try XCTUnwrap(MemoryBudget.shortfall(tasks: fits + 1, availableBytes: gigabytes24))
        XCTAssertTrue(message.hasPrefix("\(fits + 1) tasks need about 19.2 GB on rank 0"), message)
        XCTAssertTrue(message.hasSuffix("it may use 24.0 GB"), message)
        XCTAssertNil(MemoryBudget.shortfall(tasks: 50_000_000, availableBytes: 256e9))
    }
}
