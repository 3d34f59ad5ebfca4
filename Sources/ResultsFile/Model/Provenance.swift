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
    /// The Slurm job, array job, array task and step ids of the run ("" outside Slurm, and in
    /// rows written before alphasweep recorded them).
    public var slurm: SlurmIDs = SlurmIDs()

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

/// Where in Slurm a run ran: `SLURM_JOB_ID`, `SLURM_ARRAY_JOB_ID`, `SLURM_ARRAY_TASK_ID` and
/// `SLURM_STEP_ID` of the process that writes the file ("" when unset).
public struct SlurmIDs: Equatable, Sendable {
    public var job = "", arrayJob = "", arrayTask = "", step = ""

    public init(job: String = "", arrayJob: String = "", arrayTask: String = "", step: String = "") {
        self.job = job
        self.arrayJob = arrayJob
        self.arrayTask = arrayTask
        self.step = step
    }

    /// The ids in `environment` (by default this process's).
    public static func current(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> SlurmIDs {
        SlurmIDs(job: environment["SLURM_JOB_ID"] ?? "", arrayJob: environment["SLURM_ARRAY_JOB_ID"] ?? "",
                 arrayTask: environment["SLURM_ARRAY_TASK_ID"] ?? "", step: environment["SLURM_STEP_ID"] ?? "")
    }

    /// e.g. "job 812 (array 810_2) step 0", or "" outside Slurm.
    public var description: String {
        guard !job.isEmpty else { return "" }
        var text = "job \(job)"
        if !arrayJob.isEmpty { text += " (array \(arrayJob)_\(arrayTask))" }
        if !step.isEmpty { text += " step \(step)" }
        return text
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
    /// Each rank's peak resident memory over the tasks it ran in this run, from the rows'
    /// `peak_rss_bytes`, as "rank=MiB" pairs ("1=412.5,2=398.0"); "" for a merge or in rows
    /// written before alphasweep recorded it.
    public var peakRSSByRank: String

    public init(event: String, provenance: Provenance, sourceFile: String, rows: Int, grid: String = "",
                peakRSSByRank: String = "") {
        self.event = event
        self.provenance = provenance
        self.sourceFile = sourceFile
        self.rows = rows
        self.grid = grid
        self.peakRSSByRank = peakRSSByRank
    }

    /// The `peakRSSByRank` text of per-rank peaks in bytes.
    public static func peakRSSText(_ peaks: [Int32: Int64]) -> String {
        peaks.keys.sorted().map { "\($0)=" + String(format: "%.1f", Double(peaks[$0]!) / 1_048_576) }.joined(separator: ",")
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
    /// Tables over (optimizer, s) and (optimizer, s, N) as labelled arrays (netCDF-4
    /// dimensions), so xarray opens `/analysis` with coordinates.
    public var labelled: LabelledArrays

    public init(numericColumns: [String: [Double]] = [:], stringColumns: [String: [String]] = [:],
                attributes: [String: String] = [:], labelled: LabelledArrays = LabelledArrays()) {
        self.numericColumns = numericColumns
        self.stringColumns = stringColumns
        self.attributes = attributes
        self.labelled = labelled
    }
}
