import CHDF5
import Vocabulary

/// Labelled arrays as netCDF-4 lays them out in HDF5 (dimension scales via the HDF5 "DS" API
/// of libhdf5_hl), so that netCDF-C, h5netcdf and therefore xarray read dimensions and
/// coordinates.
///
/// String coordinates (the optimizer names) are variable-length, unlike the rest of the file:
/// h5netcdf returns fixed-length strings as bytes, and `ds.sel(optimizer="NG")` needs str.
/// String variables (status, notes) stay fixed-length, chunked and checksummed like the
/// columns: a variable-length string lives in HDF5's global heap, which has no checksum (a
/// flipped byte there is a silent misread or a crash in HDF5); netCDF-C reads them as
/// strings, h5netcdf as bytes.
extension HDF5 {
    /// Writes `arrays` into `group` (which should be new). The caller checks `problem()`.
    static func writeLabelled(_ group: HDF5Handle, _ arrays: LabelledArrays) throws {
        var scales: [String: HDF5Handle] = [:]
        for dimension in arrays.dimensions {
            let dataset = try createArray(group, dimension.name, shape: [dimension.values.count], dimension.values,
                                          variableLengthStrings: true)
            try check(H5DSset_scale(dataset.id, dimension.name), "making \(dimension.name) a dimension scale")
            for name in dimension.attributes.keys.sorted() {
                try writeAttribute(dataset, name, .string(dimension.attributes[name]!))
            }
            scales[dimension.name] = dataset
        }
        for variable in arrays.variables {
            guard let sizes = arrays.shape(of: variable) else {
                throw HDF5Failure(operation: "writing \(variable.name)", detail: "undeclared dimension", systemError: 0)
            }
            let dataset = try createArray(group, variable.name, shape: sizes, variable.values, variableLengthStrings: false)
            for (axis, name) in variable.dimensions.enumerated() {
                try check(H5DSattach_scale(dataset.id, scales[name]!.id, UInt32(axis)),
                          "attaching dimension \(name) to \(variable.name)")
            }
            for name in variable.attributes.keys.sorted() {
                try writeAttribute(dataset, name, .string(variable.attributes[name]!))
            }
        }
    }

    /// An n-dimensional dataset holding `values` (row-major), chunked (whole array, or slabs
    /// of the outer dimensions when large) and filtered like the columns; variable-length
    /// strings are contiguous (filters would compress only their heap pointers).
    private static func createArray(_ location: HDF5Handle, _ name: String, shape: [Int],
                                    _ values: ColumnValues, variableLengthStrings: Bool) throws -> HDF5Handle {
        let what = "writing dataset \(name)"
        var dims = shape.map { hsize_t($0) }
        let space = try HDF5Handle(H5Screate_simple(Int32(dims.count), &dims, nil), .dataspace, what)
        let dcpl = try HDF5Handle(H5Pcreate(alphasweep_h5p_dataset_create()), .propertyList, what)
        try check(H5Pset_obj_track_times(dcpl.id, false), what)
        var stringType: HDF5Handle?
        let fileType: hid_t, memoryType: hid_t
        switch values {
        case .float64: (fileType, memoryType) = (alphasweep_h5t_ieee_f64le(), alphasweep_h5t_native_double())
        case .int64: (fileType, memoryType) = (alphasweep_h5t_std_i64le(), alphasweep_h5t_native_int64())
        case .int32: (fileType, memoryType) = (alphasweep_h5t_std_i32le(), alphasweep_h5t_native_int32())
        case .int8: (fileType, memoryType) = (alphasweep_h5t_std_i8le(), alphasweep_h5t_native_int8())
        case .text:
            let type = variableLengthStrings ? try variableStringType() : try fixedStringType(width: values.elementSize)
            stringType = type
            (fileType, memoryType) = (type.id, type.id)
        }
        let isVariableLength: Bool
        if case .text = values { isVariableLength = variableLengthStrings } else { isVariableLength = false }
        if !isVariableLength && !shape.contains(0) {
            var chunk = dims
            // Halve the outermost axes until a chunk is at most `chunkBytes`.
            var axis = 0
            while chunk.reduce(1, *) * hsize_t(values.elementSize) > hsize_t(chunkBytes) && axis < chunk.count {
                if chunk[axis] > 1 { chunk[axis] = (chunk[axis] + 1) / 2 } else { axis += 1 }
            }
            try check(H5Pset_chunk(dcpl.id, Int32(chunk.count), &chunk), what)
            try check(H5Pset_shuffle(dcpl.id), what)
            try check(H5Pset_deflate(dcpl.id, deflateLevel), what)
            try check(H5Pset_fletcher32(dcpl.id), what)
        }
        let dataset = try HDF5Handle(H5Dcreate2(location.id, name, fileType, space.id, alphasweep_h5p_default(), dcpl.id,
                                                alphasweep_h5p_default()), .dataset, what)
        guard values.count > 0 else { return dataset }
        func writeAll(_ pointer: UnsafeRawPointer?) throws {
            try check(H5Dwrite(dataset.id, memoryType, alphasweep_h5s_all(), alphasweep_h5s_all(),
                               alphasweep_h5p_default(), pointer), what)
        }
        switch values {
        case .float64(let v): try v.withUnsafeBytes { try writeAll($0.baseAddress) }
        case .int64(let v): try v.withUnsafeBytes { try writeAll($0.baseAddress) }
        case .int32(let v): try v.withUnsafeBytes { try writeAll($0.baseAddress) }
        case .int8(let v): try v.withUnsafeBytes { try writeAll($0.baseAddress) }
        case .text(let strings) where !variableLengthStrings:
            var bytes: [UInt8] = []
            ColumnValues.forEachStringBlock(strings, width: values.elementSize, rows: max(1, strings.count)) { _, _, block in
                bytes = block
            }
            try bytes.withUnsafeBytes { try writeAll($0.baseAddress) }
        case .text(let strings):
            // Every string NUL-terminated in one buffer; HDF5 reads one pointer per element.
            var offsets: [Int] = [], buffer: [CChar] = []
            for string in strings { offsets.append(buffer.count); buffer.append(contentsOf: string.utf8CString) }
            try buffer.withUnsafeBufferPointer { base in
                let pointers: [UnsafePointer<CChar>?] = offsets.map { UnsafePointer(base.baseAddress! + $0) }
                try pointers.withUnsafeBytes { try writeAll($0.baseAddress) }
            }
        }
        withExtendedLifetime(stringType) {}
        return dataset
    }

    /// Group attributes that describe `arrays` without the dimension-scale API, so that a
    /// reader need not follow `DIMENSION_LIST` (a variable-length attribute, in the global
    /// heap) nor read variable-length strings, either of which can crash HDF5 on a damaged
    /// file: `labelled_dimensions` ("alpha=optimizer,s;…") and `labelled_text_coordinates`
    /// ("optimizer=GD,Adam,…"; names hold no comma, semicolon or equals sign).
    static let layoutAttributeNames = ["labelled_dimensions", "labelled_text_coordinates"]

    static func layoutAttributes(_ arrays: LabelledArrays) -> [(String, String)] {
        let dimensions = arrays.variables.map { "\($0.name)=\($0.dimensions.joined(separator: ","))" }.joined(separator: ";")
        let coordinates = arrays.dimensions.compactMap { dimension -> String? in
            guard case .text(let values) = dimension.values else { return nil }
            return "\(dimension.name)=\(values.joined(separator: ","))"
        }.joined(separator: ";")
        return [(layoutAttributeNames[0], dimensions), (layoutAttributeNames[1], coordinates)]
    }

    /// Reads the labelled arrays `layoutAttributes` describes in `group` (nothing when they
    /// are absent), touching only fixed-size data; the group's other datasets are returned by
    /// name for the caller.
    static func readLabelled(_ group: HDF5Handle) throws -> (arrays: LabelledArrays, others: [String]) {
        var described: [String: String] = [:]
        for (name, value) in try attributes(group) where layoutAttributeNames.contains(name) { described[name] = value.text }
        func pairs(_ text: String?) -> [(String, [String])] {
            (text ?? "").split(separator: ";").compactMap { item in
                let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else { return nil }
                return (String(parts[0]), parts[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init))
            }
        }
        let variables = pairs(described[layoutAttributeNames[0]])
        let textCoordinates = Dictionary(pairs(described[layoutAttributeNames[1]]), uniquingKeysWith: { a, _ in a })
        var dimensionNames: [String] = []
        for (_, axes) in variables { for axis in axes where !dimensionNames.contains(axis) { dimensionNames.append(axis) } }
        var arrays = LabelledArrays()
        func read(_ name: String) throws -> (shape: [Int], values: ColumnValues, attributes: [String: String]) {
            let what = "reading dataset \(name)"
            let dataset = try HDF5Handle(H5Dopen2(group.id, name, alphasweep_h5p_default()), .dataset, what)
            let type = try HDF5Handle(H5Dget_type(dataset.id), .datatype, what)
            guard H5Tis_variable_str(type.id) <= 0 else {
                throw HDF5Failure(operation: what, detail: "a variable-length string where a fixed-size array was expected", systemError: 0)
            }
            let (shape, values) = try readArray(dataset, name)
            var found: [String: String] = [:]
            for (attribute, value) in try attributes(dataset) where !dimensionScaleAttributes.contains(attribute) {
                found[attribute] = value.text
            }
            return (shape, values, found)
        }
        for name in dimensionNames {
            if let values = textCoordinates[name] {
                // The values are in the group's attribute; only the scale's own attributes are read.
                let dataset = try HDF5Handle(H5Dopen2(group.id, name, alphasweep_h5p_default()), .dataset, "reading dataset \(name)")
                var found: [String: String] = [:]
                for (attribute, value) in try attributes(dataset) where !dimensionScaleAttributes.contains(attribute) {
                    found[attribute] = value.text
                }
                arrays.dimensions.append(.init(name: name, values: .text(values), attributes: found))
            } else {
                let (shape, values, found) = try read(name)
                guard shape.count == 1 else {
                    throw HDF5Failure(operation: "reading dataset \(name)", detail: "a dimension that is not one-dimensional", systemError: 0)
                }
                arrays.dimensions.append(.init(name: name, values: values, attributes: found))
            }
        }
        for (name, axes) in variables {
            let (shape, values, found) = try read(name)
            guard shape == axes.map({ axis in arrays.dimensions.first { $0.name == axis }!.values.count }) else {
                throw HDF5Failure(operation: "reading dataset \(name)", detail: "its shape \(shape) does not match its dimensions \(axes)",
                                  systemError: 0)
            }
            arrays.variables.append(.init(name: name, dimensions: axes, values: values, attributes: found))
        }
        let labelled = Set(dimensionNames + variables.map(\.0))
        return (arrays, try linkNames(group).filter { !labelled.contains($0) })
    }

    /// The datasets of `group` (dimension scales apart), leaving variable-length strings
    /// unread: they are in the global heap, which HDF5 does not checksum and may crash on when
    /// it is damaged.
    static func readFixedSizeArrays(_ group: HDF5Handle) throws
        -> (dimensions: [(String, ColumnValues)], variables: [(String, ColumnValues)]) {
        var dimensions: [(String, ColumnValues)] = [], variables: [(String, ColumnValues)] = []
        for name in try linkNames(group) {
            let what = "reading dataset \(name)"
            let dataset = try HDF5Handle(H5Dopen2(group.id, name, alphasweep_h5p_default()), .dataset, what)
            let type = try HDF5Handle(H5Dget_type(dataset.id), .datatype, what)
            guard H5Tis_variable_str(type.id) <= 0 else { continue }
            let isScale = H5DSis_scale(dataset.id)
            guard isScale >= 0 else { throw failure(what) }
            let (_, values) = try readArray(dataset, name)
            if isScale > 0 { dimensions.append((name, values)) } else { variables.append((name, values)) }
        }
        return (dimensions, variables)
    }

    /// The bookkeeping attributes of the dimension-scale API, not the user's.
    static let dimensionScaleAttributes: Set<String> = ["CLASS", "NAME", "REFERENCE_LIST", "DIMENSION_LIST", "_Netcdf4Dimid",
                                                         "_Netcdf4Coordinates"]
}
