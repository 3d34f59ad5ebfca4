/// The results file of a sweep: one HDF5 file per run (or merge) that users archive for years.
///
/// Words used throughout this module:
///
/// - *results file* `FILE.h5`: what users keep. It is always a complete, valid **snapshot**:
///   it is only ever replaced whole (written as `FILE.h5.tmp-<pid>` beside it, fsynced,
///   renamed over `FILE.h5`, directory fsynced) and never opened for writing. HDF5 itself
///   builds the file in memory, so a full disk or a `kill -9` can never leave a half-written
///   `FILE.h5`.
/// - *journal* `FILE.h5.journal`: an append-only log of finished tasks not yet in the
///   snapshot, one CRC-framed record per task (see `JournalFormat`). A flush makes records
///   durable; a crash loses only unflushed ones; a torn tail is detected and ignored.
/// - *checkpoint*: folding the journal into a new snapshot, then resetting the journal. A crash
///   between the two leaves identical rows in both, which readers collapse.
/// - *writer lock* `FILE.h5.lock`: `flock` held by the one writer; it vanishes with the
///   process, so nothing stale is left by a crash.
/// - *reader*: reads the snapshot and, unless told not to, the journal; never writes or locks.
///
/// Format choices, for tools that read the file without alphasweep (h5py, pandas, h5dump):
///
/// - Plain 1-D datasets, no compound types; strings fixed-length, NUL-padded UTF-8 (h5py
///   reads them as `bytes`; `dataset.asstr()[...]` gives `str`, attributes need `.decode()`).
///   Fixed-length keeps every byte under a checksum: variable-length strings would live in
///   HDF5's global heap, which has none.
/// - The HDF5 1.8 file format (readable by every HDF5 since 2008): superblock and object
///   headers carry checksums; chunks carry fletcher32; `/results` and `/spec` carry a CRC-32
///   of their content, so damage is reported, never silently read.
/// - `format_version` (root attribute, int) is 1; readers refuse other versions.
///
/// Entry points: ``ResultsWriter`` (create, resume, append, flush, checkpoint, close),
/// ``ResultsReader`` (read, readAnalysis), ``mergeResults(inputs:output:provenance:)``,
/// ``writeAnalysis(to:numericColumns:stringColumns:attributes:)``; every failure is a
/// ``ResultsFileError`` that names the file.
public enum ResultsFileFormat {
    /// The format version this build writes and reads.
    public static let version = 1
    /// The HDF5 library this build writes with, e.g. "1.10.8" (recorded in every file).
    public static var hdf5LibraryVersion: String { HDF5.libraryVersion }
}
