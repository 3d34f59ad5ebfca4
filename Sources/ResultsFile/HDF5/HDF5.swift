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

/// An HDF5 identifier this process owns: closed (with the close function of its kind) when the
/// last reference goes, so no path through the code can leak or double-close one.
final class HDF5Handle {
    enum Kind {
        case file, group, dataset, dataspace, datatype, propertyList, attribute, object

        func close(_ id: hid_t) {
            switch self {
            case .file: H5Fclose(id)
            case .group: H5Gclose(id)
            case .dataset: H5Dclose(id)
            case .dataspace: H5Sclose(id)
            case .datatype: H5Tclose(id)
            case .propertyList: H5Pclose(id)
            case .attribute: H5Aclose(id)
            case .object: H5Oclose(id)
            }
        }
    }

    let id: hid_t
    let kind: Kind

    /// Takes ownership of `id`, the result of an HDF5 call doing `operation`; throws the
    /// error stack when the call failed (a negative id).
    init(_ id: hid_t, _ kind: Kind, _ operation: @autoclosure () -> String) throws {
        guard id >= 0 else { throw HDF5.failure(operation()) }
        self.id = id
        self.kind = kind
    }

    deinit { kind.close(id) }
}

/// Thin, throwing wrappers over the HDF5 C API: just what the results file needs, in three
/// files: this one (errors, files, groups), `HDF5+Write.swift`, `HDF5+Read.swift`.
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

    static func check(_ status: Int32, _ operation: @autoclosure () -> String) throws {
        if status < 0 { throw failure(operation()) }
    }

    // MARK: - Files and groups

    /// Creates a file in memory (core driver, no backing store): HDF5 never writes to disk,
    /// so a full disk cannot leave the library with a half-written, unclosable file; the
    /// caller writes ``fileImage(_:)`` itself. The file uses the HDF5 1.8 format (readable by
    /// every HDF5 since 2008), whose superblock and object headers carry checksums.
    static func createInMemoryFile(_ name: String) throws -> HDF5Handle {
        let fapl = try HDF5Handle(H5Pcreate(alphasweep_h5p_file_access()), .propertyList, "creating a property list")
        try check(H5Pset_fapl_core(fapl.id, 4 << 20, false), "selecting the in-memory driver")
        try check(H5Pset_libver_bounds(fapl.id, H5F_LIBVER_V18, H5F_LIBVER_V18), "setting the file format")
        return try HDF5Handle(H5Fcreate(name, alphasweep_h5f_acc_trunc(), alphasweep_h5p_default(), fapl.id),
                              .file, "creating the file")
    }

    static func openFileReadOnly(_ path: String) throws -> HDF5Handle {
        try HDF5Handle(H5Fopen(path, alphasweep_h5f_acc_rdonly(), alphasweep_h5p_default()), .file, "opening the file")
    }

    /// - Parameter compactLinks: keep up to this many links in the group's object header
    ///   (checksummed) rather than in dense storage (a fractal heap, in which damage can crash
    ///   HDF5 while it lists the group); nil for HDF5's default of 8.
    static func createGroup(_ location: HDF5Handle, _ name: String, compactLinks: UInt32? = nil) throws -> HDF5Handle {
        let gcpl = try HDF5Handle(H5Pcreate(alphasweep_h5p_group_create()), .propertyList, "creating a property list")
        _ = H5Pset_obj_track_times(gcpl.id, false)
        if let compactLinks {
            try check(H5Pset_link_phase_change(gcpl.id, compactLinks, min(6, compactLinks)), "creating group \(name)")
        }
        return try HDF5Handle(H5Gcreate2(location.id, name, alphasweep_h5p_default(), gcpl.id, alphasweep_h5p_default()),
                              .group, "creating group \(name)")
    }

    static func openGroup(_ location: HDF5Handle, _ name: String) throws -> HDF5Handle {
        try HDF5Handle(H5Gopen2(location.id, name, alphasweep_h5p_default()), .group, "opening group \(name)")
    }

    /// Whether `name` is a link in `location`. A lookup that fails (damaged metadata) throws:
    /// taken as "absent", it would make a damaged group look like a missing optional one.
    static func exists(_ location: HDF5Handle, _ name: String) throws -> Bool {
        let found = H5Lexists(location.id, name, alphasweep_h5p_default())
        guard found >= 0 else { throw failure("looking up \(name)") }
        return found > 0
    }

    /// Names of the links in a group, in name order.
    static func linkNames(_ group: HDF5Handle) throws -> [String] {
        let count = alphasweep_h5_link_count(group.id)
        guard count >= 0 else { throw failure("listing a group") }
        return try (0..<Int(count)).map { i in
            let length = H5Lget_name_by_idx(group.id, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(i), nil, 0,
                                            alphasweep_h5p_default())
            guard length >= 0 else { throw failure("listing a group") }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            _ = H5Lget_name_by_idx(group.id, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(i), &buffer, buffer.count,
                                   alphasweep_h5p_default())
            return String(cString: buffer)
        }
    }

    /// A fixed-length, NUL-padded UTF-8 string type of `width` bytes.
    static func fixedStringType(width: Int) throws -> HDF5Handle {
        let type = try HDF5Handle(H5Tcopy(alphasweep_h5t_c_s1()), .datatype, "creating a string type")
        guard H5Tset_size(type.id, max(1, width)) >= 0, H5Tset_strpad(type.id, H5T_STR_NULLPAD) >= 0,
              H5Tset_cset(type.id, H5T_CSET_UTF8) >= 0 else { throw failure("creating a string type") }
        return type
    }

    static func variableStringType() throws -> HDF5Handle {
        let type = try HDF5Handle(H5Tcopy(alphasweep_h5t_c_s1()), .datatype, "creating a string type")
        guard H5Tset_size(type.id, alphasweep_h5t_variable()) >= 0, H5Tset_cset(type.id, H5T_CSET_UTF8) >= 0 else {
            throw failure("creating a string type")
        }
        return type
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
