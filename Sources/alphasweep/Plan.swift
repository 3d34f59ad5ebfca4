import ArgumentParser
import Foundation
import Platform
import ResultsFile
import Sweep
import Vocabulary

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the tasks of a sweep, their expected cost, and how they split into ranks or shards.")

    @Argument(help: "The sweep spec (YAML).") var spec: String
    @Option(help: "Show the split into K shards (job-array tasks).") var shards: Int?
    @Option(help: "Worker counts to show the largest-first makespan for.") var workers: [Int] = [1, 2, 4, 16, 64, 256]
    @Option(help: ArgumentHelp("Plan only the tasks this archive lacks (what `run --resume` or `--extend` would run).",
                               valueName: "ARCHIVE.h5"))
    var against: String?
    @Option(help: "Cores per node for the ranks × threads recommendation (default: this node's).") var nodeCores: Int?
    @Option(help: ArgumentHelp("Memory per node for the recommendation: bytes, or with a suffix K, M, G, T (powers of 1000) or Ki, Mi, Gi, Ti (default: this node's).",
                               valueName: "SIZE"))
    var nodeMemory: String?

    func validate() throws {
        if let shards { try Ranges.check(shards, 1...Ranges.maxShards, "--shards") }
        for w in workers { try Ranges.check(w, 1...10_000_000, "--workers") }
        if let nodeCores { try Ranges.check(nodeCores, 1...1_000_000, "--node-cores") }
        if let nodeMemory, Self.bytes(nodeMemory) == nil {
            throw ValidationError("--node-memory: expected bytes or a size like 256G or 512Gi, got '\(nodeMemory)'")
        }
    }

    /// "256G" → 2.56e11, "2Gi" → 2³¹, "1000" → 1000; nil for anything else (or ≤ 0).
    static func bytes(_ text: String) -> Double? {
        let units: [(String, Double)] = [("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
                                         ("K", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("", 1)]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            guard let value = Double(trimmed.dropLast(suffix.count)), value.isFinite, value > 0 else { return nil }
            return value * scale
        }
        return nil
    }

    func run() throws {
        let (sweep, _) = try SweepSpec.load(path: spec)
        if let shards, shards > sweep.grid.instanceCount {
            throw BadInput("--shards: \(shards) shards but the sweep has only \(sweep.grid.instanceCount) instances (at most one shard each)")
        }
        var excluded = Set<TaskKey>()
        if let against {
            let contents = try ResultsReader.read(path: against, includeJournal: true)
            let theirs = try contents.experiment ?? RunPlan.experiment(ofSpecText: contents.specText, in: against)
            guard theirs.sha256 == sweep.experimentSHA256 else {
                throw ResultsFileError.experimentMismatch(path: against, differences: Experiment.differences(
                    theirs.text, sweep.experiment.canonicalText, firstLabel: "archive", secondLabel: "spec").joined(separator: "; "))
            }
            excluded = Set(contents.records.map(\.key))
        }
        // One pass over the units (made N by N, never all held): totals per N.
        var total = 0.0, toRun = 0, unitCount = 0
        var perN: [Int: (instances: Int, cost: Double)] = [:]
        SchedulePolicy.forEachAssignment(spec: sweep, shards: 1, excluded: excluded) { unit, _ in
            total += unit.cost
            toRun += unit.optimizers.count
            unitCount += 1
            perN[unit.instance.N, default: (0, 0)].instances += 1
            perN[unit.instance.N]!.cost += unit.cost
        }
        print("spec \(spec)  sha256 \(sweep.sha256)  experiment \(sweep.experimentSHA256.prefix(12))")
        print("\(sweep.grid.taskCount) tasks = \(sweep.grid.optimizers.count) optimizers × \(sweep.grid.s.count) s × \(sweep.grid.N.count) N × \(sweep.grid.replicates.count) replicates (\(sweep.grid.instanceCount) instances)")
        if let against {
            var full = 0.0
            SchedulePolicy.forEachAssignment(spec: sweep, shards: 1) { unit, _ in full += unit.cost }
            print("against \(against): \(toRun) tasks to run in \(unitCount) instances, \(sweep.grid.taskCount - toRun) already there; "
                  + String(format: "%.1f%% of the grid's work", full > 0 ? 100 * total / full : 0))
        }
        print(String(format: "expected work: %.3g flop", total))
        guard total > 0 else { return }
        let memory = MemoryModel(experiment: sweep.experiment)
        print("\nN        instances   flop/instance   share of work   memory/instance")
        for n in sweep.grid.N {
            let (count, flops) = perN[n] ?? (0, 0)
            print(String(format: "%-8d %9d   %13.3g   %6.2f%%         %8.3f GB", n, count, count == 0 ? 0 : flops / Double(count),
                         100 * flops / total, memory.peakBytes(N: n) / 1e9))
        }
        if let largest = sweep.grid.N.max() {
            let cores = nodeCores ?? ProcessInfo.processInfo.activeProcessorCount
            let node = nodeMemory.flatMap(Self.bytes) ?? MemoryLimit.node
            let which = nodeMemory == nil ? "this node's" : "the given"
            if let node {
                let needed = memory.peakBytes(N: largest)
                let ranks = MemoryModel.instancesThatFit(needed, in: node)
                print(ranks < 1
                    ? String(format: "memory: the instance with N=%d does not fit: it needs about %.2f GB, %@ node has %.2f GB", largest, needed / 1e9, which, node / 1e9)
                    : String(format: "memory: at most %d rank(s) per node of %@ %.2f GB can each hold the largest instance (N=%d, %.2f GB)",
                             ranks, which, node / 1e9, largest, needed / 1e9))
                if let advice = Self.ranksAndThreads(cores: cores, nodeBytes: node, instanceBytes: needed,
                                                     instances: sweep.grid.instanceCount) {
                    print("recommended per node of \(cores) cores: " + advice)
                }
            }
        }
        print("\nworkers  makespan/ideal (largest-first)")
        for w in workers {
            let makespan = SchedulePolicy.simulatedMakespan(spec: sweep, workers: w, excluded: excluded)
            print(String(format: "%-8d %.3f", w, makespan / (total / Double(w))))
        }
        if let shards { printShards(sweep, shards: shards, excluded: excluded, total: total) }
    }

    /// Ranks × BLAS threads per node: one thread per rank while memory allows a rank per core
    /// (threads inside one BLAS call scale worse than independent instances); when the largest
    /// instance leaves room for fewer ranks than cores, or there are fewer instances than
    /// cores, the cores left over become BLAS threads of those ranks (OPENBLAS_NUM_THREADS;
    /// results are bitwise reproducible for a fixed thread count, not across counts). Rank 0
    /// (the coordinator, mostly asleep) comes on top on its node. Nil when nothing fits.
    static func ranksAndThreads(cores: Int, nodeBytes: Double, instanceBytes: Double, instances: Int) -> String? {
        let byMemory = MemoryModel.instancesThatFit(instanceBytes, in: nodeBytes)
        guard byMemory >= 1 else { return nil }
        let ranks = max(1, min(cores, byMemory, instances))
        let threads = max(1, cores / ranks)
        let why = ranks == cores ? "one rank per core"
            : ranks == byMemory ? "memory holds \(byMemory) largest instance(s)" : "only \(instances) instance(s)"
        return "\(ranks) worker rank(s) × OPENBLAS_NUM_THREADS=\(threads) (\(why)), plus rank 0 on one node: "
            + "OPENBLAS_NUM_THREADS=\(threads) mpirun -np \(ranks + 1) -x OPENBLAS_NUM_THREADS alphasweep run SPEC"
    }

    /// Each shard's instances, tasks and share of the work (the first and last 20 of many).
    func printShards(_ sweep: SweepSpec, shards: Int, excluded: Set<TaskKey>, total: Double) {
        var instances = [Int](repeating: 0, count: shards), tasks = instances, cost = [Double](repeating: 0, count: shards)
        SchedulePolicy.forEachAssignment(spec: sweep, shards: shards, excluded: excluded) { unit, shard in
            instances[shard] += 1
            tasks[shard] += unit.optimizers.count
            cost[shard] += unit.cost
        }
        let width = max(8, "\(shards - 1)/\(shards)".count + 1)
        print("\n" + "shard".padding(toLength: width, withPad: " ", startingAt: 0) + " instances   tasks   share of work")
        let shown = shards <= 40 ? Array(0..<shards) : Array(0..<20) + Array((shards - 20)..<shards)
        for i in shown {
            if shards > 40 && i == shards - 20 { print("… \(shards - 40) more") }
            print("\(i)/\(shards)".padding(toLength: width, withPad: " ", startingAt: 0)
                  + String(format: " %9d   %5d   %6.2f%%", instances[i], tasks[i], 100 * cost[i] / total))
        }
        print(String(format: "largest shard / mean: %.3f", (cost.max() ?? 0) / (total / Double(shards))))
    }
}
