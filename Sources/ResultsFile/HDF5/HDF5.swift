import CHDF5
import Foundation

/// A failed HDF5 call: what was being done and what the HDF5 error stack said.
struct HDF5Failure: Error {
    var operation: String
    var detail: String
    /// The errno HDF5 reported for a failed system call (from "errno = N" in its message), or 0.
    var systemError: Int32

    var text: String { "\(operation): \(detail)" }
}

/// A column of a table, as written: one-dimensional, chunked, shuffle + deflate + fletcher32.
enum Column {
    case float64([Double])
    case int64([Int64])
    case int32([Int32])
    case int8([Int8])
    /// Fixed-length, NUL-padded UTF-8 strings, as wide as the longest value (at least 1 byte).
    case string([String])

    var count: Int {
        switch self {
        case .float64(let v): return v.count
        case .int64(let v): return v.count
        case .int32(let v): return v.count
        case .int8(let v): return v.count
        case .string(let v): return v.count
        }
    }
}

extension Column {
    /// Bytes per element as stored (strings: the longest value's UTF-8 length, at least 1).
    var elementSize: Int {
        switch self {
        case .float64, .int64: return 8
        case .int32: return 4
        case .int8: return 1
        case .string(let values): return max(1, values.lazy.map { $0.utf8.count }.max() ?? 1)
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
    /// from `crc`: the same as Python's `zlib.crc32(dataset[...].tobytes(), crc)`.
    func checksum(continuing crc: UInt32) -> UInt32 {
        switch self {
        case .float64(let v): return v.withUnsafeBytes { CRC32.checksum($0, continuing: crc) }
        case .int64(let v): return v.withUnsafeBytes { CRC32.checksum($0, continuing: crc) }
        case .int32(let v): return v.withUnsafeBytes { CRC32.checksum($0, continuing: crc) }
        case .int8(let v): return v.withUnsafeBytes { CRC32.checksum($0, continuing: crc) }
        case .string(let values):
            var result = crc
            Self.forEachStringBlock(values, width: elementSize, rows: 1 << 16) { _, _, bytes in
                result = CRC32.checksum(bytes[...], continuing: result)
            }
            return result
        }
    }
}

/// A column as read back: integers widen to Int64, floats to Double.
enum ReadColumn {
    case float64([Double])
    case int64([Int64])
    case string([String])

    var count: Int {
        switch self {
        case .float64(let v): return v.count
        case .int64(let v): return v.count
        case .string(let v): return v.count
        }
    }

    /// The column in its written form, for checksums: strings as read (NUL padding stripped)
    /// store at the same width, as wide as the longest value.
    var asColumn: Column {
        switch self {
        case .float64(let v): return .float64(v)
        case .int64(let v): return .int64(v)
        case .string(let v): return .string(v)
        }
    }
}

/// A scalar attribute value.
enum AttributeValue: Equatable {
    case string(String)
    case int(Int64)
    case double(Double)

    var text: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        }
    }
}

/// Thin, throwing wrappers over the HDF5 C API: just what the results file needs.
///
/// Every entry point of the module runs its HDF5 work inside ``run(_:)``, which serialises
/// calls (the library build need not be thread-safe) and silences HDF5's automatic printing
/// of its error stack; failures become ``HDF5Failure`` with the stack's descriptions.
enum HDF5 {
    private static let lock = NSLock()
    static let deflateLevel: UInt32 = 4
    /// Uncompressed bytes per chunk (at most); string blocks are read and written in ≤ 16 MiB.
    static let chunkBytes = 1 << 20
    static let maxChunkRows = 65_536
    static let blockBytes = 16 << 20

    static func run<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        _ = alphasweep_h5_silence_errors()
        return try body()
    }

    /// The version of the HDF5 library in use, e.g. "1.10.8".
    static var libraryVersion: String {
        var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
        _ = H5get_libversion(&major, &minor, &release)
        return "\(major).\(minor).\(release)"
    }

    static func failure(_ operation: String) -> HDF5Failure {
        var buffer = [CChar](repeating: 0, count: 2048)
        alphasweep_h5_error_text(&buffer, buffer.count)
        let text = String(cString: buffer)
        var code: Int32 = 0
        if let range = text.range(of: "errno = ") {
            code = Int32(text[range.upperBound...].prefix(while: { $0.isNumber })) ?? 0
        }
        return HDF5Failure(operation: operation, detail: text.isEmpty ? "HDF5 call failed" : text, systemError: code)
    }

    @discardableResult
    static func check(_ status: Int32, _ operation: @autoclosure () -> String) throws -> Int32 {
        if status < 0 { throw failure(operation()) }
        return status
    }

    static func check(_ id: hid_t, _ operation: @autoclosure () -> String) throws -> hid_t {
        if id < 0 { throw failure(operation()) }
        return id
    }

    // MARK: - Files and groups

    /// Creates a file in memory (core driver, no backing store): HDF5 never writes to disk,
    /// so a full disk cannot leave the library with a half-written, unclosable file; the
    /// caller writes ``fileImage(_:)`` itself. The file uses the HDF5 1.8 format (readable by
    /// every HDF5 since 2008), whose superblock and object headers carry checksums.
    static func createInMemoryFile(_ name: String) throws -> hid_t {
        let fapl = try check(H5Pcreate(alphasweep_h5p_file_access()), "creating a property list")
        defer { H5Pclose(fapl) }
        try check(H5Pset_fapl_core(fapl, 4 << 20, false), "selecting the in-memory driver")
        try check(H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18), "setting the file format")
        return try check(H5Fcreate(name, alphasweep_h5f_acc_trunc(), alphasweep_h5p_default(), fapl), "creating the file")
    }

    static func openFileReadOnly(_ path: String) throws -> hid_t {
        try check(H5Fopen(path, alphasweep_h5f_acc_rdonly(), alphasweep_h5p_default()), "opening the file")
    }

    static func closeFile(_ file: hid_t) throws {
        try check(H5Fclose(file), "closing the file")
    }

    static func createGroup(_ location: hid_t, _ name: String) throws -> hid_t {
        let gcpl = try check(H5Pcreate(alphasweep_h5p_group_create()), "creating a property list")
        defer { H5Pclose(gcpl) }
        _ = H5Pset_obj_track_times(gcpl, false)
        return try check(H5Gcreate2(location, name, alphasweep_h5p_default(), gcpl, alphasweep_h5p_default()),
                         "creating group \(name)")
    }

    static func openGroup(_ location: hid_t, _ name: String) throws -> hid_t {
        try check(H5Gopen2(location, name, alphasweep_h5p_default()), "opening group \(name)")
    }

    /// Whether `name` is a link in `location`. A lookup that fails (damaged metadata) throws:
    /// taken as "absent", it would make a damaged group look like a missing optional one.
    static func exists(_ location: hid_t, _ name: String) throws -> Bool {
        let found = H5Lexists(location, name, alphasweep_h5p_default())
        guard found >= 0 else { throw failure("looking up \(name)") }
        return found > 0
    }

    /// Names of the links in a group, in name order.
    static func linkNames(_ group: hid_t) throws -> [String] {
        let count = alphasweep_h5_link_count(group)
        guard count >= 0 else { throw failure("listing a group") }
        return try (0..<Int(count)).map { i in
            let length = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(i), nil, 0,
                                            alphasweep_h5p_default())
            guard length >= 0 else { throw failure("listing a group") }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            _ = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(i), &buffer, buffer.count,
                                   alphasweep_h5p_default())
            return String(cString: buffer)
        }
    }

    // MARK: - Writing

    /// A fixed-length, NUL-padded UTF-8 string type of `width` bytes (caller closes it).
    private static func fixedStringType(width: Int) throws -> hid_t {
        let type = try check(H5Tcopy(alphasweep_h5t_c_s1()), "creating a string type")
        guard H5Tset_size(type, max(1, width)) >= 0, H5Tset_strpad(type, H5T_STR_NULLPAD) >= 0,
              H5Tset_cset(type, H5T_CSET_UTF8) >= 0 else {
            H5Tclose(type)
            throw failure("creating a string type")
        }
        return type
    }

    private static func variableStringType() throws -> hid_t {
        let type = try check(H5Tcopy(alphasweep_h5t_c_s1()), "creating a string type")
        guard H5Tset_size(type, alphasweep_h5t_variable()) >= 0, H5Tset_cset(type, H5T_CSET_UTF8) >= 0 else {
            H5Tclose(type)
            throw failure("creating a string type")
        }
        return type
    }

    /// Writes `column` as the extendable, chunked, compressed, checksummed dataset `name`.
    static func writeColumn(_ location: hid_t, _ name: String, _ column: Column) throws {
        let n = column.count
        let what = "writing dataset \(name)"
        let elementSize = column.elementSize
        let fileType: hid_t, memoryType: hid_t
        var stringType: hid_t = -1
        switch column {
        case .float64: (fileType, memoryType) = (alphasweep_h5t_ieee_f64le(), alphasweep_h5t_native_double())
        case .int64: (fileType, memoryType) = (alphasweep_h5t_std_i64le(), alphasweep_h5t_native_int64())
        case .int32: (fileType, memoryType) = (alphasweep_h5t_std_i32le(), alphasweep_h5t_native_int32())
        case .int8: (fileType, memoryType) = (alphasweep_h5t_std_i8le(), alphasweep_h5t_native_int8())
        case .string:
            stringType = try fixedStringType(width: elementSize)
            (fileType, memoryType) = (stringType, stringType)
        }
        defer { if stringType >= 0 { H5Tclose(stringType) } }

        let chunkRows = min(maxChunkRows, max(1, chunkBytes / elementSize), max(1, n))
        var dims = [hsize_t(n)], maxDims = [alphasweep_h5s_unlimited()], chunk = [hsize_t(chunkRows)]
        let space = try check(H5Screate_simple(1, &dims, &maxDims), what)
        defer { H5Sclose(space) }
        let dcpl = try check(H5Pcreate(alphasweep_h5p_dataset_create()), what)
        defer { H5Pclose(dcpl) }
        try check(H5Pset_chunk(dcpl, 1, &chunk), what)
        try check(H5Pset_shuffle(dcpl), what)
        try check(H5Pset_deflate(dcpl, deflateLevel), what)
        try check(H5Pset_fletcher32(dcpl), what)
        try check(H5Pset_obj_track_times(dcpl, false), what)
        let dataset = try check(H5Dcreate2(location, name, fileType, space, alphasweep_h5p_default(), dcpl,
                                           alphasweep_h5p_default()), what)
        defer { H5Dclose(dataset) }
        guard n > 0 else { return }

        func writeAll(_ pointer: UnsafeRawPointer?) throws {
            try check(H5Dwrite(dataset, memoryType, alphasweep_h5s_all(), alphasweep_h5s_all(),
                               alphasweep_h5p_default(), pointer), what)
        }
        switch column {
        case .float64(let v): try v.withUnsafeBytes { try writeAll($0.baseAddress) }
        case .int64(let v): try v.withUnsafeBytes { try writeAll($0.baseAddress) }
        case .int32(let v): try v.withUnsafeBytes { try writeAll($0.baseAddress) }
        case .int8(let v): try v.withUnsafeBytes { try writeAll($0.baseAddress) }
        case .string(let values):
            // In blocks of whole chunks, so a wide column never needs n × width bytes at once.
            let blockRows = max(chunkRows, blockBytes / elementSize / chunkRows * chunkRows)
            try Column.forEachStringBlock(values, width: elementSize, rows: blockRows) { start, count, bytes in
                try writeRows(dataset, memoryType, start: start, count: count, bytes, what)
            }
        }
    }

    private static func writeRows(_ dataset: hid_t, _ memoryType: hid_t, start: Int, count: Int,
                                  _ buffer: [UInt8], _ what: String) throws {
        let fileSpace = try check(H5Dget_space(dataset), what)
        defer { H5Sclose(fileSpace) }
        var offset = [hsize_t(start)], size = [hsize_t(count)]
        try check(H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &offset, nil, &size, nil), what)
        let memorySpace = try check(H5Screate_simple(1, &size, nil), what)
        defer { H5Sclose(memorySpace) }
        try buffer.withUnsafeBytes {
            _ = try check(H5Dwrite(dataset, memoryType, memorySpace, fileSpace, alphasweep_h5p_default(), $0.baseAddress), what)
        }
    }

    /// A scalar attribute. Strings are fixed-length NUL-padded UTF-8, stored in the object
    /// header (checksummed) rather than the global heap (which has no checksum).
    static func writeAttribute(_ location: hid_t, _ name: String, _ value: AttributeValue) throws {
        let what = "writing attribute \(name)"
        let space = try check(H5Screate(H5S_SCALAR), what)
        defer { H5Sclose(space) }
        switch value {
        case .string(let text):
            let bytes = Array(text.utf8)
            let type = try fixedStringType(width: bytes.count)
            defer { H5Tclose(type) }
            let attribute = try check(H5Acreate2(location, name, type, space, alphasweep_h5p_default(), alphasweep_h5p_default()), what)
            defer { H5Aclose(attribute) }
            let padded = bytes.isEmpty ? [0] : bytes
            try padded.withUnsafeBytes { _ = try check(H5Awrite(attribute, type, $0.baseAddress), what) }
        case .int(let i):
            let attribute = try check(H5Acreate2(location, name, alphasweep_h5t_std_i64le(), space,
                                                 alphasweep_h5p_default(), alphasweep_h5p_default()), what)
            defer { H5Aclose(attribute) }
            var v = i
            try check(H5Awrite(attribute, alphasweep_h5t_native_int64(), &v), what)
        case .double(let d):
            let attribute = try check(H5Acreate2(location, name, alphasweep_h5t_ieee_f64le(), space,
                                                 alphasweep_h5p_default(), alphasweep_h5p_default()), what)
            defer { H5Aclose(attribute) }
            var v = d
            try check(H5Awrite(attribute, alphasweep_h5t_native_double(), &v), what)
        }
    }

    /// A scalar fixed-length UTF-8 string dataset (the spec text), with attributes.
    static func writeScalarString(_ location: hid_t, _ name: String, _ text: String,
                                  attributes: [(String, AttributeValue)] = []) throws {
        let what = "writing dataset \(name)"
        var bytes = Array(text.utf8)
        let type = try fixedStringType(width: bytes.count)
        defer { H5Tclose(type) }
        if bytes.isEmpty { bytes = [0] }
        let space = try check(H5Screate(H5S_SCALAR), what)
        defer { H5Sclose(space) }
        let dataset = try check(H5Dcreate2(location, name, type, space, alphasweep_h5p_default(),
                                           alphasweep_h5p_default(), alphasweep_h5p_default()), what)
        defer { H5Dclose(dataset) }
        try bytes.withUnsafeBytes {
            _ = try check(H5Dwrite(dataset, type, alphasweep_h5s_all(), alphasweep_h5s_all(),
                                   alphasweep_h5p_default(), $0.baseAddress), what)
        }
        for (attribute, value) in attributes { try writeAttribute(dataset, attribute, value) }
    }

    /// The scalar attributes of the object `name` in `location`.
    static func attributes(_ location: hid_t, of name: String) throws -> [(name: String, value: AttributeValue)] {
        let object = try check(H5Oopen(location, name, alphasweep_h5p_default()), "opening \(name)")
        defer { H5Oclose(object) }
        return try attributes(object)
    }

    // MARK: - Reading

    /// Reads a one-dimensional dataset of floats, integers or strings (fixed or variable length).
    static func readColumn(_ location: hid_t, _ name: String) throws -> ReadColumn {
        let what = "reading dataset \(name)"
        let dataset = try check(H5Dopen2(location, name, alphasweep_h5p_default()), what)
        defer { H5Dclose(dataset) }
        let space = try check(H5Dget_space(dataset), what)
        defer { H5Sclose(space) }
        guard H5Sget_simple_extent_ndims(space) == 1 else {
            throw HDF5Failure(operation: what, detail: "not a one-dimensional dataset", systemError: 0)
        }
        var dims: [hsize_t] = [0]
        try check(H5Sget_simple_extent_dims(space, &dims, nil), what)
        let n = Int(dims[0])
        let type = try check(H5Dget_type(dataset), what)
        defer { H5Tclose(type) }

        switch H5Tget_class(type) {
        case H5T_FLOAT:
            var values = [Double](repeating: 0, count: n)
            if n > 0 {
                try values.withUnsafeMutableBytes {
                    _ = try check(H5Dread(dataset, alphasweep_h5t_native_double(), alphasweep_h5s_all(),
                                          alphasweep_h5s_all(), alphasweep_h5p_default(), $0.baseAddress), what)
                }
            }
            return .float64(values)
        case H5T_INTEGER:
            var values = [Int64](repeating: 0, count: n)
            if n > 0 {
                try values.withUnsafeMutableBytes {
                    _ = try check(H5Dread(dataset, alphasweep_h5t_native_int64(), alphasweep_h5s_all(),
                                          alphasweep_h5s_all(), alphasweep_h5p_default(), $0.baseAddress), what)
                }
            }
            return .int64(values)
        case H5T_STRING:
            return .string(try readStrings(count: n, type: type, what: what) { memoryType, memorySpace, fileSpace, buffer in
                H5Dread(dataset, memoryType, memorySpace, fileSpace, alphasweep_h5p_default(), buffer)
            } rows: { start, count in
                let fileSpace = try check(H5Dget_space(dataset), what)
                var offset = [hsize_t(start)], size = [hsize_t(count)]
                guard H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &offset, nil, &size, nil) >= 0 else {
                    H5Sclose(fileSpace)
                    throw failure(what)
                }
                return fileSpace
            })
        default:
            throw HDF5Failure(operation: what, detail: "unsupported element type", systemError: 0)
        }
    }

    /// Reads `count` strings of a dataset or attribute of string type `type`, fixed-length in
    /// blocks of rows (`rows` returns a file space selecting them; nil space means all) or
    /// variable-length in one call.
    private static func readStrings(
        count n: Int, type: hid_t, what: String,
        read: (_ memoryType: hid_t, _ memorySpace: hid_t, _ fileSpace: hid_t, _ buffer: UnsafeMutableRawPointer?) -> herr_t,
        rows: ((_ start: Int, _ count: Int) throws -> hid_t)?
    ) throws -> [String] {
        guard n > 0 else { return [] }
        if H5Tis_variable_str(type) > 0 {
            let memoryType = try variableStringType()
            defer { H5Tclose(memoryType) }
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: n)
            var dims = [hsize_t(n)]
            let memorySpace = try check(H5Screate_simple(1, &dims, nil), what)
            defer { H5Sclose(memorySpace) }
            let status = pointers.withUnsafeMutableBytes {
                read(memoryType, alphasweep_h5s_all(), alphasweep_h5s_all(), $0.baseAddress)
            }
            try check(status, what)
            let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
            _ = pointers.withUnsafeMutableBytes { H5Dvlen_reclaim(memoryType, memorySpace, alphasweep_h5p_default(), $0.baseAddress) }
            return strings
        }
        let width = H5Tget_size(type)
        guard width > 0 else { throw failure(what) }
        let memoryType = try check(H5Tcopy(type), what)
        defer { H5Tclose(memoryType) }
        let spacePadded = H5Tget_strpad(memoryType) == H5T_STR_SPACEPAD
        func decode(_ bytes: UnsafeRawBufferPointer) -> String {
            var end = bytes.firstIndex(of: 0) ?? bytes.count
            if spacePadded { while end > 0 && bytes[end - 1] == 0x20 { end -= 1 } }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
        }
        var strings: [String] = []
        strings.reserveCapacity(n)
        let blockRows = rows == nil ? n : max(1, blockBytes / width)
        var buffer = [UInt8](repeating: 0, count: min(n, blockRows) * width)
        for start in stride(from: 0, to: n, by: blockRows) {
            let count = min(blockRows, n - start)
            var fileSpace = alphasweep_h5s_all(), memorySpace = alphasweep_h5s_all()
            if let rows {
                fileSpace = try rows(start, count)
                var size = [hsize_t(count)]
                memorySpace = try check(H5Screate_simple(1, &size, nil), what)
            }
            defer {
                if rows != nil { H5Sclose(fileSpace); H5Sclose(memorySpace) }
            }
            let status = buffer.withUnsafeMutableBytes { read(memoryType, memorySpace, fileSpace, $0.baseAddress) }
            try check(status, what)
            buffer.withUnsafeBytes { raw in
                for i in 0..<count { strings.append(decode(UnsafeRawBufferPointer(rebasing: raw[i * width..<(i + 1) * width]))) }
            }
        }
        return strings
    }

    /// Reads a scalar string dataset.
    static func readScalarString(_ location: hid_t, _ name: String) throws -> String {
        let what = "reading dataset \(name)"
        let dataset = try check(H5Dopen2(location, name, alphasweep_h5p_default()), what)
        defer { H5Dclose(dataset) }
        let type = try check(H5Dget_type(dataset), what)
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_STRING else {
            throw HDF5Failure(operation: what, detail: "not a string", systemError: 0)
        }
        let strings = try readStrings(count: 1, type: type, what: what, read: { memoryType, _, _, buffer in
            H5Dread(dataset, memoryType, alphasweep_h5s_all(), alphasweep_h5s_all(), alphasweep_h5p_default(), buffer)
        }, rows: nil)
        return strings.first ?? ""
    }

    /// Every scalar attribute of an object (non-scalar and unsupported ones are skipped).
    static func attributes(_ location: hid_t) throws -> [(name: String, value: AttributeValue)] {
        let count = alphasweep_h5_attribute_count(location)
        guard count >= 0 else { throw failure("listing attributes") }
        var result: [(name: String, value: AttributeValue)] = []
        for i in 0..<Int(count) {
            let attribute = try check(H5Aopen_by_idx(location, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(i),
                                                     alphasweep_h5p_default(), alphasweep_h5p_default()),
                                      "opening attribute \(i)")
            defer { H5Aclose(attribute) }
            let length = H5Aget_name(attribute, 0, nil)
            guard length >= 0 else { throw failure("reading an attribute name") }
            var nameBuffer = [CChar](repeating: 0, count: Int(length) + 1)
            _ = H5Aget_name(attribute, nameBuffer.count, &nameBuffer)
            let name = String(cString: nameBuffer)
            let what = "reading attribute \(name)"
            let space = try check(H5Aget_space(attribute), what)
            defer { H5Sclose(space) }
            guard H5Sget_simple_extent_npoints(space) == 1 else { continue }
            let type = try check(H5Aget_type(attribute), what)
            defer { H5Tclose(type) }
            switch H5Tget_class(type) {
            case H5T_STRING:
                let strings = try readStrings(count: 1, type: type, what: what, read: { memoryType, _, _, buffer in
                    H5Aread(attribute, memoryType, buffer)
                }, rows: nil)
                result.append((name, .string(strings.first ?? "")))
            case H5T_INTEGER:
                var v: Int64 = 0
                try check(H5Aread(attribute, alphasweep_h5t_native_int64(), &v), what)
                result.append((name, .int(v)))
            case H5T_FLOAT:
                var v: Double = 0
                try check(H5Aread(attribute, alphasweep_h5t_native_double(), &v), what)
                result.append((name, .double(v)))
            default:
                continue
            }
        }
        return result
    }
}
