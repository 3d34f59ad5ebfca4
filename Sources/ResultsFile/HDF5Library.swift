/// The HDF5 library this build links, as recorded in results files.
public enum HDF5Library {
    /// "major.minor.release", e.g. "1.10.8".
    public static var version: String { HDF5.libraryVersion }
}
