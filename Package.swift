// swift-tools-version:6.0
// The manifest reads as the architecture: spec → plan → tasks → workers → results file → analysis.
// Every arrow points inward, to `Vocabulary`; MPI, HDF5, Slurm and the command line are edges.
import PackageDescription

let package = Package(
    name: "alphasweep",
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

        // MARK: - Leaves: the words every module speaks, and what the machine offers
        .target(name: "Vocabulary"),
        // CMalloc: glibc's mallopt (Platform's heap policy).
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .target(name: "Platform", dependencies: ["CMalloc"]),

        // MARK: - The science (knows nothing of MPI, HDF5 or the command line)
        // (swift-numerics cannot be a dependency: its umbrella target is also named `Numerics`,
        // and SwiftPM's module aliases do not lift the clash; see Theory/Complex.swift.)
        // CRandom: Philox4x32-10 in bulk (AVX2 when the CPU has it, the same words either way).
        .target(name: "CRandom"),
        .target(name: "Numerics", dependencies: ["Vocabulary", "CBLAS", "CRandom"]),

        // MARK: - The sweep: spec file, identity, cost model, scheduling policy (pure)
        .target(name: "Sweep", dependencies: [
            "Vocabulary",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // MARK: - Edges: the results file and message passing
        .target(name: "ResultsFile", dependencies: ["Vocabulary", "Platform", "CHDF5"]),
        .target(name: "MessagePassing", dependencies: ["Vocabulary", "Platform", "CMPI"]),

        // MARK: - Roles in a run
        .target(name: "Coordinator", dependencies: [
            "Vocabulary", "Sweep", "MessagePassing", "Platform",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Worker", dependencies: ["Vocabulary", "Numerics", "MessagePassing", "Platform"]),

        // MARK: - After a run
        .target(name: "Analysis", dependencies: ["Vocabulary", "Numerics", "ResultsFile"]),
        .target(name: "Slurm", dependencies: ["Vocabulary", "Sweep", "Platform"]),

        // MARK: - The command line
        .executableTarget(name: "alphasweep", dependencies: [
            "Vocabulary", "Platform", "Numerics", "Sweep", "ResultsFile", "MessagePassing", "Coordinator", "Worker",
            "Analysis", "Slurm", "CBLAS",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // MARK: - Unit test bundles
        // TestSupport: fixtures shared by every bundle (temporary directories, child
        // processes, the built binary, small experiments and records).
        .target(name: "TestSupport", dependencies: ["Vocabulary", "Numerics", "Worker"], path: "Tests/TestSupport"),
        .testTarget(name: "VocabularyTests", dependencies: ["Vocabulary"]),
        .testTarget(name: "NumericsTests", dependencies: ["Numerics", "Vocabulary", "CBLAS", "TestSupport"]),
        .testTarget(name: "SweepTests", dependencies: ["Sweep", "Vocabulary", "Numerics"]),
        .testTarget(name: "ResultsFileTests", dependencies: ["ResultsFile", "Vocabulary", "Platform", "CHDF5", "TestSupport"]),
        .testTarget(name: "MessagePassingTests", dependencies: ["MessagePassing", "Vocabulary"]),
        .testTarget(name: "CoordinatorTests", dependencies: [
            "Coordinator", "MessagePassing", "Worker", "Vocabulary", "Sweep", "Platform", "TestSupport",
        ]),
        .testTarget(name: "WorkerTests", dependencies: ["Worker", "Vocabulary", "Sweep", "TestSupport"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Numerics", "ResultsFile", "Sweep", "Vocabulary"]),
        .testTarget(name: "SlurmTests", dependencies: ["Slurm", "Sweep", "Vocabulary", "TestSupport"]),
        .testTarget(name: "PlatformTests", dependencies: ["Platform"]),
        // Runs the built binary: exit codes, one-line errors, help (the CLI as a user meets it).
        .testTarget(name: "CommandLineTests", dependencies: ["alphasweep", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
