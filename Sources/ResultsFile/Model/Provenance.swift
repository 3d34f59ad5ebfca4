import Foundation
import Platform
import Vocabulary

/// Where and how a run was made: the root attributes of a results file and one row of its
/// `/provenance` table.
public struct Provenance: Equatable, Sendable {
    public var alphasweepVersion: String
    /// ISO 8601 UTC time the run (or merge) started.
    public var created: String
    /// Hosts the run's ranks ran on (stored comma-separated).
    public var hostnames: [String]
    /// MPI ranks of the run.
    public var ranks: Int
    /// "I/K" for a shard of a sweep, empty for a whole sweep.
    public var shard: String
    /// MPI library version string (MPI_Get_library_version), empty without MPI.
    public var mpiLibrary: String
    /// OpenBLAS core / configuration.
    public var blasCore: String
    public var commandLine: String

    public init(alphasweepVersion: String = "unknown",
                created: String = Clock.utcTimestamp(),
                hostnames: [String] = [HostName.current],
                ranks: Int = 1,
                shard: String = "",
                mpiLibrary: String = "",
                blasCore: String = "",
                commandLine: String = CommandLine.arguments.joined(separator: " ")) {
        self.alphasweepVersion = alphasweepVersion
        self.created = created
        self.hostnames = hostnames
        self.ranks = ranks
        self.shard = shard
        self.mpiLibrary = mpiLibrary
        self.blasCore = blasCore
        self.commandLine = commandLine
    }
}

/// One row of `/provenance`: a run, a resumed run or a merge that contributed to the file.
public struct ProvenanceRecord: Equatable, Sendable {
    /// "run" (the file was created), "resume" (a run continued it) or "merge".
    public var event: String
    public var provenance: Provenance
    /// The results file the row's rows were written to (a shard's name, in a merged file);
    /// for a merge, the inputs, comma-separated.
    public var sourceFile: String
    /// Rows this run contributed (for a merge: rows of the output).
    public var rows: Int
    /// The grid the run ran (`SweepGrid.canonicalText`; for a merge, the hull of its inputs'),
    /// empty in rows written before alphasweep recorded it.
    public var grid: String

    public init(event: String, provenance: Provenance, sourceFile: String, rows: Int, grid: String = "") {
        self.event = event
        self.provenance = provenance
        self.sourceFile = sourceFile
        self.rows = rows
        self.grid = grid
    }
}

/// The identity of a spec text (the `Sweep` module parses it): how the experiment and grid of
/// a file older than the `experiment_sha256` attribute are found, from its `/spec`.
public typealias IdentifySpec = (_ specText: String) throws -> SweepIdentity

/// The attempts made at a task that has no row: runs its worker crashed in, and failed rows
/// dropped to be retried (`/attempts`).
public struct TaskAttempts: Equatable, Sendable {
    /// Runs started, the crashed ones and those of dropped failed rows included.
    public var attempts: Int
    /// Runs whose worker died with the task in flight.
    public var crashes: Int

    public init(attempts: Int, crashes: Int) {
        self.attempts = attempts
        self.crashes = crashes
    }
}

/// The `/analysis` group: the α table (or anything else `analyze` stores) as columns, plus
/// string attributes on the group.
public struct AnalysisTable: Sendable {
    public var numericColumns: [String: [Double]]
    public var stringColumns: [String: [String]]
    public var attributes: [String: String]

    public init(numericColumns: [String: [Double]] = [:], stringColumns: [String: [String]] = [:],
                attributes: [String: String] = [:]) {
        self.numericColumns = numericColumns
        self.stringColumns = stringColumns
        self.attributes = attributes
    }
}
