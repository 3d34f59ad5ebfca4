// The science of alphasweep (SPEC §1–5 and §7): no MPI, no HDF5, no command line. It speaks
// the words of `Vocabulary` (experiment, instance key, outcome) and adds, by folder:
// - Random/: Philox4x32-10 and `RandomStream`, keyed by (master seed, s, N, replicate,
//   stream); uniforms and ziggurat normals in bulk.
// - LinearAlgebra/: `Matrix` (column-major), thin throwing wrappers over OpenBLAS/LAPACKE, and
//   `BLASEnvironment` (the kernel set and thread count results depend on).
// - Problem/: the spectrum and `ProblemInstance` (W, W*, and the training data's Gram matrix
//   F, B, YᵀY/n), with its exact test loss.
// - Optimizers/: `InstanceTrainer` (one eigendecomposition per instance; GD, SqrtNG, NG as
//   spectral filters, Adam in the feature basis, MatSign in the eigenbasis, oracle lr search).
// - Theory/: the spectral diagnostic of SPEC §7.
// - Statistics/: OLS, the replicate bootstrap and its intervals, the saturating fit.
//
// One instance, all five optimizers on it (a paired design):
//
//     BLASEnvironment.setThreads(1)
//     let trainer = try InstanceTrainer(instance: ProblemInstance.sample(experiment: e, key: key))
//     let outcomes = OptimizerKind.allCases.map { trainer.train($0) }
