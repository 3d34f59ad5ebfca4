import ArgumentParser

/// Measurements for `make bench` (bench/run_benchmarks.py drives it).
struct Benchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure kernels and per-instance cost on this machine (used by make bench).",
        shouldDisplay: false)

    func run() throws {
        print("{}")
    }
}
