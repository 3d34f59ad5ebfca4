import CHDF5
import Vocabulary

extension HDF5 {
    /// Reads a one-dimensional dataset of floats, integers or strings (fixed or variable
    /// length): integers widen to int64, floats to float64.
    static func readColumn(_ location: HDF5Handle, _ name: String) throws -> ColumnValues {
        let dataset = try HDF5Handle(H5Dopen2(location.id, name, alphasweep_h5p_default()), .dataset, "reading dataset \(name)")
        let (shape, values) = try readArray(dataset, name)
        guard shape.count == 1 else {
            throw HDF5Failure(operation: "reading dataset \(name)", detail: "not a one-dimensional dataset", systemError: 0)
        }
        return values
    }

    /// Reads an open dataset of any rank (its elements in row-major order) and its shape.
    static func readArray(_ dataset: HDF5Handle, _ name: String) throws -> (shape: [Int], values: ColumnValues) {
        let what = "reading dataset \(name)"
        let space = try HDF5Handle(H5Dget_space(dataset.id), .dataspace, what)
        let rank = Int(H5Sget_simple_extent_ndims(space.id))
        guard (1...8).contains(rank) else {
            throw HDF5Failure(operation: what, detail: "a dataset of rank \(rank) is not an array this file holds", systemError: 0)
        }
        var dims = [hsize_t](repeating: 0, count: rank)
        try check(H5Sget_simple_extent_dims(space.id, &dims, nil), what)
        var declared: hsize_t = 1
        for d in dims {
            let (product, overflow) = declared.multipliedReportingOverflow(by: d)
            guard !overflow else { throw HDF5Failure(operation: what, detail: "its shape overflows", systemError: 0) }
            declared = product
        }
        let type = try HDF5Handle(H5Dget_type(dataset.id), .datatype, what)
        let n = try plausibleRows(declared, type: type, stored: H5Dget_storage_size(dataset.id), what: what)
        return (dims.map { Int($0) }, try readElements(dataset, count: n, rank: rank, type: type, what: what))
    }

    private static func readElements(_ dataset: HDF5Handle, count n: Int, rank: Int, type: HDF5Handle,
                                     what: String) throws -> ColumnValues {

        func readAll(_ memoryType: hid_t, _ buffer: UnsafeMutableRawPointer?) throws {
            try check(H5Dread(dataset.id, memoryType, alphasweep_h5s_all(), alphasweep_h5s_all(),
                              alphasweep_h5p_default(), buffer), what)
        }
        switch H5Tget_class(type.id) {
        case H5T_FLOAT:
            var values = [Double](repeating: 0, count: n)
            if n > 0 { try values.withUnsafeMutableBytes { try readAll(alphasweep_h5t_native_double(), $0.baseAddress) } }
            return .float64(values)
        case H5T_INTEGER:
            var values = [Int64](repeating: 0, count: n)
            if n > 0 { try values.withUnsafeMutableBytes { try readAll(alphasweep_h5t_native_int64(), $0.baseAddress) } }
            return .int64(values)
        case H5T_STRING:
            // One-dimensional fixed-length strings are read in blocks of rows; arrays at once.
            let rows: ((Int, Int) throws -> HDF5Handle)? = rank != 1 ? nil : { start, count in
                let fileSpace = try HDF5Handle(H5Dget_space(dataset.id), .dataspace, what)
                var offset = [hsize_t(start)], size = [hsize_t(count)]
                try check(H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &offset, nil, &size, nil), what)
                return fileSpace
            }
            return .text(try readStrings(count: n, type: type, what: what, read: { memoryType, memorySpace, fileSpace, buffer in
                H5Dread(dataset.id, memoryType, memorySpace, fileSpace, alphasweep_h5p_default(), buffer)
            }, rows: rows))
        default:
            throw HDF5Failure(operation: what, detail: "unsupported element type", systemError: 0)
        }
    }

    /// The most bytes one string element may declare (messages are capped at 1 KiB, the spec
    /// text is a few KiB): a larger width is a crafted or damaged file.
    static let maxStringWidth = 16 << 20

    /// `declared` rows of `type`, checked against what the file stores before anything is
    /// allocated: compressed chunks hold at most ~1032 bytes per stored byte (deflate's limit),
    /// so a dataset that declares far more than its storage could hold is refused, not read.
    static func plausibleRows(_ declared: hsize_t, type: HDF5Handle, stored: hsize_t, what: String) throws -> Int {
        let width = H5Tis_variable_str(type.id) > 0 ? 16 : H5Tget_size(type.id)
        guard width > 0, width <= maxStringWidth else {
            throw HDF5Failure(operation: what, detail: "an element of \(width) bytes is implausible", systemError: 0)
        }
        let (bytes, overflow) = declared.multipliedReportingOverflow(by: hsize_t(width))
        let limit = max(hsize_t(1 << 20), stored.multipliedReportingOverflow(by: 1100).partialValue)
        guard !overflow, declared <= hsize_t(Int32.max), bytes <= limit else {
            throw HDF5Failure(operation: what, detail: "it declares \(declared) rows but the file stores only \(stored) bytes of them",
                              systemError: 0)
        }
        return Int(declared)
    }

    /// Reads `count` strings of a dataset or attribute of string type `type`, fixed-length in
    /// blocks of rows (`rows` returns a file space selecting them; nil means all at once) or
    /// variable-length in one call.
    private static func readStrings(
        count n: Int, type: HDF5Handle, what: String,
        read: (_ memoryType: hid_t, _ memorySpace: hid_t, _ fileSpace: hid_t, _ buffer: UnsafeMutableRawPointer?) -> herr_t,
        rows: ((_ start: Int, _ count: Int) throws -> HDF5Handle)?
    ) throws -> [String] {
        guard n > 0 else { return [] }
        if H5Tis_variable_str(type.id) > 0 {
            let memoryType = try variableStringType()
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: n)
            var dims = [hsize_t(n)]
            let memorySpace = try HDF5Handle(H5Screate_simple(1, &dims, nil), .dataspace, what)
            let status = pointers.withUnsafeMutableBytes {
                read(memoryType.id, alphasweep_h5s_all(), alphasweep_h5s_all(), $0.baseAddress)
            }
            try check(status, what)
            let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
            _ = pointers.withUnsafeMutableBytes {
                H5Dvlen_reclaim(memoryType.id, memorySpace.id, alphasweep_h5p_default(), $0.baseAddress)
            }
            return strings
        }
        let width = H5Tget_size(type.id)
        guard width > 0 else { throw failure(what) }
        let memoryType = try HDF5Handle(H5Tcopy(type.id), .datatype, what)
        let spacePadded = H5Tget_strpad(memoryType.id) == H5T_STR_SPACEPAD
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
            var fileSpace: HDF5Handle?, memorySpace: HDF5Handle?
            if let rows {
                fileSpace = try rows(start, count)
                var size = [hsize_t(count)]
                memorySpace = try HDF5Handle(H5Screate_simple(1, &size, nil), .dataspace, what)
            }
            let status = buffer.withUnsafeMutableBytes {
                read(memoryType.id, memorySpace?.id ?? alphasweep_h5s_all(), fileSpace?.id ?? alphasweep_h5s_all(), $0.baseAddress)
            }
            withExtendedLifetime((fileSpace, memorySpace)) {}
            try check(status, what)
            buffer.withUnsafeBytes { raw in
                for i in 0..<count { strings.append(decode(UnsafeRawBufferPointer(rebasing: raw[i * width..<(i + 1) * width]))) }
            }
        }
        return strings
    }

    /// Reads a scalar string dataset.
    static func readScalarString(_ location: HDF5Handle, _ name: String) throws -> String {
        let what = "reading dataset \(name)"
        let dataset = try HDF5Handle(H5Dopen2(location.id, name, alphasweep_h5p_default()), .dataset, what)
        let type = try HDF5Handle(H5Dget_type(dataset.id), .datatype, what)
        guard H5Tget_class(type.id) == H5T_STRING else {
            throw HDF5Failure(operation: what, detail: "not a string", systemError: 0)
        }
        _ = try plausibleRows(1, type: type, stored: H5Dget_storage_size(dataset.id), what: what)
        let strings = try readStrings(count: 1, type: type, what: what, read: { memoryType, _, _, buffer in
            H5Dread(dataset.id, memoryType, alphasweep_h5s_all(), alphasweep_h5s_all(), alphasweep_h5p_default(), buffer)
        }, rows: nil)
        return strings.first ?? ""
    }

    /// The scalar attributes of the object `name` in `location`.
    static func attributes(_ location: HDF5Handle, of name: String) throws -> [(name: String, value: AttributeValue)] {
        let object = try HDF5Handle(H5Oopen(location.id, name, alphasweep_h5p_default()), .object, "opening \(name)")
        return try attributes(object)
    }

    /// Every scalar attribute of an object (non-scalar and unsupported ones are skipped).
    static func attributes(_ location: HDF5Handle) throws -> [(name: String, value: AttributeValue)] {
        let count = alphasweep_h5_attribute_count(location.id)
        guard count >= 0 else { throw failure("listing attributes") }
        var result: [(name: String, value: AttributeValue)] = []
        for i in 0..<Int(count) {
            let attribute = try HDF5Handle(H5Aopen_by_idx(location.id, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(i),
                                                          alphasweep_h5p_default(), alphasweep_h5p_default()),
                                           .attribute, "opening attribute \(i)")
            let length = H5Aget_name(attribute.id, 0, nil)
            guard length >= 0 else { throw failure("reading an attribute name") }
            var nameBuffer = [CChar](repeating: 0, count: Int(length) + 1)
            _ = H5Aget_name(attribute.id, nameBuffer.count, &nameBuffer)
            let name = String(cString: nameBuffer)
            let what = "reading attribute \(name)"
            let space = try HDF5Handle(H5Aget_space(attribute.id), .dataspace, what)
            guard H5Sget_simple_extent_npoints(space.id) == 1 else { continue }
            let type = try HDF5Handle(H5Aget_type(attribute.id), .datatype, what)
            switch H5Tget_class(type.id) {
            case H5T_STRING:
                _ = try plausibleRows(1, type: type, stored: 1 << 20, what: what)
                let strings = try readStrings(count: 1, type: type, what: what, read: { memoryType, _, _, buffer in
                    H5Aread(attribute.id, memoryType, buffer)
                }, rows: nil)
                result.append((name, .string(strings.first ?? "")))
            case H5T_INTEGER:
                var v: Int64 = 0
                try check(H5Aread(attribute.id, alphasweep_h5t_native_int64(), &v), what)
                result.append((name, .int(v)))
            case H5T_FLOAT:
                var v: Double = 0
                try check(H5Aread(attribute.id, alphasweep_h5t_native_double(), &v), what)
                result.append((name, .double(v)))
            default:
                continue
            }
        }
        return result
    }
}
