/// The one byte encoding of alphasweep's binary formats (the journal, the messages between
/// ranks): integers and float bit patterns little-endian, strings as UTF-8 after their length.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public init(reservingCapacity capacity: Int) { bytes.reserveCapacity(capacity) }

    public mutating func put<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func put(_ value: Double) { put(value.bitPattern) }

    /// A string after its UTF-8 length in `lengthBytes` bytes (1, 2, 4 or 8); longer strings
    /// are cut to the longest prefix of whole characters that fits.
    public mutating func put(_ text: String, lengthBytes: Int) {
        let limit = lengthBytes >= 8 ? Int.max : (1 << (8 * lengthBytes)) - 1
        var utf8 = Array(text.utf8)
        if utf8.count > limit {
            var end = limit
            while end > 0 && (utf8[end] & 0xC0) == 0x80 { end -= 1 }
            utf8 = Array(utf8[..<end])
        }
        switch lengthBytes {
        case 1: put(UInt8(utf8.count))
        case 2: put(UInt16(utf8.count))
        case 4: put(UInt32(utf8.count))
        default: put(UInt64(utf8.count))
        }
        bytes.append(contentsOf: utf8)
    }

    public mutating func append(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    /// Overwrites 4 bytes at `offset` with `value` (a length patched in after its payload).
    public mutating func patch(_ value: UInt32, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for i in 0..<4 { bytes[offset + i] = raw[i] }
        }
    }
}

/// Reads what `ByteWriter` wrote; every read is bounds-checked and throws `ByteReader.Truncated`.
public struct ByteReader {
    public struct Truncated: Error, CustomStringConvertible, Sendable {
        public var description: String { "the bytes end before the value" }
    }

    let bytes: ArraySlice<UInt8>
    public private(set) var offset = 0

    public init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }
    public init(_ bytes: [UInt8]) { self.bytes = bytes[...] }

    public var isAtEnd: Bool { offset == bytes.count }
    public var remaining: Int { bytes.count - offset }

    public mutating func read<T: FixedWidthInteger>(_: T.Type = T.self) throws -> T {
        let size = MemoryLayout<T>.size
        guard size <= remaining else { throw Truncated() }
        var value: T = 0
        let base = bytes.startIndex + offset
        for i in 0..<size { value |= T(truncatingIfNeeded: bytes[base + i]) << (8 * i) }
        offset += size
        return value
    }

    public mutating func readDouble() throws -> Double { Double(bitPattern: try read(UInt64.self)) }

    public mutating func readString(lengthBytes: Int) throws -> String {
        let length: UInt64
        switch lengthBytes {
        case 1: length = UInt64(try read(UInt8.self))
        case 2: length = UInt64(try read(UInt16.self))
        case 4: length = UInt64(try read(UInt32.self))
        default: length = try read(UInt64.self)
        }
        guard length <= UInt64(remaining) else { throw Truncated() }
        let base = bytes.startIndex + offset
        offset += Int(length)
        return String(decoding: bytes[base..<base + Int(length)], as: UTF8.self)
    }

    public mutating func readBytes(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw Truncated() }
        let base = bytes.startIndex + offset
        offset += count
        return bytes[base..<base + count]
    }
}

extension TaskRecord {
    /// Appends the record's columns of `layout`, in order, to `writer`.
    public func encode(into writer: inout ByteWriter, layout: Int = TaskRecord.layout) {
        for column in Self.columns(layout: layout) {
            switch (column.value, column.storage) {
            case (.text(let get, _), .text(let lengthBytes)): writer.put(get(self), lengthBytes: lengthBytes)
            case (.real(let get, _), _): writer.put(get(self))
            case (.integer(let get, _), .int64): writer.put(get(self))
            case (.integer(let get, _), .int32): writer.put(Int32(truncatingIfNeeded: get(self)))
            case (.integer(let get, _), .int8): writer.put(UInt8(truncatingIfNeeded: get(self)))
            default: preconditionFailure("column \(column.name): accessor and storage disagree")
            }
        }
    }

    /// Reads one record written by `encode(into:layout:)` with the same layout.
    /// - Throws: `ByteReader.Truncated`, or `RecordDecodingError` for a value no record holds.
    public static func decode(from reader: inout ByteReader, layout: Int = TaskRecord.layout) throws -> TaskRecord {
        var record = blank
        for column in columns(layout: layout) {
            switch (column.value, column.storage) {
            case (.text(_, let set), .text(let lengthBytes)): try set(&record, try reader.readString(lengthBytes: lengthBytes))
            case (.real(_, let set), _): try set(&record, try reader.readDouble())
            case (.integer(_, let set), .int64): try set(&record, try reader.read(Int64.self))
            case (.integer(_, let set), .int32): try set(&record, Int64(try reader.read(Int32.self)))
            case (.integer(_, let set), .int8): try set(&record, Int64(try reader.read(UInt8.self)))
            default: preconditionFailure("column \(column.name): accessor and storage disagree")
            }
        }
        return record
    }
}

extension WorkUnit {
    /// Appends the unit: s, N, replicate, cost, then its optimizers by canonical index (a
    /// `Precond(p)` followed by its power p).
    public func encode(into writer: inout ByteWriter) {
        writer.put(instance.s)
        writer.put(Int64(instance.N))
        writer.put(Int64(instance.replicate))
        writer.put(cost)
        writer.put(UInt8(optimizers.count))
        for optimizer in optimizers {
            writer.put(UInt8(optimizer.canonicalIndex))
            if optimizer.family == .precond { writer.put(optimizer.power) }
        }
    }

    /// Reads one unit written by `encode(into:)`.
    public static func decode(from reader: inout ByteReader) throws -> WorkUnit {
        let instance = InstanceKey(s: try reader.readDouble(), N: Int(try reader.read(Int64.self)),
                                   replicate: Int(try reader.read(Int64.self)))
        let cost = try reader.readDouble()
        let optimizers = try (0..<Int(try reader.read(UInt8.self))).map { _ in
            let index = Int(try reader.read(UInt8.self))
            if OptimizerKind.allCases.indices.contains(index) { return OptimizerKind.allCases[index] }
            guard index == OptimizerKind.Family.allCases.firstIndex(of: .precond) else {
                throw RecordDecodingError(column: "optimizer", problem: "no optimizer has index \(index)")
            }
            let power = try reader.readDouble()
            guard let kind = OptimizerKind.precond(power) else {
                throw RecordDecodingError(column: "optimizer", problem: "Precond power \(power) outside 0…1")
            }
            return kind
        }
        return WorkUnit(instance: instance, optimizers: optimizers, cost: cost)
    }
}
