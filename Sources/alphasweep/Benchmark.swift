import ArgumentParser
import Foundation
import Numerics
import Platform
import ResultsFile
import Sweep
import Vocabulary
import Worker

/// Measurements for `make bench` (bench/run_benchmarks.py drives it); prints one JSON object.
///
/// - `blas`: the OpenBLAS core in use, OPENBLAS_CORETYPE, the strongest core the CPU supports,
///   threads, and the single-thread DGEMM rate (n×n by n×n, n = --dgemm-n);
/// - `normals_per_second`: the ziggurat/Philox normal generator;
/// - `instances`: per instance size N, CPU seconds of sampling (of which drawing normals and
///   the covariance Σ = GGᵀ, timed again on their own), eigendecomposition, Adam, MatSign, GD,
///   SqrtNG and NG ("rest" is the last three), with the useful flops of each phase (`CostModel`);
/// - `sweep` (with --spec): the sweep's instance and task counts and its total useful flops;
/// - `append` (with --append-rows): the results-file append rate, rows appended in batches of
///   --append-batch, each batch flushed (fsync) as the coordinator does, then closed.
struct Benchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure kernels and per-instance cost on this machine (used by make bench).",
        shouldDisplay: false)

    @Option(help: "Instance sizes N to time (comma-separated; empty for none).") var sizes = "64,128,256,512,1024"
    @Option(help: "Spectral decay s of the timed instances.") var s = 1.0
    @Option(help: "Repetitions per size (the fastest is reported).") var repeats = 1
    @Option(help: "DGEMM size.") var dgemmN = 2048
    @Option(help: "Seconds to spend measuring DGEMM (0: skip).") var dgemmSeconds = 3.0
    @Option(help: "A sweep spec: report its useful flops and instance parameters from it.") var spec: String?
    @Option(help: "Rows for the results-file append benchmark (0: skip).") var appendRows = 0
    @Option(help: "Rows per append+flush in the append benchmark.") var appendBatch = 1000
    @Option(help: "Directory for the append benchmark's file.") var scratch = NSTemporaryDirectory()
    @Flag(help: "Also time the symmetric eigensolvers on each instance's F.") var eigensolvers = false
    @Flag(help: "Print digests of random streams, instances and outcomes (to check that an optimization kept every bit), and exit.")
    var fingerprint = false
    @Flag(help: "Only sample and train one instance per size (of --spec's experiment), timing nothing else (for perf, callgrind and peak memory).")
    var profile = false

    func validate() throws {
        try Ranges.check(s, 1e-3...64, "--s")
        try Ranges.check(repeats, 1...100, "--repeats")
        try Ranges.check(dgemmN, 1...16_384, "--dgemm-n")
        try Ranges.check(dgemmSeconds, 0...600, "--dgemm-seconds")
        try Ranges.check(appendRows, 0...100_000_000, "--append-rows")
        try Ranges.check(appendBatch, 1...10_000_000, "--append-batch")
        for size in sizes.split(separator: ",") {
            guard let n = Int(size.trimmingCharacters(in: .whitespaces)), (1...16_384).contains(n) else {
                throw BadInput("--sizes: expected instance sizes N in 1…16384, got '\(size)'")
            }
        }
    }

    func run() throws {
        BLASEnvironment.useOneThreadUnlessConfigured()
        HeapPolicy.keepFreedMatricesInTheHeap()  // as a training rank runs
        if fingerprint { try Self.printFingerprint(); return }
        var report: [String: Any] = [:]
        var problem = Experiment()
        let specSweep = try spec.map { try SweepSpec.load(path: $0).0 }
        if let sweep = specSweep { problem = sweep.experiment }
        if profile {
            for N in sizes.split(separator: ",").compactMap({ Int($0) }) {
                _ = Self.outcomes(problem, InstanceKey(s: s, N: N, replicate: 0))
            }
            return
        }
        if let spec, let sweep = specSweep {
            let model = CostModel(experiment: problem)
            var flops = 0.0
            for instance in sweep.grid.instances { flops += model.phases(N: instance.N).flops(sweep.grid.optimizers) }
            report["sweep"] = ["spec": spec, "instances": sweep.grid.instances.count, "tasks": sweep.grid.taskCount,
                               "useful_flops": flops,
                               "largest_N": sweep.grid.N.max() ?? 0, "D": problem.D, "K": problem.K, "n": problem.n, "T": problem.T]
        }
        var blas: [String: Any] = [
            "core": BLASEnvironment.coreName, "configuration": BLASEnvironment.configuration,
            "threads": BLASEnvironment.threads,
            "openblas_coretype": ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? NSNull(),
            "cpu_supports": CPUFeatures.strongestSupportedCore ?? NSNull(),
        ]
        if dgemmSeconds > 0 {
            blas["dgemm_n"] = dgemmN
            blas["dgemm_flops_per_second"] = DGEMMRate.measure(n: dgemmN, seconds: dgemmSeconds)
            blas["dgemm_flops_per_cpu_second"] = DGEMMRate.measure(n: dgemmN, seconds: dgemmSeconds / 2, cpuTime: true)
        }
        report["blas"] = blas
        report["normals_per_second"] = Self.normalsPerSecond()

        let Ns = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        report["instances"] = try Ns.map { try instanceTiming(problem, N: $0) }
        if let largest = Ns.max() {
            let memory = MemoryModel(experiment: problem)
            report["memory"] = ["N": largest, "peak_bytes": memory.peakBytes(N: largest),
                                "largest_matrix_bytes": memory.largestMatrixBytes(N: largest)]
        }
        if appendRows > 0 { report["append"] = try appendBenchmark() }

        let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    static func timed(_ body: () throws -> Void) rethrows -> (cpu: Double, wall: Double) {
        let w0 = Clock.monotonicSeconds(), c0 = Clock.threadCPUSeconds()
        try body()
        return (Clock.threadCPUSeconds() - c0, Clock.monotonicSeconds() - w0)
    }

    static func normalsPerSecond() -> Double {
        var stream = RandomStream(masterSeed: 1, s: 1, N: 1024, replicate: 0, stream: .data)
        var buffer = [Double](repeating: 0, count: 1 << 22)
        var best = Double.infinity
        for _ in 0..<3 {
            best = min(best, timed { buffer.withUnsafeMutableBufferPointer { stream.fillStandardNormals($0) } }.cpu)
        }
        return Double(buffer.count) / best
    }

    func instanceTiming(_ p: Experiment, N: Int) throws -> [String: Any] {
        let key = InstanceKey(s: s, N: N, replicate: 0)
        var best: [String: Double] = [:]
        for _ in 0..<max(1, repeats) {
            var instance: ProblemInstance!
            var trainer: InstanceTrainer!
            var phase: [String: Double] = [:]
            var wall = 0.0
            func record(_ name: String, _ t: (cpu: Double, wall: Double)) { phase[name] = t.cpu; wall += t.wall }
            // The normals the sampler draws, timed on their own the way it draws them.
            record("normals", Self.timed {
                var featureStream = RandomStream(masterSeed: p.masterSeed, instance: key, stream: .features)
                _ = featureStream.standardNormals(count: N * p.D)
                var dataStream = RandomStream(masterSeed: p.masterSeed, instance: key, stream: .data)
                let m = N + p.K
                switch p.sampler {
                case .joint: ProblemInstance.drawRowBlocks(n: p.n, columns: m, stream: &dataStream) { _, _ in }
                case .direct: _ = dataStream.standardNormals(count: p.n * (p.D + p.K))
                case .wishart: _ = dataStream.standardNormals(count: m * (m - 1) / 2)
                }
            })
            wall = 0
            record("sampling", try Self.timed { instance = try ProblemInstance.sample(experiment: p, key: key) })
            // Σ = GGᵀ on its own (part of sampling; its wall time is not added twice).
            let covarianceTime = Self.timed {
                _ = ProblemInstance.populationCovariance(W: instance.features, teacher: instance.teacher,
                                                         lambda: instance.lambda, sigma: p.sigma)
            }
            phase["covariance"] = covarianceTime.cpu
            record("eigendecomposition", try Self.timed { trainer = try InstanceTrainer(instance: instance) })
            record("adam", Self.timed { _ = trainer.train(.adam) })
            record("matsign", Self.timed { _ = trainer.train(.matSign) })
            record("gd", Self.timed { _ = trainer.train(.gd) })
            record("sqrtng", Self.timed { _ = trainer.train(.sqrtNG) })
            record("ng", Self.timed { _ = trainer.train(.ng) })
            phase["rest"] = phase["gd"]! + phase["sqrtng"]! + phase["ng"]!
            phase["total"] = ["sampling", "eigendecomposition", "adam", "matsign", "rest"].reduce(0) { $0 + phase[$1]! }
            phase["wall"] = wall
            if phase["total"]! < best["total", default: .infinity] { best = phase }
        }
        var solvers: [String: Double] = [:]
        if eigensolvers {
            let F = try ProblemInstance.sample(experiment: p, key: key).F
            for algorithm in [LAPACK.EigenAlgorithm.divideAndConquer, .relativelyRobust] {
                solvers[algorithm.rawValue] = try Self.timed { _ = try LAPACK.symmetricEigen(F, algorithm: algorithm) }.cpu
            }
            var factored: LAPACK.FactoredSymmetricEigen!
            solvers["dsytrd+dstedc"] = try Self.timed { factored = try LAPACK.factoredSymmetricEigen(F) }.cpu
            let block = Matrix(rows: N, columns: 8 * 8, repeating: 1)
            solvers["apply V to N×64"] = Self.timed { _ = factored.applyV(block) }.cpu
            solvers["form V"] = Self.timed { _ = factored.vectors }.cpu
        }
        let c = CostModel(experiment: p).phases(N: N)
        let flops: [String: Double] = [
            "sampling": c.sampling, "covariance": Double(N + p.K) * Double(N + p.K) * Double(p.D),
            "eigendecomposition": c.eigendecomposition,
            "adam": c.perOptimizer[.adam]!, "matsign": c.perOptimizer[.matSign]!,
            "gd": c.perOptimizer[.gd]!, "sqrtng": c.perOptimizer[.sqrtNG]!, "ng": c.perOptimizer[.ng]!,
            "rest": c.perOptimizer[.gd]! + c.perOptimizer[.sqrtNG]! + c.perOptimizer[.ng]!, "total": c.flops(),
        ]
        return ["N": N, "s": s, "cpu_seconds": best, "useful_flops": flops, "eigensolvers": solvers,
                "gflops_per_second": c.flops() / best["total"]! / 1e9]
    }

    /// Every optimizer trained on one instance, as a worker does it.
    static func outcomes(_ experiment: Experiment, _ key: InstanceKey) -> [TrainingOutcome] {
        TaskRunner(experiment: experiment, rank: 0)
            .run(WorkUnit(instance: key, optimizers: OptimizerKind.allCases, cost: 0)).map(\.outcome)
    }

    /// FNV-1a over the bit patterns of `values`.
    static func digest(_ values: [Double]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for v in values {
            var bits = v.bitPattern
            for _ in 0..<8 { h = (h ^ (bits & 0xff)) &* 0x100_0000_01b3; bits >>= 8 }
        }
        return String(h, radix: 16)
    }

    static func printFingerprint() throws {
        var stream = RandomStream(masterSeed: 3, s: 0.75, N: 100, replicate: 2, stream: .data)
        var normals: [Double] = []
        for count in [1, 2, 3, 5, 7, 64, 1000, 4097, 100_000] {
            normals += stream.standardNormals(count: count)
            normals.append(Double(stream.blockIndex))
            normals += stream.uniforms(count: count % 7)
            normals.append(Double(stream.blockIndex))
            normals.append(Double(stream.next() >> 11))
        }
        print("normals \(digest(normals))")
        for sampler in SamplerKind.allCases {
            for (N, D, n) in [(16, 64, 300), (100, 256, 1000), (256, 1024, 4000)] {
                var p = Experiment()
                p.D = D; p.n = n; p.sampler = sampler
                let key = InstanceKey(s: 1.25, N: N, replicate: 3)
                let instance = try ProblemInstance.sample(experiment: p, key: key)
                let o = Self.outcomes(p, key).flatMap { [$0.testLoss, $0.trainLoss, $0.lr] }
                print("losses " + o.map { String(format: "%.17g", $0) }.joined(separator: " "))
                print("\(sampler) N=\(N) D=\(D) n=\(n) W \(digest(instance.features.elements)) F \(digest(instance.F.elements)) "
                      + "B \(digest(instance.B.elements)) YY \(digest(instance.labelGram.elements)) outcomes \(digest(o))")
            }
        }
        // Default-size instances (replicate 0): the losses, for comparing builds.
        for s in [0.5, 1.0, 2.0] {
            for N in [16, 64, 256, 512] {
                let o = Self.outcomes(Experiment(), InstanceKey(s: s, N: N, replicate: 0)).flatMap { [$0.testLoss, $0.trainLoss, $0.lr] }
                print("default s=\(s) N=\(N) " + o.map { String(format: "%.17g", $0) }.joined(separator: " "))
            }
        }
    }

    func appendBenchmark() throws -> [String: Any] {
        let path = (scratch as NSString).appendingPathComponent("alphasweep-bench-append-\(getpid()).h5")
        for suffix in ["", ".journal", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        defer { for suffix in ["", ".journal", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        var records: [TaskRecord] = []
        records.reserveCapacity(appendRows)
        for i in 0..<appendRows {
            let optimizer = OptimizerKind.allCases[i % 5]
            let s = 0.5 + Double(i / 5 % 100) / 100
            let key = TaskKey(optimizer: optimizer, s: s, N: 2 << (i / 500 % 4), replicate: i / 2000)
            let loss = 1 / Double(i + 1)
            let outcome = TrainingOutcome(testLoss: loss, trainLoss: loss / 2, lr: 0.1, lrAtGridEdge: false, status: .ok)
            records.append(TaskRecord(key: key, outcome: outcome, wallSeconds: 1e-4, rank: Int32(1 + i % 2)))
        }
        var snapshots = 0
        let batch = max(1, appendBatch)
        let t = try Self.timed {
            let writer = try ResultsWriter.create(path: path, identity: SweepSpec().identity(specText: "bench"),
                                                  provenance: Provenance(alphasweepVersion: AlphasweepVersion.current))
            for start in stride(from: 0, to: records.count, by: batch) {
                try writer.append(Array(records[start..<min(start + batch, records.count)]))
                try writer.flush()
            }
            try writer.close()
            snapshots = writer.snapshotCount
        }
        return ["rows": appendRows, "batch": batch, "wall_seconds": t.wall, "cpu_seconds": t.cpu,
                "rows_per_second": Double(appendRows) / t.wall, "snapshots": snapshots]
    }
}
