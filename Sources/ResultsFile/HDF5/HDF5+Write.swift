import CHDF5
import Vocabulary

extension HDF5 {
    /// Writes `column` as the extendable, chunked, compressed, checksummed dataset `name`.
    static func writeColumn(_ location: HDF5Handle, _ name: String, _ column: ColumnValues) throws {
        let n = column.count
        let what = "writing dataset \(name)"
        let elementSize = column.elementSize
        var stringType: HDF5Handle?
        let fileType: hid_t, memoryType: hid_t
        switch column {
        case .float64: (fileType, memoryType) = (alphasweep_h5t_ieee_f64le(), alphasweep_h5t_native_double())
        case .int64: (fileType, memoryType) = (alphasweep_h5t_std_i64le(), alphasweep_h5t_native_int64())
        case .int32: (fileType, memoryType) = (alphasweep_h5t_std_i32le(), alphasweep_h5t_native_int32())
        case .int8: (fileType, memoryType) = (alphasweep_h5t_std_i8le(), alphasweep_h5t_native_int8())
        case .text:
            let type = try fixedStringType(width: elementSize)
            stringType = type
            (fileType, memoryType) = (type.id, type.id)
        }

        let chunkRows = min(maxChunkRows, max(1, chunkBytes / elementSize), max(1, n))
        var dims = [hsize_t(n)], maxDims = [alphasweep_h5s_unlimited()], chunk = [hsize_t(chunkRows)]
        let space = try HDF5Handle(H5Screate_simple(1, &dims, &maxDims), .dataspace, what)
        let dcpl = try HDF5Handle(H5Pcreate(alphasweep_h5p_dataset_create()), .propertyList, what)
        try check(H5Pset_chunk(dcpl.id, 1, &chunk), what)
        try check(H5Pset_shuffle(dcpl.id), what)
        try check(H5Pset_deflate(dcpl.id, deflateLevel), what)
        try check(H5Pset_fletcher32(dcpl.id), what)
        try check(H5Pset_obj_track_times(dcpl.id, false), what)
        let dataset = try HDF5Handle(H5Dcreate2(location.id, name, fileType, space.id, alphasweep_h5p_default(), dcpl.id,
                                                alphasweep_h5p_default()), .dataset, what)
        guard n > 0 else { return }

        func writeAll(_ pointer: UnsafeRawPointer?) throws {
            try check(H5Dwrite(dataset.id, memoryType, alphasweep_h5s_all(), alphasweep_h5s_all(),
                               alphasweep_h5p_default(), pointer), what)
        }
        switch column {
        case .float64(let v): try v.withUnsafeBytes { try writeAll($0.baseAddress) }
        case .int64(let v): try v.withUnsafeBytes { try writeAll($0.baseAddress) }
        case .int32(let v): try v.withUnsafeBytes { try writeAll($0.baseAddress) }
        case .int8(let v): try v.withUnsafeBytes { try writeAll($0.baseAddress) }
        case .text(let values):
            // In blocks of whole chunks, so a wide column never needs n × width bytes at once.
            let blockRows = max(chunkRows, blockBytes / elementSize / chunkRows * chunkRows)
            try ColumnValues.forEachStringBlock(values, width: elementSize, rows: blockRows) { start, count, bytes in
                try writeRows(dataset, memoryType, start: start, count: count, bytes, what)
            }
        }
        withExtendedLifetime(stringType) {}
    }

    private static func writeRows(_ dataset: HDF5Handle, _ memoryType: hid_t, start: Int, count: Int,
                                  _ buffer: [UInt8], _ what: String) throws {
        let fileSpace = try HDF5Handle(H5Dget_space(dataset.id), .dataspace, what)
        var offset = [hsize_t(start)], size = [hsize_t(count)]
        try check(H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &offset, nil, &size, nil), what)
        let memorySpace = try HDF5Handle(H5Screate_simple(1, &size, nil), .dataspace, what)
        try buffer.withUnsafeBytes {
            try check(H5Dwrite(dataset.id, memoryType, memorySpace.id, fileSpace.id, alphasweep_h5p_default(), $0.baseAddress), what)
        }
    }

    /// A scalar attribute. Strings are fixed-length NUL-padded UTF-8, stored in the object
    /// header (checksummed) rather than the global heap (which has no checksum).
    static func writeAttribute(_ location: HDF5Handle, _ name: String, _ value: AttributeValue) throws {
        let what = "writing attribute \(name)"
        let space = try HDF5Handle(H5Screate(H5S_SCALAR), .dataspace, what)
        func create(_ type: hid_t) throws -> HDF5Handle {
            try HDF5Handle(H5Acreate2(location.id, name, type, space.id, alphasweep_h5p_default(), alphasweep_h5p_default()),
                           .attribute, what)
        }
        switch value {
        case .string(let text):
            let bytes = Array(text.utf8)
            let type = try fixedStringType(width: bytes.count)
            let attribute = try create(type.id)
            let padded = bytes.isEmpty ? [0] : bytes
            try padded.withUnsafeBytes { try check(H5Awrite(attribute.id, type.id, $0.baseAddress), what) }
        case .int(let i):
            let attribute = try create(alphasweep_h5t_std_i64le())
            var v = i
            try check(H5Awrite(attribute.id, alphasweep_h5t_native_int64(), &v), what)
        case .double(let d):
            let attribute = try create(alphasweep_h5t_ieee_f64le())
            var v = d
            try check(H5Awrite(attribute.id, alphasweep_h5t_native_double(), &v), what)
        }
    }

    /// A scalar fixed-length UTF-8 string dataset (the spec text), with attributes.
    static func writeScalarString(_ location: HDF5Handle, _ name: String, _ text: String,
                                  attributes: [(String, AttributeValue)] = []) throws {
        let what = "writing dataset \(name)"
        var bytes = Array(text.utf8)
        let type = try fixedStringType(width: bytes.count)
        if bytes.isEmpty { bytes = [0] }
        let space = try HDF5Handle(H5Screate(H5S_SCALAR), .dataspace, what)
        let dataset = try HDF5Handle(H5Dcreate2(location.id, name, type.id, space.id, alphasweep_h5p_default(),
                                                alphasweep_h5p_default(), alphasweep_h5p_default()), .dataset, what)
        try bytes.withUnsafeBytes {
            try check(H5Dwrite(dataset.id, type.id, alphasweep_h5s_all(), alphasweep_h5s_all(),
                               alphasweep_h5p_default(), $0.baseAddress), what)
        }
        for (attribute, value) in attributes { try writeAttribute(dataset, attribute, value) }
    }
}
