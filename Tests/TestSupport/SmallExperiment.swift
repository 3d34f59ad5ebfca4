import Numerics
import Vocabulary
import Worker

/// Small problem sizes for tests (SPEC §1–4's defaults otherwise).
public func smallExperiment(D: Int = 256, K: Int = 4, n: Int = 512, T: Int = 16, sampler: SamplerKind = .joint,
                            sigma: Double = 0.3, beta: Double = 0) -> Experiment {
    var e = Experiment()
    e.D = D
    e.K = K
    e.n = n
    e.T = T
    e.sampler = sampler
    e.sigma = sigma
    e.beta = beta
    return e
}

/// `optimizers` trained on the instance `key`, as a worker does it.
public func trainAll(_ experiment: Experiment, _ key: InstanceKey,
                     optimizers: [OptimizerKind] = OptimizerKind.allCases) -> [OptimizerKind: TrainingOutcome] {
    let records = TaskRunner(experiment: experiment, rank: 0)
        .run(WorkUnit(instance: key, optimizers: optimizers, cost: 0))
    return Dictionary(uniqueKeysWithValues: records.map { ($0.key.optimizer, $0.outcome) })
}
