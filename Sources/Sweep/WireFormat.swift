import Numerics

/// Little-endian byte encoding of work units and task records for messages between ranks.
/// Doubles travel as bit patterns, so a result is the same bits on every rank.
public struct WireWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func put(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
    public mutating func put(_ value: Int) { put(UInt64(bitPattern: Int64(value))) }
    public mutating func put(_ value: Double) { put(value.bitPattern) }
    public mutating func put(_ value: String) {
        let utf8 = Array(value.utf8)
        put(utf8.count)
        bytes.append(contentsOf: utf8)
    }
}

public struct WireReader {
    public struct Malformed: Error, CustomStringConvertible {
        public var description: String { "malformed message between ranks" }
    }

    let bytes: [UInt8]
    var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func uint64() throws -> UInt64 {
        guard offset + 8 <= bytes.count else { throw Malformed() }
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[offset + i]) << UInt64(8 * i) }
        offset += 8
        return value
    }
    public mutating func int() throws -> Int { Int(Int64(bitPattern: try uint64())) }
    public mutating func double() throws -> Double { Double(bitPattern: try uint64()) }
    public mutating func string() throws -> String {
        let count = try int()
        guard count >= 0, offset + count <= bytes.count else { throw Malformed() }
        defer { offset += count }
        return String(decoding: bytes[offset..<offset + count], as: UTF8.self)
    }
}

extension OptimizerKind {
    static func fromWire(_ index: Int) throws -> OptimizerKind {
        guard allCases.indices.contains(index) else { throw WireReader.Malformed() }
        return allCases[index]
    }
}

extension WorkUnit {
    public static func encode(_ units: [WorkUnit]) -> [UInt8] {
        var w = WireWriter()
        w.put(units.count)
        for unit in units {
            w.put(unit.instance.s)
            w.put(unit.instance.N)
            w.put(unit.instance.replicate)
            w.put(unit.flops)
            w.put(unit.optimizers.count)
            for o in unit.optimizers { w.put(o.canonicalIndex) }
        }
        return w.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws -> [WorkUnit] {
        var r = WireReader(bytes)
        let count = try r.int()
        guard count >= 0 && count <= bytes.count else { throw WireReader.Malformed() }
        var units: [WorkUnit] = []
        for _ in 0..<count {
            let instance = InstanceKey(s: try r.double(), N: try r.int(), replicate: try r.int())
            let flops = try r.double()
            let k = try r.int()
            guard k >= 0 && k <= OptimizerKind.allCases.count else { throw WireReader.Malformed() }
            let optimizers = try (0..<k).map { _ in try OptimizerKind.fromWire(try r.int()) }
            units.append(WorkUnit(instance: instance, optimizers: optimizers, flops: flops))
        }
        guard r.isAtEnd else { throw WireReader.Malformed() }
        return units
    }
}

extension TaskRecord {
    public static func encode(_ records: [TaskRecord]) -> [UInt8] {
        var w = WireWriter()
        w.put(records.count)
        for record in records {
            w.put(record.key.optimizer.canonicalIndex)
            w.put(record.key.s)
            w.put(record.key.N)
            w.put(record.key.replicate)
            w.put(record.outcome.testLoss)
            w.put(record.outcome.trainLoss)
            w.put(record.outcome.lr)
            w.put(record.outcome.lrAtGridEdge ? 1 : 0)
            w.put(TrainingOutcome.Status.allCases.firstIndex(of: record.outcome.status)!)
            w.put(record.outcome.message)
            w.put(record.wallSeconds)
            w.put(Int(record.rank))
        }
        return w.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws -> [TaskRecord] {
        var r = WireReader(bytes)
        let count = try r.int()
        guard count >= 0 && count <= bytes.count else { throw WireReader.Malformed() }
        var records: [TaskRecord] = []
        for _ in 0..<count {
            let optimizer = try OptimizerKind.fromWire(try r.int())
            let key = TaskKey(optimizer: optimizer, s: try r.double(), N: try r.int(), replicate: try r.int())
            let test = try r.double(), train = try r.double(), lr = try r.double()
            let edge = try r.int() != 0
            let statusIndex = try r.int()
            guard TrainingOutcome.Status.allCases.indices.contains(statusIndex) else { throw WireReader.Malformed() }
            let message = try r.string()
            let outcome = TrainingOutcome(testLoss: test, trainLoss: train, lr: lr, lrAtGridEdge: edge,
                                          status: TrainingOutcome.Status.allCases[statusIndex], message: message)
            let wall = try r.double()
            let rank = Int32(truncatingIfNeeded: try r.int())
            records.append(TaskRecord(key: key, outcome: outcome, wallSeconds: wall, rank: rank))
        }
        guard r.isAtEnd else { throw WireReader.Malformed() }
        return records
    }
}
