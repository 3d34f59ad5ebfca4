import ArgumentParser
import Foundation
import Sweep
import Vocabulary

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the tasks of a sweep, their expected cost, and how they split into ranks or shards.")

    @Argument(help: "The sweep spec (YAML).") var spec: String
    @Option(help: "Show the split into K shards (job-array tasks).") var shards: Int?
    @Option(help: "Worker counts to show the largest-first makespan for.") var workers: [Int] = [1, 2, 4, 16, 64, 256]

    func run() throws {
        let (sweep, _) = try SweepSpec.load(path: spec)
        if let shards, shards < 1 { throw BadInput("--shards: must be at least 1, got \(shards)") }
        let units = SchedulePolicy.pendingWork(spec: sweep)
        let total = units.reduce(0) { $0 + $1.cost }
        print("spec \(spec)  sha256 \(sweep.sha256)")
        print("\(sweep.grid.taskCount) tasks = \(sweep.grid.optimizers.count) optimizers × \(sweep.grid.s.count) s × \(sweep.grid.N.count) N × \(sweep.grid.replicates.count) replicates (\(units.count) instances)")
        print(String(format: "expected work: %.3g flop", total))
        print("\nN        instances   flop/instance   share of work")
        for n in sweep.grid.N {
            let mine = units.filter { $0.instance.N == n }
            let flops = mine.first?.cost ?? 0
            print(String(format: "%-8d %9d   %13.3g   %6.2f%%", n, mine.count, flops, 100 * flops * Double(mine.count) / total))
        }
        print("\nworkers  makespan/ideal (largest-first)")
        for w in workers where w > 0 {
            let makespan = SchedulePolicy.simulatedMakespan(units, workers: w)
            print(String(format: "%-8d %.3f", w, makespan / (total / Double(w))))
        }
        if let shards {
            print("\nshard    instances   tasks   share of work")
            for i in 0..<shards {
                let mine = SchedulePolicy.pendingWork(spec: sweep, shard: Shard(index: i, count: shards))
                let flops = mine.reduce(0) { $0 + $1.cost }
                print("\(i)/\(shards)".padding(toLength: 8, withPad: " ", startingAt: 0) + String(format: " %9d   %5d   %6.2f%%", mine.count,
                             mine.reduce(0) { $0 + $1.optimizers.count }, 100 * flops / total))
            }
        }
    }
}
