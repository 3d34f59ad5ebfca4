import Vocabulary

/// A small sweep whose instances take milliseconds: 2 s × 3 N × `replicates` × 5 optimizers.
public func tinySweep(replicates: Int = 2) -> SweepSpec {
    var experiment = Experiment()
    experiment.D = 64
    experiment.K = 2
    experiment.n = 128
    experiment.adamLR = LogGrid(log10Min: -1, log10Max: 1, log10Step: 0.5)
    experiment.matSignLR = LogGrid(log10Min: -1, log10Max: 1, log10Step: 0.5)
    return SweepSpec(experiment: experiment, grid: SweepGrid(N: [4, 8, 16], s: [1.0, 1.5], replicates: 0..<replicates))
}
