import ArgumentParser
import Foundation
import MessagePassing
import Numerics
import ResultsFile
import Sweep

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check this machine: libraries, BLAS kernels and speed, MPI, Slurm.")

    @Flag(help: "Skip the one-second DGEMM measurement.") var quick = false

    func run() throws {
        BLASEnvironment.useOneThreadUnlessConfigured()
        var warnings: [String] = []
        print("alphasweep        \(AlphasweepVersion.current)")
        print("BLAS core         \(BLASEnvironment.coreName) (\(BLASEnvironment.configuration)), \(BLASEnvironment.threads) thread(s)")
        let forced = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        print("OPENBLAS_CORETYPE \(forced ?? "(not set)")")
        print("CPU supports      \(BLASEnvironment.strongestSupportedCore ?? "unknown") kernels")
        if let warning = BLASEnvironment.forcedCoreWarning { warnings.append(warning) }
        if !quick {
            let rate = BLASEnvironment.dgemmRate(n: 1024, seconds: 1)
            print(String(format: "DGEMM (n=1024)    %.1f GFLOP/s on one thread", rate / 1e9))
        }
        print("HDF5              \(HDF5Library.version)")
        print("cores             \(ProcessInfo.processInfo.activeProcessorCount)")
        for tool in ["mpirun", "srun", "sbatch", "h5dump"] {
            print(tool.padding(toLength: 18, withPad: " ", startingAt: 0) + (Self.which(tool) ?? "not found"))
        }
        if Self.which("mpirun") == nil { warnings.append("mpirun not found: install openmpi-bin (hpc/install-deps.sh)") }
        if getuid() == 0 && ProcessInfo.processInfo.environment["OMPI_ALLOW_RUN_AS_ROOT"] == nil {
            print("note              running as root: mpirun needs OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 (hpc/mpirun-local.sh sets them)")
        }
        for warning in warnings { print("warning: \(warning)") }
    }

    static func which(_ tool: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}
