import CHDF5

/// CRC-32 (IEEE 802.3, zlib's `crc32`): frames journal records and checks `/results` and
/// `/spec`; Python's `zlib.crc32` computes the same values.
enum CRC32 {
    static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return alphasweep_crc32(crc, base, bytes.count)
    }

    static func checksum(_ bytes: ArraySlice<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }
}
