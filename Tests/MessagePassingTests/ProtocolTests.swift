import Foundation
import MessagePassing
import Vocabulary
import XCTest

final class ProtocolTests: XCTestCase {
    func roundTrip(_ message: Message) throws -> Message {
        try Message(tag: message.kind.rawValue, body: message.body)
    }

    /// The experiment travels as JSON through Codable: every field, every bit of every double.
    func testTheExperimentArrivesBitForBit() throws {
        var e = Experiment()
        e.beta = 0.1
        e.sigma = 1.0 / 3.0
        e.adamLR = LogGrid(log10Min: -2.000000000000001, log10Max: 1e-300, log10Step: .leastNonzeroMagnitude)
        e.matSignLR = LogGrid(log10Min: (0.3).nextUp, log10Max: 123456.789, log10Step: 0.25)
        e.masterSeed = UInt64.max
        e.sampler = .direct
        guard case .experiment(let back) = try roundTrip(.experiment(e)) else { return XCTFail("not an experiment") }
        XCTAssertEqual(back, e)
        XCTAssertEqual(back.sigma.bitPattern, e.sigma.bitPattern)
        XCTAssertEqual(back.adamLR.log10Step.bitPattern, e.adamLR.log10Step.bitPattern)
        XCTAssertEqual(back.matSignLR.log10Min.bitPattern, e.matSignLR.log10Min.bitPattern)
    }

    func testEveryKindRoundTrips() throws {
        let units = [WorkUnit(instance: InstanceKey(s: 1.25, N: 64, replicate: 3), optimizers: [.gd, .matSign, .ng], cost: 1e12),
                     WorkUnit(instance: InstanceKey(s: 0.5, N: 16, replicate: 0), optimizers: [], cost: 0)]
        let record = TaskRecord(key: TaskKey(optimizer: .adam, s: 2, N: 16, replicate: 1),
                                outcome: TrainingOutcome(testLoss: .nan, trainLoss: 1, lr: 0.1, lrAtGridEdge: false,
                                                         status: .diverged, message: "non-finite loss"),
                                wallSeconds: 0.25, rank: 5)
        for message: Message in [.hello(WorkerHello(hostName: "node-7", blasCore: "SkylakeX")), .work(units), .work([]),
                                 .results([record, record]), .results([]), .wait(seconds: 60), .stop] {
            let back = try roundTrip(message)
            if case .results(let records) = back {
                XCTAssertEqual(records.count, 2 * (message == .results([]) ? 0 : 1))
                for r in records { XCTAssertTrue(r.hasSameResult(as: record)) }
            } else {
                XCTAssertEqual(back, message)
            }
        }
    }

    func testMalformedMessagesAreRefused() {
        XCTAssertThrowsError(try Message(tag: 99, body: []))
        XCTAssertThrowsError(try Message(tag: Message.Kind.work.rawValue, body: [1, 0, 0]))
        XCTAssertThrowsError(try Message(tag: Message.Kind.work.rawValue, body: Array(repeating: 0xff, count: 8)))
        XCTAssertThrowsError(try Message(tag: Message.Kind.stop.rawValue, body: [0]), "bytes left over")
        var body = Message.results([]).body
        body[0] = 3  // claims three records, holds none
        XCTAssertThrowsError(try Message(tag: Message.Kind.results.rawValue, body: body))
        XCTAssertThrowsError(try Message(tag: Message.Kind.experiment.rawValue, body: Array("{".utf8)))
    }

    func testTheInProcessNetworkDeliversInOrderAndCutsARank() throws {
        let network = InProcessNetwork(size: 3)
        let a = network.endpoint(0), b = network.endpoint(1), c = network.endpoint(2)
        try b.send(.wait(seconds: 1), to: 0)
        try b.send(.stop, to: 0)
        try c.send(.stop, to: 0)
        XCTAssertEqual(try a.receive(within: 1), Envelope(source: 1, message: .wait(seconds: 1)))
        XCTAssertEqual(try a.receive(within: 1), Envelope(source: 1, message: .stop))
        XCTAssertEqual(try a.receive(within: 1), Envelope(source: 2, message: .stop))
        XCTAssertNil(try a.receive(within: 0))
        network.cut(2)
        try c.send(.stop, to: 0)
        try a.send(.stop, to: 2)
        XCTAssertNil(try a.receive(within: 0.05))
        XCTAssertNil(try c.receive(within: 0.05))
        XCTAssertThrowsError(try a.send(.stop, to: 3))
    }
}
