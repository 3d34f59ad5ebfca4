// swift-tools-version:6.0
// The manifest reads as the architecture: spec → plan → tasks → workers → results file → analysis.
import PackageDescription

let package = Package(
    name: "alphasweep",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "alphasweep", targets: ["alphasweep"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // MARK: - System libraries (shims over C macros Swift cannot import)
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial",
                       providers: [.apt(["libhdf5-dev", "zlib1g-dev"])]),

        // MARK: - The science (knows nothing of MPI, HDF5 or the command line)
        // (swift-numerics cannot be a dependency: its umbrella target is also named `Numerics`.)
        // CRandom: Philox4x32-10 in bulk (AVX2 when the CPU has it, the same words either way).
        .target(name: "CRandom"),
        .target(name: "Numerics", dependencies: ["CBLAS", "CRandom"]),

        // MARK: - The sweep: spec, task keys, grid, cost model, scheduling policy (pure; no MPI)
        .target(name: "Sweep", dependencies: [
            "Numerics",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // MARK: - Edges: message passing and the results file
        .target(name: "MessagePassing", dependencies: ["CMPI"]),
        .target(name: "ResultsFile", dependencies: ["CHDF5", "Sweep"]),

        // MARK: - Roles in a run
        .target(name: "Worker", dependencies: ["Numerics", "Sweep", "MessagePassing"]),
        .target(name: "Coordinator", dependencies: [
            "Sweep", "ResultsFile", "MessagePassing", "Worker",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Analysis", dependencies: ["Numerics", "Sweep", "ResultsFile"]),
        .target(name: "Slurm", dependencies: ["Sweep"]),

        // MARK: - The command line
        .executableTarget(name: "alphasweep", dependencies: [
            "Numerics", "Sweep", "ResultsFile", "MessagePassing", "Worker", "Coordinator", "Analysis", "Slurm",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // MARK: - Unit test bundles
        .testTarget(name: "NumericsTests", dependencies: ["Numerics", "CBLAS"]),
        .testTarget(name: "SweepTests", dependencies: ["Sweep"]),
        .testTarget(name: "ResultsFileTests", dependencies: ["ResultsFile", "Sweep"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Numerics", "ResultsFile", "Sweep"]),
        .testTarget(name: "WorkerTests", dependencies: ["Worker", "Coordinator", "Numerics", "Sweep"]),
        .testTarget(name: "SlurmTests", dependencies: ["Slurm", "Sweep"]),
    ],
    swiftLanguageModes: [.v5]
)
