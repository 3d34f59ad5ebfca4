import ArgumentParser
import Foundation
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

    func run() throws {
        let (sweep, _) = try SweepSpec.load(path: spec)
        if let shards, shards < 1 { throw BadInput("--shards: must be at least 1, got \(shards)") }
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
        let units = SchedulePolicy.pendingWork(spec: sweep, excluded: excluded)
        let total = units.reduce(0) { $0 + $1.cost }
        print("spec \(spec)  sha256 \(sweep.sha256)  experiment \(sweep.experimentSHA256.prefix(12))")
        print("\(sweep.grid.taskCount) tasks = \(sweep.grid.optimizers.count) optimizers × \(sweep.grid.s.count) s × \(sweep.grid.N.count) N × \(sweep.grid.replicates.count) replicates (\(sweep.grid.instanceCount) instances)")
        if let against {
            let full = SchedulePolicy.pendingWork(spec: sweep).reduce(0) { $0 + $1.cost }
            let toRun = units.reduce(0) { $0 + $1.optimizers.count }
            print("against \(against): \(toRun) tasks to run in \(units.count) instances, \(sweep.grid.taskCount - toRun) already there; "
                  + String(format: "%.1f%% of the grid's work", full > 0 ? 100 * total / full : 0))
        }
        print(String(format: "expected work: %.3g flop", total))
        guard total > 0 else { return }
        print("\nN        instances   flop/instance   share of work")
        for n in sweep.grid.N {
            let mine = units.filter { $0.instance.N == n }
            let flops = mine.reduce(0) { $0 + $1.cost }
            print(String(format: "%-8d %9d   %13.3g   %6.2f%%", n, mine.count, mine.isEmpty ? 0 : flops / Double(mine.count),
                         100 * flops / total))
        }
        print("\nworkers  makespan/ideal (largest-first)")
        for w in workers where w > 0 {
            let makespan = SchedulePolicy.simulatedMakespan(units, workers: w)
            print(String(format: "%-8d %.3f", w, makespan / (total / Double(w))))
        }
        if let shards {
            print("\nshard    instances   tasks   share of work")
            for i in 0..<shards {
                let mine = SchedulePolicy.pendingWork(spec: sweep, shard: Shard(index: i, count: shards), excluded: excluded)
                let flops = mine.reduce(0) { $0 + $1.cost }
                print("\(i)/\(shards)".padding(toLength: 8, withPad: " ", startingAt: 0) + String(format: " %9d   %5d   %6.2f%%", mine.count,
                             mine.reduce(0) { $0 + $1.optimizers.count }, 100 * flops / total))
            }
        }
    }
}
