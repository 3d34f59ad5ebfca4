import ArgumentParser
import Foundation
import Numerics
import Platform
import ResultsFile
import Vocabulary

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
        print("CPU supports      \(CPUFeatures.strongestSupportedCore ?? "unknown") kernels")
        if let warning = CPUFeatures.forcedCoreWarning(forced: forced, inUse: BLASEnvironment.coreName,
                                                      supported: CPUFeatures.strongestSupportedCore) {
            warnings.append(warning)
        }
        if !quick {
            let rate = DGEMMRate.measure(n: 1024, seconds: 1)
            print(String(format: "DGEMM (n=1024)    %.1f GFLOP/s on one thread", rate / 1e9))
        }
        print("HDF5              \(ResultsFileFormat.hdf5LibraryVersion)")
        print("cores             \(ProcessInfo.processInfo.activeProcessorCount)")
        for tool in ["mpirun", "srun", "sbatch", "h5dump"] {
            print(tool.padding(toLength: 18, withPad: " ", startingAt: 0) + (Executables.find(tool) ?? "not found"))
        }
        if Executables.find("mpirun") == nil { warnings.append("mpirun not found: install openmpi-bin (hpc/install-deps.sh)") }
        if getuid() == 0 && ProcessInfo.processInfo.environment["OMPI_ALLOW_RUN_AS_ROOT"] == nil {
            print("note              running as root: mpirun needs OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 (hpc/mpirun-local.sh sets them)")
        }
        for warning in warnings { print("warning: \(warning)") }
    }
}
