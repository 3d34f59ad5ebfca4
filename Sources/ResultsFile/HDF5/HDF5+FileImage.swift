import CHDF5

extension HDF5 {
    /// The bytes of an open in-memory file: a complete HDF5 file, checked by opening it.
    ///
    /// `H5Fget_file_image` (HDF5 1.10) clears the superblock's status flags in the copy but
    /// leaves the superblock checksum (format version ≥ 2) as it was, so the copy would not
    /// open; the checksum is recomputed here (a no-op where the library already got it right).
    static func fileImage(_ file: HDF5Handle) throws -> [UInt8] {
        try check(H5Fflush(file.id, H5F_SCOPE_GLOBAL), "flushing the file")
        let size = H5Fget_file_image(file.id, nil, 0)
        guard size > 0 else { throw failure("getting the file image") }
        var image = [UInt8](repeating: 0, count: size)
        let copied = image.withUnsafeMutableBytes { H5Fget_file_image(file.id, $0.baseAddress, size) }
        guard copied == size else { throw failure("getting the file image") }
        repairSuperblockChecksum(&image)
        try verifyImage(image)
        return image
    }

    /// Recomputes the checksum of a version 2 or 3 superblock at the start of `image`.
    static func repairSuperblockChecksum(_ image: inout [UInt8]) {
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        guard image.count > 12, Array(image[0..<8]) == signature, image[8] >= 2 else { return }
        // signature, version, size of offsets, size of lengths, flags, then four addresses.
        let checksumOffset = 12 + 4 * Int(image[9])
        guard image.count >= checksumOffset + 4 else { return }
        let checksum = image.withUnsafeBytes { lookup3(UnsafeRawBufferPointer(rebasing: $0[0..<checksumOffset])) }
        for i in 0..<4 { image[checksumOffset + i] = UInt8(truncatingIfNeeded: checksum >> (8 * UInt32(i))) }
    }

    /// Opens `image` in memory, read-only, and closes it: the bytes we are about to put on disk
    /// are a file HDF5 can open.
    private static func verifyImage(_ image: [UInt8]) throws {
        let fapl = try HDF5Handle(H5Pcreate(alphasweep_h5p_file_access()), .propertyList, "checking the file image")
        try check(H5Pset_fapl_core(fapl.id, 1 << 20, false), "checking the file image")
        try image.withUnsafeBytes { raw in
            try check(H5Pset_file_image(fapl.id, UnsafeMutableRawPointer(mutating: raw.baseAddress), raw.count),
                      "checking the file image")
            let file = try HDF5Handle(H5Fopen("alphasweep-image-check", alphasweep_h5f_acc_rdonly(), fapl.id),
                                      .file, "checking the file image (it does not open)")
            withExtendedLifetime(file) {}
        }
    }

    /// Bob Jenkins' lookup3 `hashlittle` with initial value 0: HDF5's metadata checksum.
    static func lookup3(_ key: UnsafeRawBufferPointer) -> UInt32 {
        @inline(__always) func rot(_ x: UInt32, _ k: UInt32) -> UInt32 { (x << k) | (x >> (32 - k)) }
        var a: UInt32 = 0xDEAD_BEEF &+ UInt32(truncatingIfNeeded: key.count)
        var b = a, c = a
        var k = 0, length = key.count
        func word(_ at: Int, _ count: Int) -> UInt32 {
            var v: UInt32 = 0
            for i in 0..<count { v |= UInt32(key[at + i]) << (8 * UInt32(i)) }
            return v
        }
        while length > 12 {
            a &+= word(k, 4); b &+= word(k + 4, 4); c &+= word(k + 8, 4)
            a &-= c; a ^= rot(c, 4); c &+= b
            b &-= a; b ^= rot(a, 6); a &+= c
            c &-= b; c ^= rot(b, 8); b &+= a
            a &-= c; a ^= rot(c, 16); c &+= b
            b &-= a; b ^= rot(a, 19); a &+= c
            c &-= b; c ^= rot(b, 4); b &+= a
            length -= 12; k += 12
        }
        if length == 0 { return c }
        a &+= word(k, min(length, 4))
        if length > 4 { b &+= word(k + 4, min(length - 4, 4)) }
        if length > 8 { c &+= word(k + 8, length - 8) }
        c ^= b; c &-= rot(b, 14)
        a ^= c; a &-= rot(c, 11)
        b ^= a; b &-= rot(a, 25)
        c ^= b; c &-= rot(b, 16)
        a ^= c; a &-= rot(c, 4)
        b ^= a; b &-= rot(a, 14)
        c ^= b; c &-= rot(b, 24)
        return c
    }
}
