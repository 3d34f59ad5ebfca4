import Vocabulary

/// How a column is laid out on disk: every 1-D dataset is chunked, extendable and filtered with
/// shuffle + deflate + fletcher32; strings are fixed-length NUL-padded UTF-8, as wide as the
/// longest value (at least 1 byte).
extension ColumnValues {
    /// Bytes per element as stored.
    var elementSize: Int {
        switch self {
        case .float64, .int64: return 8
        case .int32: return 4
        case .int8: return 1
        case .text(let values): return max(1, values.lazy.map { $0.utf8.count }.max() ?? 1)
        }
    }

    /// Calls `body` with consecutive blocks of `rows` strings, each as `count × width`
    /// NUL-padded bytes: the stored form of a string column.
    static func forEachStringBlock(_ values: [String], width: Int, rows: Int,
                                   _ body: (_ start: Int, _ count: Int, _ bytes: [UInt8]) throws -> Void) rethrows {
        var buffer = [UInt8]()
        for start in stride(from: 0, to: values.count, by: rows) {
            let count = min(rows, values.count - start)
            buffer.removeAll(keepingCapacity: true)
            buffer.append(contentsOf: repeatElement(0, count: count * width))
            buffer.withUnsafeMutableBytes { raw in
                for i in 0..<count {
                    var value = values[start + i]
                    value.withUTF8 { utf8 in
                        guard let source = utf8.baseAddress else { return }
                        raw.baseAddress!.advanced(by: i * width).copyMemory(from: source, byteCount: utf8.count)
                    }
                }
            }
            try body(start, count, buffer)
        }
    }

    /// CRC-32 of the column as stored (little-endian numbers; NUL-padded strings), continuing
    /// from `crc`: the same as Python's `zlib.crc32(dataset[...].tobytes(), crc)`. Integers
    /// read back as int64 check as the width they were written with only if given that way,
    /// so callers check the written form (`TaskRecord.columns`' storage).
    func checksum(continuing crc: UInt32) -> UInt32 {
        switch self {
        case .float64(let v): return v.withUnsafeBytes { CRC32.checksum($0, continuing: crc) }
        case .int64(let v): return v.withUnsafeBytes { CRC32.checksum($0, continuing: crc) }
        case .int32(let v): return v.withUnsafeBytes { CRC32.checksum($0, continuing: crc) }
        case .int8(let v): return v.withUnsafeBytes { CRC32.checksum($0, continuing: crc) }
        case .text(let values):
            var result = crc
            Self.forEachStringBlock(values, width: elementSize, rows: 1 << 16) { _, _, bytes in
                result = CRC32.checksum(bytes[...], continuing: result)
            }
            return result
        }
    }
}
